/**
 * Replay terminals on @xterm/headless, for Node: the tests and the bench. (The page uses xterm.js
 * itself, see ReplayPane.) Same scrollback as the page's, so keyframes are alike.
 */
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from '@xterm/headless';
import { REPLAY_SCROLLBACK, type IndexTerminal } from './terminal';

export function headlessTerminal(cols: number, rows: number): IndexTerminal {
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
