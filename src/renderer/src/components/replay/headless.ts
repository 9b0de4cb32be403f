/**
 * Replay terminals on @xterm/headless, for Node: the tests and the bench. (The page uses xterm.js
 * itself, see ReplayPane.) Same scrollback as the page's, so keyframes are alike.
 */
import { Terminal } from '@xterm/headless';
import { indexTerminalOn, replayTerminalOptions, type IndexTerminal } from './terminal';

export function headlessTerminal(cols: number, rows: number): IndexTerminal {
  return indexTerminalOn(new Terminal(replayTerminalOptions(cols, rows)));
}
