/**
 * Commands that run other commands: `bash -c "…"`, `time …`, `command …`, `xargs …`. Each is safe
 * only when what it runs is proven safe by the same classifier (a nested script is parsed and
 * judged like the outer one). `xargs` is harder, because its arguments come from its input: it is
 * allowed only with a read-only target fed by a command that lists workspace files (`find`,
 * `git ls-files`, `rg --files`, `grep -l`), through filters that only pass lines on.
 */
import type { SimpleCommand } from '../shell/script';
import type { Word } from '../shell/words';
import { parseOptions, type OptionSpec } from './options';
import { riskOf } from './risks';
import { SIMPLE_COMMANDS } from './simple';
import { readOnly, refuse, type Handler, type Verdict } from './types';

const prefixed = (prefix: string, verdict: Verdict): Verdict =>
  verdict.ok
    ? { ...verdict, label: `${prefix} ${verdict.label}` }
    : refuse(`${prefix}: ${verdict.reason}`);

const SHELL: OptionSpec = {
  short: { o: 'text' },
  only: { short: 'celuxv', long: ['--norc', '--noprofile'] },
  stopAtOperand: true,
};

/** `sh -c`, `bash -c`, `bash -lc`: the script is judged as a whole. */
export const shell: Handler = (call, scope) => {
  const parsed = parseOptions(call.args, SHELL);
  if ('problem' in parsed) return refuse(`${call.name} ${parsed.problem}`);
  if (!parsed.present.has('-c')) return refuse(riskOf(call.name));
  const script = parsed.operands[0];
  if (!script) return refuse(`${call.name} -c without a script`);
  return prefixed(`${call.name} -c`, scope.judgeScript(script.value));
};

/** `time cmd` and `command cmd` run cmd; `command -v name` only looks it up. */
export const wrapper: Handler = (call, scope) => {
  const spec: OptionSpec = {
    only: { short: call.name === 'command' ? 'pvV' : 'p' },
    stopAtOperand: true,
  };
  const parsed = parseOptions(call.args, spec);
  if ('problem' in parsed) return refuse(`${call.name} ${parsed.problem}`);
  if (parsed.present.has('-v') || parsed.present.has('-V')) return readOnly(`${call.name} -v`);
  if (!parsed.operands.length) return readOnly(call.name);
  return prefixed(call.name, scope.judgeWords(parsed.operands));
};

const VERSION_FLAGS: Record<string, readonly string[]> = {
  node: ['-v'],
  npm: ['-v'],
  pnpm: ['-v'],
  yarn: ['-v'],
  python: ['-V'],
  python3: ['-V'],
  go: ['version'],
  java: ['-version'],
};

/** Interpreters and tools: only `--version` (and its usual short form) is proven harmless. */
export const versionOnly: Handler = (call) => {
  const [only, ...more] = call.args;
  if (
    only &&
    !more.length &&
    (only.value === '--version' || VERSION_FLAGS[call.name]?.includes(only.value))
  )
    return readOnly(`${call.name} ${only.value}`);
  const inline = call.args.some((word) => /^(-c|-e|--eval|-p|--print|-r)$/.test(word.value));
  return refuse(inline ? `${call.name} runs inline code` : riskOf(call.name));
};

const XARGS: OptionSpec = {
  short: { n: 'text', L: 'text', P: 'text', s: 'text', d: 'text', E: 'text', I: 'text' },
  long: {
    '--max-args': 'text',
    '--max-lines': 'text',
    '--max-procs': 'text',
    '--max-chars': 'text',
    '--delimiter': 'text',
    '--process-slot-var': 'text',
  },
  refuse: {
    '-a': 'reads its arguments from a file',
    '--arg-file': 'reads its arguments from a file',
    '-p': 'asks on the terminal',
    '--interactive': 'asks on the terminal',
    '-o': 'gives the command the terminal',
    '--open-tty': 'gives the command the terminal',
    '-i': 'uses an obsolete option form',
    '-e': 'uses an obsolete option form',
    '-l': 'uses an obsolete option form',
  },
  only: { short: '0rtx', long: ['--null', '--no-run-if-empty', '--verbose', '--exit'] },
  stopAtOperand: true,
};

/** Targets whose every option and operand only reads: extra arguments from the input cannot hurt. */
const XARGS_TARGETS = new Set([
  'cat',
  'wc',
  'head',
  'tail',
  'ls',
  'grep',
  'egrep',
  'fgrep',
  'stat',
  'du',
]);

export const xargs: Handler = (call, scope) => {
  const parsed = parseOptions(call.args, XARGS);
  if ('problem' in parsed) return refuse(`xargs ${parsed.problem}`);
  const [target] = parsed.operands;
  if (!target) return readOnly('xargs echo');
  const own = scope.judgeWords(parsed.operands);
  if (!own.ok) return refuse(`xargs: ${own.reason}`);
  if (!XARGS_TARGETS.has(target.value))
    return refuse(`xargs would give ${target.value} arguments it cannot see`);
  if (!listsWorkspaceFiles(call.pipeline, call.index))
    return refuse(`xargs gives ${target.value} input that is not a list of workspace files`);
  return prefixed('xargs', own);
};

/** Whether the input of the command at `index` is a list of workspace files. */
function listsWorkspaceFiles(pipeline: readonly SimpleCommand[], index: number): boolean {
  for (let i = index - 1; i >= 0; i--) {
    const words = (pipeline[i] as SimpleCommand).words.map((word) => word.value);
    if (isFileLister(words)) return true;
    if (!isLineFilter(words, (pipeline[i] as SimpleCommand).words)) return false;
  }
  return false;
}

function isFileLister([name, ...args]: readonly string[]): boolean {
  const has = (short: string, long: string) =>
    args.some((a) => a === long || (/^-[A-Za-z]+$/.test(a) && a.includes(short)));
  if (name === 'find') return true;
  if (name === 'git')
    return args[0] === 'ls-files' || (args[0] === 'diff' && args.includes('--name-only'));
  if (name === 'rg') return args.includes('--files') || has('l', '--files-with-matches');
  if (name === 'grep' || name === 'egrep' || name === 'fgrep')
    return has('l', '--files-with-matches');
  return false;
}

/** sort, uniq, head, tail and grep (without -o) on their input pass lines on unchanged. */
function isLineFilter(values: readonly string[], words: readonly Word[]): boolean {
  const [name] = values;
  const spec = name === undefined ? undefined : SIMPLE_COMMANDS[name];
  if (!spec || !['sort', 'uniq', 'head', 'tail', 'grep', 'egrep', 'fgrep'].includes(name as string))
    return false;
  const parsed = parseOptions(words.slice(1), spec);
  if ('problem' in parsed) return false;
  if (!name?.endsWith('grep')) return parsed.operands.length === 0;
  const patternGiven = ['-e', '-f', '--regexp', '--file'].some((option) =>
    parsed.present.has(option),
  );
  const matchingOnly = ['-o', '--only-matching', '-r', '-R', '--recursive'].some((option) =>
    parsed.present.has(option),
  );
  return !matchingOnly && parsed.operands.length === (patternGiven ? 0 : 1);
}
