/**
 * The one way Paddock runs git. Every call is hermetic: argv through execFile (never a shell), an
 * environment built from scratch, and `-c` overrides that switch off everything in git that can
 * start a program named by configuration. Nothing from the person's shell, global or system git
 * configuration reaches these calls, so what Paddock computes does not depend on who runs it, and
 * a repository the agent has written to cannot make Paddock's git run anything.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { existsSync } from 'node:fs';
import { firstLines, GitError } from './git-error';

export interface GitOptions {
  /** Where git runs; defaults to the work tree, else the git dir, else `/` (never Paddock's cwd). */
  cwd?: string;
  /** GIT_DIR: names the repository, so git does not look for one. */
  gitDir?: string;
  /** GIT_WORK_TREE. */
  workTree?: string;
  /** GIT_INDEX_FILE: a private index, so Paddock never touches the one the agent uses. */
  indexFile?: string;
  /** Extra variables (GIT_OBJECT_DIRECTORY, GIT_CEILING_DIRECTORIES, ...). They cannot replace the hermetic ones. */
  env?: Record<string, string>;
  /** Written to git's standard input, which is then closed (it is closed at once without it). */
  input?: string | Buffer;
  /** Git is stopped (SIGTERM, so it removes its lock files) after this long. */
  timeoutMs?: number;
  /** Standard output beyond this many bytes is an error rather than an unbounded buffer. */
  maxOutputBytes?: number;
  /** Exit codes that are answers rather than failures (`merge-tree` exits 1 on a conflict). */
  answerCodes?: readonly number[];
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';
/** HOME for git: a path that does not exist, so no ~/.gitconfig, ~/.config/git/* is ever read. */
const NO_HOME = '/nonexistent';

/**
 * Given before the subcommand on every call. Command-line configuration outranks every file, the
 * repository's own config included, and git passes it on to any git it starts itself.
 */
const SAFE_CONFIG: readonly string[] = [
  // Hooks are files anyone who can write into a .git can plant: none ever runs.
  'core.hooksPath=/dev/null',
  // core.fsmonitor can name a program that git starts whenever it reads the index.
  'core.fsmonitor=false',
  // The untracked cache trusts directory mtimes and is written into the index: every run looks.
  'core.untrackedCache=false',
  // Output goes to a pipe, never through a pager program.
  'core.pager=cat',
  // Paddock's git never talks to a remote (GIT_ALLOW_PROTOCOL below also outranks any
  // protocol.<name>.allow a repository sets), so no transport, ssh or remote helper can start.
  'protocol.allow=never',
  // No credential helper program is ever asked for anything.
  'credential.helper=',
  // Automatic gc and maintenance detach background processes that outlive the call and repack
  // object stores Paddock only means to read.
  'gc.auto=0',
  'maintenance.auto=false',
  // The person's own ignore and attributes files would change what a diff contains. HOME points
  // nowhere already; these say it twice.
  'core.excludesFile=/dev/null',
  'core.attributesFile=/dev/null',
  // Not here: `diff.external=` (git would try to run the empty program and die). Diff calls pass
  // --no-ext-diff --no-textconv instead, and the configs Paddock writes define no diff driver.
];

/** Runs git and returns its standard output as text (UTF-8). */
export async function runGit(args: readonly string[], options: GitOptions = {}): Promise<string> {
  return (await runGitBuffer(args, options)).toString('utf8');
}

/** Runs git and returns its standard output as bytes (for -z output and non-UTF-8 content). */
export function runGitBuffer(args: readonly string[], options: GitOptions = {}): Promise<Buffer> {
  const argv = [...SAFE_CONFIG.flatMap((setting) => ['-c', setting]), ...args];
  const cwd = options.cwd ?? options.workTree ?? options.gitDir ?? '/';
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      argv,
      {
        cwd,
        env: gitEnvironment(options),
        encoding: 'buffer',
        maxBuffer: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (error && !isAnswer(error, options))
          reject(gitFailure(args, error, stderr.toString('utf8'), cwd, options));
        else resolve(stdout);
      },
    );
    // Git may exit before reading its input; the broken pipe is then not an error of ours.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  });
}

function isAnswer(error: ExecFileException, options: GitOptions): boolean {
  return (
    typeof error.code === 'number' && !error.killed && !!options.answerCodes?.includes(error.code)
  );
}

/** The environment of every git call, from scratch: nothing of Paddock's own environment leaks in. */
function gitEnvironment(options: GitOptions = {}): Record<string, string> {
  return {
    ...options.env,
    ...(options.gitDir !== undefined && { GIT_DIR: options.gitDir }),
    ...(options.workTree !== undefined && { GIT_WORK_TREE: options.workTree }),
    ...(options.indexFile !== undefined && { GIT_INDEX_FILE: options.indexFile }),
    PATH: process.env.PATH || DEFAULT_PATH,
    HOME: NO_HOME,
    XDG_CONFIG_HOME: NO_HOME,
    // Messages in English: Paddock matches some of them.
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    // An allow-list that names no protocol: it outranks all configuration, so no transport runs.
    GIT_ALLOW_PROTOCOL: '',
    // Replace refs would let a ref stand in for an object's content; Paddock reads objects as they are.
    GIT_NO_REPLACE_OBJECTS: '1',
  };
}

function gitFailure(
  args: readonly string[],
  error: ExecFileException,
  stderr: string,
  cwd: string,
  options: GitOptions,
): GitError {
  const command = `git ${args.join(' ')}`;
  const said = firstLines(stderr);
  const exitCode = typeof error.code === 'number' && !error.killed ? error.code : null;
  return new GitError(
    `${command} ${howItFailed(error, cwd, options)}${said ? `: ${said}` : ''}`,
    args,
    exitCode,
    said,
  );
}

function howItFailed(error: ExecFileException, cwd: string, options: GitOptions): string {
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
    return `printed more than ${options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES} bytes`;
  // Node kills git itself only when the time is up (or the output too long, above).
  if (error.killed) return `did not finish within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`;
  if (typeof error.code === 'number') return `failed (exit code ${error.code})`;
  if (error.signal) return `was killed by ${error.signal}`;
  // Node reports a missing cwd and a missing program alike (spawn git ENOENT): tell them apart.
  if (error.code === 'ENOENT')
    return existsSync(cwd)
      ? 'could not start: git is not on PATH'
      : `could not start: ${cwd} does not exist`;
  return `could not run: ${error.message}`;
}
