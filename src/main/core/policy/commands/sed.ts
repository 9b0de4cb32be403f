/**
 * sed: read-only when it edits no file in place (`-i`, `--in-place` in any spelling) and its
 * script neither writes (`w`, `W`, the `w` flag of `s`) nor runs commands (`e`, the `e` flag) nor
 * reads other files (`r`, `R`). The script is parsed command by command, not searched for letters,
 * so `s/w/x/` is fine and `s/x/y/w /tmp/out` is not. Scripts from files (`-f`) are not read.
 */
import { pathProblem } from '../paths';
import { parseOptions, type OptionSpec } from './options';
import { readOnly, refuse, type Handler } from './types';

const SPEC: OptionSpec = {
  short: { e: 'text', l: 'text' },
  long: { '--expression': 'text', '--line-length': 'text' },
  refuse: {
    '-i': 'edits files in place',
    '--in-place': 'edits files in place',
    '-f': 'reads its script from a file',
    '--file': 'reads its script from a file',
  },
  only: {
    short: 'nrEsuz',
    long: [
      '--quiet',
      '--silent',
      '--regexp-extended',
      '--separate',
      '--unbuffered',
      '--null-data',
      '--posix',
      '--debug',
      '--sandbox',
    ],
  },
};

export const sed: Handler = (call, scope) => {
  const parsed = parseOptions(call.args, SPEC);
  if ('problem' in parsed) return refuse(`sed ${parsed.problem}`);
  const fromOptions = parsed.values.map((value) => value.word.value);
  const scripts = fromOptions.length
    ? fromOptions
    : parsed.operands.slice(0, 1).map((word) => word.value);
  if (!scripts.length) return refuse('sed without a script');
  for (const script of scripts) {
    const problem = sedScriptProblem(script);
    if (problem) return refuse(`sed ${problem}`);
  }
  for (const file of fromOptions.length ? parsed.operands : parsed.operands.slice(1)) {
    const problem = file.value === '-' ? undefined : pathProblem(file, 'read', scope);
    if (problem) return refuse(`sed: ${problem}`);
  }
  return readOnly('sed');
};

/** Commands that take no argument, or only a label or exit code up to the end of the command. */
const PLAIN = new Set([...'pdDnNPhHgGxlzF=}']);
const WITH_LABEL = new Set([...'btT:']);
const EXIT = new Set([...'qQ']);

/** Why this sed script may write, run or read something, or undefined when it only edits the stream. */
export function sedScriptProblem(script: string): string | undefined {
  let i = 0;
  const at = () => script[i];
  const skip = (chars: string) => {
    while (i < script.length && chars.includes(script[i] as string)) i++;
  };
  /** Reads a delimited part (regex or replacement); false when it does not end. */
  const delimited = (delimiter: string): boolean => {
    for (; i < script.length; i++) {
      const c = script[i];
      if (c === '\\') i++;
      else if (c === '\n') return false;
      else if (c === delimiter) {
        i++;
        return true;
      }
    }
    return false;
  };
  const address = (): boolean => {
    const c = at();
    if (c === undefined) return true;
    if (/[0-9$]/.test(c)) {
      i++;
      skip('0123456789~');
      return true;
    }
    if (c === '/' || c === '\\') {
      i++;
      const delimiter = c === '\\' ? script[i++] : '/';
      if (delimiter === undefined || !delimited(delimiter)) return false;
      skip('IM');
      return true;
    }
    return true;
  };
  while (i < script.length) {
    skip(' \t\n;');
    if (i >= script.length) break;
    if (at() === '#') {
      while (i < script.length && at() !== '\n') i++;
      continue;
    }
    if (!address()) return 'script has an unterminated address';
    if (at() === ',') {
      i++;
      skip(' \t');
      if (at() === '+' || at() === '~') i++;
      if (!address()) return 'script has an unterminated address';
    }
    skip(' \t');
    while (at() === '!') {
      i++;
      skip(' \t');
    }
    const command = at();
    if (command === undefined) return 'script ends after an address';
    i++;
    if (command === '{' || PLAIN.has(command)) continue;
    if (WITH_LABEL.has(command) || EXIT.has(command)) {
      while (i < script.length && !';\n}'.includes(script[i] as string)) i++;
      continue;
    }
    if (command === 's' || command === 'y') {
      const delimiter = at();
      if (delimiter === undefined || delimiter === '\n' || delimiter === '\\')
        return `script has a malformed ${command} command`;
      i++;
      if (!delimited(delimiter) || !delimited(delimiter))
        return `script has an unterminated ${command} command`;
      if (command === 's') {
        const flags = /^[gpiImM0-9]*/.exec(script.slice(i))?.[0] ?? '';
        i += flags.length;
        const next = at();
        if (next === 'w' || next === 'W') return 'script writes a file (s///w)';
        if (next === 'e') return 'script runs a command (s///e)';
        if (next !== undefined && !' \t\n;}'.includes(next))
          return `script has an unknown s flag ${JSON.stringify(next)}`;
      }
      continue;
    }
    const what: Record<string, string> = {
      w: 'writes a file (w)',
      W: 'writes a file (W)',
      e: 'runs a command (e)',
      r: 'reads another file (r)',
      R: 'reads another file (R)',
    };
    return `script ${what[command] ?? `has a command the classifier does not read (${JSON.stringify(command)})`}`;
  }
  return undefined;
}
