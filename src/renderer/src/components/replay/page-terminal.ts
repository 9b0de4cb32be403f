/**
 * The replay's terminals in the page, on xterm.js: the view a person watches (the recording's
 * size, read-only, the app's colours) and the index terminal where keyframes are made, never
 * opened (nothing drawn). Both keep REPLAY_SCROLLBACK lines, so a keyframe fits the view.
 */
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from '@xterm/xterm';
import { themeFromCss } from '../sessions/TerminalPane';
import { REPLAY_SCROLLBACK, type IndexTerminal } from './terminal';

export function makeViewTerminal(cols: number, rows: number): Terminal {
  return new Terminal({
    cols,
    rows,
    scrollback: REPLAY_SCROLLBACK,
    allowProposedApi: true,
    disableStdin: true,
    cursorBlink: false,
    fontFamily:
      getComputedStyle(document.documentElement).getPropertyValue('--mono').trim() || 'monospace',
    fontSize: 13,
    theme: themeFromCss(),
  });
}

export function pageIndexTerminal(cols: number, rows: number): IndexTerminal {
  const terminal = new Terminal({
    cols,
    rows,
    scrollback: REPLAY_SCROLLBACK,
    allowProposedApi: true,
  });
  const serializer = new SerializeAddon();
  terminal.loadAddon(serializer);
  return {
    terminal,
    serialize: () => serializer.serialize(),
    cursor: () => ({ x: terminal.buffer.active.cursorX, y: terminal.buffer.active.cursorY }),
    dispose: () => terminal.dispose(),
  };
}
