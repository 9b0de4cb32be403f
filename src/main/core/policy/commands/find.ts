/**
 * find: its starting points must be in the workspace, and its expression may not run, delete or
 * write anything (`-exec`, `-execdir`, `-ok`, `-okdir`, `-delete`, `-fprint*`, `-fls`), nor read
 * its starting points from a file. Tests and other actions only look.
 */
import { pathProblem } from '../paths';
import type { Word } from '../shell/words';
import { readOnly, refuse, type Handler } from './types';

const REFUSED: Record<string, string> = {
  '-exec': 'runs a command on every file',
  '-execdir': 'runs a command on every file',
  '-ok': 'runs a command on every file',
  '-okdir': 'runs a command on every file',
  '-delete': 'deletes files',
  '-fprint': 'writes a file',
  '-fprint0': 'writes a file',
  '-fprintf': 'writes a file',
  '-fls': 'writes a file',
  '-files0-from': 'reads its starting points from a file',
};

/** Options before the starting points. */
const LEADING = /^-(H|L|P|O\d*|D)$/;

export const find: Handler = (call, scope) => {
  const args = call.args;
  let i = 0;
  while (i < args.length && LEADING.test((args[i] as Word).value))
    i += (args[i] as Word).value === '-D' ? 2 : 1;
  const starts: Word[] = [];
  for (; i < args.length; i++) {
    const value = (args[i] as Word).value;
    if (value.startsWith('-') || value === '(' || value === '!' || value === ')' || value === ',')
      break;
    starts.push(args[i] as Word);
  }
  for (const start of starts) {
    const problem = pathProblem(start, 'read', scope);
    if (problem) return refuse(`find: ${problem}`);
  }
  for (; i < args.length; i++) {
    const value = (args[i] as Word).value;
    const reason = REFUSED[value];
    if (reason) return refuse(`find ${value} ${reason}`);
  }
  return readOnly('find');
};
