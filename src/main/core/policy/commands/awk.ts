/**
 * awk: read-only when its program cannot run commands (`system`, `| getline`, `print | "cmd"`),
 * write files (`print > "file"`), read other files (`getline < file`), reach the environment
 * (`ENVIRON`) or load code (`@include`, `-f`). The program is tokenized (strings, regular
 * expressions, comments) so that a `>` inside a string or a comparison in a pattern is not mistaken
 * for a redirection; the names that are never safe are looked for in the raw text as well, so no
 * tokenizing mistake can hide them.
 */
import { pathProblem } from '../paths';
import { parseOptions, type OptionSpec } from './options';
import { readOnly, refuse, type Handler } from './types';

const SPEC: OptionSpec = {
  short: { F: 'text', v: 'text' },
  refuse: { '-f': 'reads its program from a file' },
  only: { short: '', long: [] },
};

export const awk: Handler = (call, scope) => {
  const parsed = parseOptions(call.args, SPEC);
  if ('problem' in parsed) return refuse(`${call.name} ${parsed.problem}`);
  const [program, ...files] = parsed.operands;
  if (!program) return refuse(`${call.name} without a program`);
  const problem = awkProgramProblem(program.value);
  if (problem) return refuse(`${call.name} program ${problem}`);
  for (const file of files) {
    // `name=value` operands are assignments, not files.
    if (file.value === '-' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(file.value)) continue;
    const outside = pathProblem(file, 'read', scope);
    if (outside) return refuse(`${call.name}: ${outside}`);
  }
  return readOnly(call.name);
};

/** Never safe, wherever they appear (a `|` that is not `||` is a pipe to or from a command). */
const NEVER = /\b(system|getline|ENVIRON|PROCINFO)\b|@|\|/;

/** Why this awk program may do more than read its input and print, or undefined. */
export function awkProgramProblem(program: string): string | undefined {
  const never = NEVER.exec(program.replace(/\|\|/g, ''));
  if (never) return `uses ${never[0]}`;
  const tokens = tokenize(program);
  if (typeof tokens === 'string') return tokens;
  // A `>` at the top level of a print statement is a redirection; elsewhere it compares.
  let inPrint = false;
  let depth = 0;
  for (const token of tokens) {
    if (token === 'print' || token === 'printf') [inPrint, depth] = [true, 0];
    else if (token === '(' || token === '[') depth++;
    else if (token === ')' || token === ']') depth--;
    else if (token === ';' || token === '\n' || token === '}' || token === '{') inPrint = false;
    else if (inPrint && depth <= 0 && (token === '>' || token === '>>'))
      return 'writes a file (print >)';
  }
  return undefined;
}

/** Splits an awk program into tokens, dropping strings, regular expressions and comments. */
function tokenize(program: string): string[] | string {
  const tokens: string[] = [];
  let previous = '';
  for (let i = 0; i < program.length;) {
    const c = program[i] as string;
    if (c === ' ' || c === '\t' || c === '\\') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < program.length && program[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || (c === '/' && regexCanStart(previous))) {
      const end = closing(program, i);
      if (end === 'slash in brackets') return 'has a / inside a bracket in a regular expression';
      if (end === -1) return `has an unterminated ${c === '"' ? 'string' : 'regular expression'}`;
      tokens.push((previous = c === '"' ? 'string' : 'regex'));
      i = end + 1;
      continue;
    }
    const word =
      /^[A-Za-z_][A-Za-z0-9_]*|^[0-9.]+|^(>>|>=|<=|==|!=|&&|\+\+|--)/.exec(program.slice(i))?.[0] ??
      c;
    tokens.push((previous = word));
    i += word.length;
  }
  return tokens;
}

/** A `/` starts a regular expression unless it follows something that ends an operand. */
function regexCanStart(previous: string): boolean {
  return !(
    /^[A-Za-z0-9_.]/.test(previous) ||
    previous === ')' ||
    previous === ']' ||
    previous === '$' ||
    previous === 'string' ||
    previous === 'regex' ||
    previous === '++' ||
    previous === '--'
  );
}

/**
 * Index of the unescaped quote or slash closing the one at `start`, or -1. awks disagree on whether
 * a `/` inside a bracket ends a regular expression, so one there is refused rather than guessed.
 */
function closing(program: string, start: number): number | 'slash in brackets' {
  const quote = program[start];
  let bracket = false;
  for (let i = start + 1; i < program.length; i++) {
    const c = program[i];
    if (c === '\\') i++;
    else if (c === '\n') return -1;
    else if (quote === '/' && c === '[') bracket = true;
    else if (quote === '/' && c === ']') bracket = false;
    else if (bracket && c === '/') return 'slash in brackets';
    else if (c === quote) return i;
  }
  return -1;
}
