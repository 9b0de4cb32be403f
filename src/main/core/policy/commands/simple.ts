/**
 * The plain read-only (and workspace-writing) commands, as data: which options take a value, which
 * are refused and why, and what the operands are. One generic handler reads them all, so adding a
 * command is one entry, and every file it touches goes through the same workspace check.
 */
import { pathProblem, type PathUse } from '../paths';
import type { Word } from '../shell/words';
import { parseOptions, type OptionSpec } from './options';
import { refuse, type Handler, type Verdict } from './types';

interface CommandSpec extends OptionSpec {
  /**
   * `paths`: every operand is a file it reads (or writes, with `use: 'write'`); `text`: operands
   * are not files; `none`: no operands; `pattern`: the first operand is a pattern unless one of
   * `patternOptions` gave it, the rest are files.
   */
  readonly operands: 'paths' | 'text' | 'none' | 'pattern';
  readonly patternOptions?: readonly string[];
  readonly maxOperands?: { readonly count: number; readonly why: string };
  readonly use?: PathUse;
}

const WRITES_A_FILE = 'writes a file';
const READS_A_LIST = 'reads a list of files from a file';
const TEXT = 'text' as const;
const PATH = 'path' as const;

const lineOptions = { short: { n: TEXT, c: TEXT }, long: { '--lines': TEXT, '--bytes': TEXT } };
const grep: CommandSpec = {
  operands: 'pattern',
  patternOptions: ['-e', '-f', '--regexp', '--file'],
  short: { e: TEXT, f: PATH, m: TEXT, A: TEXT, B: TEXT, C: TEXT, d: TEXT, D: TEXT },
  long: {
    '--regexp': TEXT,
    '--file': PATH,
    '--max-count': TEXT,
    '--after-context': TEXT,
    '--before-context': TEXT,
    '--context': TEXT,
    '--directories': TEXT,
    '--devices': TEXT,
    '--include': TEXT,
    '--exclude': TEXT,
    '--exclude-dir': TEXT,
    '--exclude-from': PATH,
    '--label': TEXT,
    '--binary-files': TEXT,
  },
};
const RUNS_A_PROGRAM = 'runs another program on the files';
const rg: CommandSpec = {
  operands: 'pattern',
  patternOptions: ['-e', '-f', '--regexp', '--file', '--files', '--type-list'],
  short: {
    e: TEXT,
    f: PATH,
    g: TEXT,
    t: TEXT,
    T: TEXT,
    m: TEXT,
    A: TEXT,
    B: TEXT,
    C: TEXT,
    M: TEXT,
    j: TEXT,
    d: TEXT,
    r: TEXT,
    E: TEXT,
  },
  long: {
    '--regexp': TEXT,
    '--file': PATH,
    '--glob': TEXT,
    '--iglob': TEXT,
    '--type': TEXT,
    '--type-not': TEXT,
    '--type-add': TEXT,
    '--type-clear': TEXT,
    '--max-count': TEXT,
    '--after-context': TEXT,
    '--before-context': TEXT,
    '--context': TEXT,
    '--max-columns': TEXT,
    '--threads': TEXT,
    '--max-depth': TEXT,
    '--max-filesize': TEXT,
    '--replace': TEXT,
    '--color': TEXT,
    '--colors': TEXT,
    '--sort': TEXT,
    '--sortr': TEXT,
    '--path-separator': TEXT,
    '--context-separator': TEXT,
    '--field-match-separator': TEXT,
    '--field-context-separator': TEXT,
    '--encoding': TEXT,
    '--engine': TEXT,
    '--dfa-size-limit': TEXT,
    '--regex-size-limit': TEXT,
    '--ignore-file': PATH,
  },
  refuse: {
    '--pre': RUNS_A_PROGRAM,
    '--pre-glob': RUNS_A_PROGRAM,
    '--search-zip': 'runs decompression programs',
    '-z': 'runs decompression programs',
    '--hostname-bin': 'runs a program',
  },
};
const checksum: CommandSpec = {
  operands: 'paths',
  refuse: { '-c': 'checks the files a list names', '--check': 'checks the files a list names' },
};

export const SIMPLE_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  ls: {
    operands: 'paths',
    short: { I: TEXT, T: TEXT, w: TEXT },
    long: {
      '--ignore': TEXT,
      '--hide': TEXT,
      '--width': TEXT,
      '--tabsize': TEXT,
      '--block-size': TEXT,
      '--format': TEXT,
      '--sort': TEXT,
      '--time': TEXT,
      '--time-style': TEXT,
      '--indicator-style': TEXT,
      '--quoting-style': TEXT,
    },
  },
  cat: { operands: 'paths' },
  grep,
  egrep: grep,
  fgrep: grep,
  rg,
  head: { operands: 'paths', ...lineOptions },
  tail: {
    operands: 'paths',
    short: { ...lineOptions.short, s: TEXT },
    long: {
      ...lineOptions.long,
      '--pid': TEXT,
      '--sleep-interval': TEXT,
      '--max-unchanged-stats': TEXT,
    },
  },
  wc: { operands: 'paths', refuse: { '--files0-from': READS_A_LIST } },
  nl: {
    operands: 'paths',
    short: {
      b: TEXT,
      d: TEXT,
      f: TEXT,
      h: TEXT,
      i: TEXT,
      l: TEXT,
      n: TEXT,
      s: TEXT,
      v: TEXT,
      w: TEXT,
    },
  },
  tac: { operands: 'paths', short: { s: TEXT }, long: { '--separator': TEXT } },
  rev: { operands: 'paths' },
  cut: {
    operands: 'paths',
    short: { b: TEXT, c: TEXT, d: TEXT, f: TEXT },
    long: {
      '--bytes': TEXT,
      '--characters': TEXT,
      '--delimiter': TEXT,
      '--fields': TEXT,
      '--output-delimiter': TEXT,
    },
  },
  paste: { operands: 'paths', short: { d: TEXT }, long: { '--delimiters': TEXT } },
  sort: {
    operands: 'paths',
    short: { k: TEXT, t: TEXT, S: TEXT },
    long: {
      '--key': TEXT,
      '--field-separator': TEXT,
      '--buffer-size': TEXT,
      '--parallel': TEXT,
      '--sort': TEXT,
      '--batch-size': TEXT,
    },
    refuse: {
      '-o': WRITES_A_FILE,
      '--output': WRITES_A_FILE,
      '-T': 'writes temporary files elsewhere',
      '--temporary-directory': 'writes temporary files elsewhere',
      '--compress-program': 'runs a program',
      '--files0-from': READS_A_LIST,
    },
  },
  uniq: {
    operands: 'paths',
    short: { f: TEXT, s: TEXT, w: TEXT },
    long: {
      '--skip-fields': TEXT,
      '--skip-chars': TEXT,
      '--check-chars': TEXT,
      '--group': TEXT,
      '--all-repeated': TEXT,
    },
    maxOperands: { count: 1, why: 'a second operand is a file uniq writes' },
  },
  tr: { operands: 'text' },
  column: {
    operands: 'paths',
    short: { s: TEXT, c: TEXT, o: TEXT, N: TEXT, E: TEXT, H: TEXT, R: TEXT, W: TEXT, O: TEXT },
  },
  fold: { operands: 'paths', short: { w: TEXT }, long: { '--width': TEXT } },
  expand: { operands: 'paths', short: { t: TEXT }, long: { '--tabs': TEXT } },
  unexpand: { operands: 'paths', short: { t: TEXT }, long: { '--tabs': TEXT } },
  od: { operands: 'paths', short: { A: TEXT, j: TEXT, N: TEXT, t: TEXT, w: TEXT, S: TEXT } },
  xxd: {
    operands: 'paths',
    short: { c: TEXT, g: TEXT, l: TEXT, s: TEXT, o: TEXT, n: TEXT },
    maxOperands: { count: 1, why: 'a second operand is a file xxd writes' },
  },
  strings: { operands: 'paths', short: { n: TEXT, t: TEXT, e: TEXT } },
  file: {
    operands: 'paths',
    short: { F: TEXT, e: TEXT, P: TEXT, m: PATH },
    long: { '--separator': TEXT, '--exclude': TEXT, '--parameter': TEXT, '--magic-file': PATH },
    refuse: {
      '-C': 'compiles a magic file',
      '--compile': 'compiles a magic file',
      '-f': READS_A_LIST,
      '--files-from': READS_A_LIST,
    },
  },
  stat: { operands: 'paths', short: { c: TEXT }, long: { '--format': TEXT, '--printf': TEXT } },
  du: {
    operands: 'paths',
    short: { d: TEXT, B: TEXT, t: TEXT, X: PATH },
    long: {
      '--max-depth': TEXT,
      '--block-size': TEXT,
      '--threshold': TEXT,
      '--exclude': TEXT,
      '--time-style': TEXT,
      '--exclude-from': PATH,
    },
    refuse: { '--files0-from': READS_A_LIST },
  },
  df: {
    operands: 'paths',
    short: { B: TEXT, t: TEXT, x: TEXT },
    long: { '--block-size': TEXT, '--type': TEXT, '--exclude-type': TEXT, '--output': TEXT },
  },
  tree: {
    operands: 'paths',
    short: { L: TEXT, P: TEXT, I: TEXT, H: TEXT, T: TEXT },
    long: { '--charset': TEXT, '--filelimit': TEXT, '--timefmt': TEXT, '--sort': TEXT },
    refuse: {
      '-o': WRITES_A_FILE,
      '-R': 'writes an index file into every directory',
      '--fromfile': READS_A_LIST,
    },
  },
  diff: {
    operands: 'paths',
    short: { x: TEXT, I: TEXT, F: TEXT, L: TEXT, D: TEXT, U: TEXT, C: TEXT, W: TEXT, X: PATH },
    long: {
      '--exclude': TEXT,
      '--ignore-matching-lines': TEXT,
      '--label': TEXT,
      '--ifdef': TEXT,
      '--unified': TEXT,
      '--context': TEXT,
      '--width': TEXT,
      '--exclude-from': PATH,
      '--from-file': PATH,
      '--to-file': PATH,
    },
  },
  cmp: {
    operands: 'paths',
    short: { i: TEXT, n: TEXT },
    long: { '--ignore-initial': TEXT, '--bytes': TEXT },
  },
  comm: { operands: 'paths', long: { '--output-delimiter': TEXT } },
  md5sum: checksum,
  sha1sum: checksum,
  sha224sum: checksum,
  sha256sum: checksum,
  sha384sum: checksum,
  sha512sum: checksum,
  b2sum: checksum,
  cksum: checksum,
  base64: {
    operands: 'paths',
    short: { w: TEXT, i: PATH },
    long: { '--wrap': TEXT, '--input': PATH },
    refuse: { '-o': WRITES_A_FILE, '--output': WRITES_A_FILE },
    maxOperands: { count: 1, why: 'a second operand is a file base64 writes' },
  },
  realpath: { operands: 'paths', long: { '--relative-to': PATH, '--relative-base': PATH } },
  readlink: { operands: 'paths' },
  basename: { operands: 'text', short: { s: TEXT }, long: { '--suffix': TEXT } },
  dirname: { operands: 'text' },
  echo: { operands: 'text' },
  printf: { operands: 'text', refuse: { '-v': 'assigns a shell variable' } },
  pwd: { operands: 'none', only: { short: 'LP' } },
  true: { operands: 'text' },
  false: { operands: 'text' },
  test: { operands: 'paths' },
  which: { operands: 'text' },
  type: { operands: 'text' },
  whoami: { operands: 'none' },
  id: { operands: 'text' },
  groups: { operands: 'text' },
  uname: { operands: 'none' },
  arch: { operands: 'none' },
  nproc: { operands: 'none' },
  hostname: {
    operands: 'none',
    refuse: {
      '-F': 'sets the host name',
      '--file': 'sets the host name',
      '-b': 'sets the host name',
      '--boot': 'sets the host name',
    },
  },
  seq: {
    operands: 'text',
    short: { f: TEXT, s: TEXT },
    long: { '--format': TEXT, '--separator': TEXT },
  },
  sleep: { operands: 'text' },
  mkdir: {
    operands: 'paths',
    use: 'write',
    short: { m: TEXT },
    long: { '--mode': TEXT, '--context': TEXT },
  },
  touch: {
    operands: 'paths',
    use: 'write',
    short: { d: TEXT, t: TEXT, r: PATH },
    long: { '--date': TEXT, '--reference': PATH, '--time': TEXT },
  },
  tee: { operands: 'paths', use: 'write', long: { '--output-error': TEXT } },
};

const WRITERS = new Set(['mkdir', 'touch', 'tee']);

/** The handler for every command in SIMPLE_COMMANDS. */
export const simpleCommand: Handler = (call, scope) => {
  const spec = SIMPLE_COMMANDS[call.name];
  if (!spec) return refuse(`${call.name} is not a command the classifier knows to be safe`);
  const parsed = parseOptions(call.args, spec);
  if ('problem' in parsed) return refuse(`${call.name} ${parsed.problem}`);
  const checkFile = (word: Word, use: PathUse): Verdict | undefined => {
    const problem = pathProblem(word, use, scope);
    return problem === undefined ? undefined : refuse(`${call.name}: ${problem}`);
  };
  for (const value of parsed.values) {
    if (value.kind !== 'path') continue;
    const failed = checkFile(value.word, 'read');
    if (failed) return failed;
  }
  let operands = parsed.operands;
  if (spec.operands === 'none' && operands.length)
    return refuse(`${call.name} takes no operands here`);
  if (spec.operands === 'text' || spec.operands === 'none') return done(call.name);
  if (spec.maxOperands && operands.length > spec.maxOperands.count)
    return refuse(`${call.name}: ${spec.maxOperands.why}`);
  if (
    spec.operands === 'pattern' &&
    !spec.patternOptions?.some((option) => parsed.present.has(option))
  )
    operands = operands.slice(1);
  for (const operand of operands) {
    if (operand.value === '-') continue;
    const failed = checkFile(operand, spec.use ?? 'read');
    if (failed) return failed;
  }
  return done(call.name);
};

function done(name: string): Verdict {
  return { ok: true, kind: WRITERS.has(name) ? 'workspace write' : 'read-only', label: name };
}
