/**
 * What a deny or ask rule for Bash is matched against: every simple command in the script, and
 * also what those commands run (`sudo rm`, `env X=1 rm`, `time rm`, `xargs rm`, `find -exec rm`,
 * `bash -c "rm …"`). A deny must not be dodged by a wrapper. This only ever makes a rule match
 * more, so it can be generous; allow rules never use it (they go through the classifier).
 */
import { isReady } from './shell/parser';
import { parseScript } from './shell/script';
import type { Word } from './shell/words';

const MAX_DEPTH = 3;

/** Options that take a value, for the wrappers whose options are skipped. */
const WRAPPERS: Record<string, string[]> = {
  sudo: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U'],
  doas: ['-u', '-C'],
  env: ['-u', '-C', '-S'],
  time: ['-f', '-o'],
  command: [],
  nohup: [],
  nice: ['-n'],
  ionice: ['-c', '-n', '-p'],
  setsid: [],
  stdbuf: ['-i', '-o', '-e'],
  exec: ['-a'],
  xargs: ['-n', '-L', '-P', '-s', '-d', '-E', '-I', '-a'],
  timeout: ['-s', '-k'],
  watch: ['-n', '-d'],
};
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh']);
const FIND_RUNNERS = new Set(['-exec', '-execdir', '-ok', '-okdir']);

/** Every command line `command` may run, as literal words; undefined when it cannot be parsed. */
export function commandsForMatching(command: string, depth = 0): string[][] | undefined {
  if (!isReady() || depth > MAX_DEPTH) return undefined;
  const parsed = parseScript(command);
  if (!parsed.ok) return undefined;
  const found: string[][] = [];
  for (const pipeline of parsed.script.pipelines)
    for (const simple of pipeline.commands) expand(literalPrefix(simple.words), found, depth);
  return found;
}

function literalPrefix(words: readonly Word[]): string[] {
  const end = words.findIndex((word) => word.problem !== undefined);
  return words.slice(0, end === -1 ? words.length : end).map((word) => word.value);
}

function expand(argv: string[], found: string[][], depth: number): void {
  if (!argv.length) return;
  found.push(argv);
  const [name = '', ...rest] = argv;
  const program = name.split('/').pop() ?? name;
  if (program !== name) found.push([program, ...rest]); // `/bin/rm` is rm
  const valued = WRAPPERS[program];
  if (valued) {
    let i = 0;
    while (i < rest.length) {
      const word = rest[i] as string;
      if (word === '--') {
        i++;
        break;
      }
      if (valued.includes(word)) i += 2;
      else if (word.startsWith('-') || (program === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)))
        i++;
      else if (program === 'timeout' && /^[0-9.]+[smhd]?$/.test(word)) i++;
      else break;
    }
    expand(rest.slice(i), found, depth);
  }
  if (SHELLS.has(program)) {
    const flag = rest.findIndex((word) => /^-[A-Za-z]*c[A-Za-z]*$/.test(word));
    const script = flag === -1 ? undefined : rest[flag + 1];
    if (script !== undefined) found.push(...(commandsForMatching(script, depth + 1) ?? [[script]]));
  }
  if (program === 'find') {
    rest.forEach((word, i) => {
      if (!FIND_RUNNERS.has(word)) return;
      const end = rest.findIndex((w, j) => j > i && (w === ';' || w === '+'));
      expand(rest.slice(i + 1, end === -1 ? undefined : end), found, depth);
    });
  }
}

/** For a command that cannot be parsed: does the text run `words` at a command position? */
export function mentionsCommand(command: string, words: readonly string[]): boolean {
  const escaped = words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+');
  return new RegExp(`(^|[;&|(\`\\n{]|\\$\\()\\s*(\\S*/)?${escaped}(?=$|[\\s;&|)\`}])`).test(
    command,
  );
}
