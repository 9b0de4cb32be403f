/**
 * The replay's terminals in the page, on xterm.js: the view a person watches (the recording's
 * size, read-only, the app's colours) and the index terminal where keyframes are made, never
 * opened (nothing drawn). Both keep REPLAY_SCROLLBACK lines, so a keyframe fits the view.
 */
import { Terminal } from '@xterm/xterm';
import { themeFromCss } from '../sessions/TerminalPane';
import { indexTerminalOn, replayTerminalOptions, type IndexTerminal } from './terminal';

export function makeViewTerminal(cols: number, rows: number): Terminal {
  return new Terminal({
    ...replayTerminalOptions(cols, rows),
    disableStdin: true,
    cursorBlink: false,
    fontFamily:
      getComputedStyle(document.documentElement).getPropertyValue('--mono').trim() || 'monospace',
    fontSize: 13,
    theme: themeFromCss(),
  });
}

export function pageIndexTerminal(cols: number, rows: number): IndexTerminal {
  return indexTerminalOn(new Terminal(replayTerminalOptions(cols, rows)));
}
