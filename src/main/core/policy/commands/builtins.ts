/**
 * Commands whose operands need their own reading: `cd` (changes where later paths resolve, so it
 * returns the directories the shell may be in next), `date` (an operand without `+` sets the
 * clock) and `jq` (its filter can read the environment or load modules).
 */
import { pathProblem, resolveWord } from '../paths';
import { parseOptions } from './options';
import { readOnly, refuse, type Handler } from './types';

export const cd: Handler = (call, scope) => {
  const parsed = parseOptions(call.args, { only: { short: 'LPe@' } });
  if ('problem' in parsed) return refuse(`cd ${parsed.problem}`);
  const [target, ...more] = parsed.operands;
  if (!target) return refuse('cd to the home directory leaves the workspace');
  if (more.length) return refuse('cd with more than one directory');
  if (target.value === '-')
    return refuse('cd - goes back to a directory the classifier cannot see');
  const problem = pathProblem(target, 'cd', scope);
  if (problem) return refuse(`cd: ${problem}`);
  const next = resolveWord(target, scope);
  if (!Array.isArray(next)) return refuse(`cd: ${next.problem}`);
  // Where the shell is if cd succeeds; the classifier keeps the old directories for when it fails.
  return { ok: true, kind: 'read-only', label: 'cd', cwds: next };
};

export const date: Handler = (call, scope) => {
  const parsed = parseOptions(call.args, {
    short: { d: 'text', f: 'path', r: 'path', I: 'text' },
    long: {
      '--date': 'text',
      '--file': 'path',
      '--reference': 'path',
      '--iso-8601': 'text',
      '--rfc-3339': 'text',
    },
    refuse: { '-s': 'sets the clock', '--set': 'sets the clock' },
  });
  if ('problem' in parsed) return refuse(`date ${parsed.problem}`);
  if (parsed.operands.some((word) => !word.value.startsWith('+')))
    return refuse('date with an operand that is not +FORMAT sets the clock');
  for (const value of parsed.values) {
    const problem = value.kind === 'path' ? pathProblem(value.word, 'read', scope) : undefined;
    if (problem) return refuse(`date: ${problem}`);
  }
  return readOnly('date');
};

/** jq filters that reach beyond the input: the environment, modules, search paths. */
const JQ_NEVER =
  /\$ENV\b|\benv\b|\bimport\b|\binclude\b|\bmodulemeta\b|\bget_search_list\b|\$__prog/;

export const jq: Handler = (call, scope) => {
  const args = call.args;
  const files = [];
  let filter: string | undefined;
  let positional = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]?.value ?? '';
    if (positional) continue;
    if (arg === '--arg' || arg === '--argjson') i += 2;
    else if (arg === '--slurpfile' || arg === '--rawfile') {
      const file = args[(i += 2)];
      const problem = file ? pathProblem(file, 'read', scope) : `${arg} needs a name and a file`;
      if (problem) return refuse(`jq ${arg}: ${problem}`);
    } else if (arg === '--indent') i++;
    else if (arg === '--args' || arg === '--jsonargs') positional = filter !== undefined;
    else if (/^(-f|--from-file|-L|--library-path)$/.test(arg) || /^-[A-Za-z]*[fL]/.test(arg))
      return refuse(`jq ${arg} reads code from a file`);
    else if (arg.startsWith('-') && arg !== '-') continue;
    else if (filter === undefined) filter = arg;
    else files.push(args[i]);
  }
  if (filter === undefined) return refuse('jq without a filter');
  const never = JQ_NEVER.exec(filter);
  if (never) return refuse(`jq filter uses ${never[0]}`);
  for (const file of files) {
    const problem = file && file.value !== '-' ? pathProblem(file, 'read', scope) : undefined;
    if (problem) return refuse(`jq: ${problem}`);
  }
  return readOnly('jq');
};
