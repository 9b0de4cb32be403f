/**
 * git: the read-only subcommands (status, diff, log, show, blame, branch listing and a few more),
 * without the options that make git write files or run other programs (`--output`, `--ext-diff`,
 * `--textconv`, `-c` config, pagers). Everything else is refused with what it would do: `git push`
 * changes a remote, `git rebase` rewrites history. Subcommand names are matched exactly, and git
 * never lets an alias shadow a built-in command, so `git status` is always git's own.
 */
import { pathProblem } from '../paths';
import type { Word } from '../shell/words';
import { parseOptions, type OptionSpec } from './options';
import { readOnly, refuse, type Handler, type Scope, type Verdict } from './types';

const CONFIG = 'sets git configuration, which can name programs to run';
const OTHER_REPOSITORY = 'points git at another repository';
const PAGER = 'starts a pager';

const GLOBAL_FLAGS = new Set([
  '--no-pager',
  '--no-optional-locks',
  '--literal-pathspecs',
  '--glob-pathspecs',
  '--noglob-pathspecs',
  '--icase-pathspecs',
  '--no-replace-objects',
  '--no-advice',
  '-P',
]);

const GLOBAL_REFUSED: Record<string, string> = {
  '-c': CONFIG,
  '--config-env': CONFIG,
  '--exec-path': 'runs git programs from another directory',
  '--git-dir': OTHER_REPOSITORY,
  '--work-tree': OTHER_REPOSITORY,
  '--namespace': OTHER_REPOSITORY,
  '-p': PAGER,
  '--paginate': PAGER,
  '--help': 'opens the manual in a pager',
};

const DIFF_REFUSED: Record<string, string> = {
  '--output': 'writes a file',
  '--ext-diff': 'runs an external diff program',
  '--textconv': 'runs text conversion programs',
  '--exec': 'runs a program',
  '--open-files-in-pager': PAGER,
  '--no-index': 'compares files outside the repository',
  '-O': 'reads an order file',
};
/** Harmless options that happen to abbreviate a refused one (`--text` and `--textconv`). */
const DIFF_EXACT = ['--text', '--exit-code'];
const diffLike: OptionSpec = { refuse: DIFF_REFUSED };

const SUBCOMMANDS: Record<string, OptionSpec> = {
  status: {},
  diff: diffLike,
  log: diffLike,
  show: diffLike,
  shortlog: diffLike,
  blame: {
    refuse: {
      '--contents': 'reads a file outside the index',
      '-S': 'reads a revisions file',
      '--ignore-revs-file': 'reads a revisions file',
      '--textconv': 'runs text conversion programs',
    },
  },
  'ls-files': {
    refuse: { '-X': 'reads an exclude file', '--exclude-from': 'reads an exclude file' },
  },
  'rev-parse': {},
  describe: {},
  'merge-base': {},
};

const RISKS: Record<string, string> = {
  push: 'git push changes a remote',
  rebase: 'git rebase rewrites history',
  'filter-branch': 'git filter-branch rewrites history',
  'filter-repo': 'git filter-repo rewrites history',
  replace: 'git replace rewrites history',
  reset: 'git reset moves the branch and can discard work',
  commit: 'git commit changes the repository',
  merge: 'git merge changes the repository',
  'cherry-pick': 'git cherry-pick changes the repository',
  revert: 'git revert changes the repository',
  am: 'git am changes the repository',
  checkout: 'git checkout changes the working tree',
  switch: 'git switch changes the working tree',
  restore: 'git restore changes the working tree',
  clean: 'git clean deletes untracked files',
  rm: 'git rm deletes files',
  mv: 'git mv moves files',
  add: 'git add changes the index',
  stash: 'git stash changes the working tree',
  tag: 'git tag changes the repository',
  fetch: 'git fetch reaches the network',
  pull: 'git pull reaches the network and changes the branch',
  clone: 'git clone reaches the network',
  remote: 'git remote can change or reveal remotes',
  config: 'git config changes or reveals configuration',
  gc: 'git gc rewrites the object store',
  worktree: 'git worktree changes worktrees',
  submodule: 'git submodule reaches the network and changes the working tree',
  grep: 'git grep can open files in a pager',
  bisect: 'git bisect changes the working tree',
  apply: 'git apply changes files',
  init: 'git init creates a repository',
};

export const git: Handler = (call, scope) => {
  const args = call.args;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = (args[i] as Word).value;
    if (!arg.startsWith('-')) break;
    if (arg === '--version') return readOnly('git --version');
    if (GLOBAL_FLAGS.has(arg)) continue;
    if (arg === '-C') {
      const dir = args[++i];
      const problem = dir ? pathProblem(dir, 'cd', scope) : 'git -C needs a directory';
      if (problem) return refuse(`git -C: ${problem}`);
      continue;
    }
    const refused = Object.entries(GLOBAL_REFUSED).find(
      ([option]) =>
        arg === option || arg.startsWith(`${option}=`) || (option === '-c' && arg.startsWith('-c')),
    );
    return refuse(
      refused ? `git ${refused[0]} ${refused[1]}` : `git ${arg} is not an option known to be safe`,
    );
  }
  const subcommand = args[i]?.value;
  if (subcommand === undefined) return refuse('git without a subcommand');
  const rest = args.slice(i + 1);
  if (subcommand === 'branch') return branch(rest);
  if (subcommand === 'stash' && (rest[0]?.value === 'list' || rest[0]?.value === 'show'))
    return withOptions(`git stash ${rest[0].value}`, rest.slice(1), diffLike, scope);
  const spec = SUBCOMMANDS[subcommand];
  if (!spec) return refuse(RISKS[subcommand] ?? `git ${subcommand} is not a read-only git command`);
  return withOptions(`git ${subcommand}`, rest, spec, scope);
};

function withOptions(
  label: string,
  args: readonly Word[],
  spec: OptionSpec,
  scope: Scope,
): Verdict {
  // Exact harmless names are set aside before the abbreviation check sees them.
  const checked = args.filter((word) => !DIFF_EXACT.includes(word.value));
  const parsed = parseOptions(checked, spec);
  if ('problem' in parsed) return refuse(`${label} ${parsed.problem}`);
  for (const value of parsed.values) {
    const problem = value.kind === 'path' ? pathProblem(value.word, 'read', scope) : undefined;
    if (problem) return refuse(`${label}: ${problem}`);
  }
  return readOnly(label);
}

const BRANCH_LISTING = new Set([
  '--list',
  '-l',
  '--show-current',
  '-a',
  '--all',
  '-r',
  '--remotes',
  '-v',
  '-vv',
  '--verbose',
  '--no-color',
  '--color',
  '--no-column',
  '--column',
]);
const BRANCH_LISTING_VALUED = [
  '--format=',
  '--sort=',
  '--contains',
  '--no-contains',
  '--merged',
  '--no-merged',
  '--points-at',
  '--color=',
  '--column=',
];

/** `git branch` lists with these; anything else (a name, -d, -m, -u) creates, moves or deletes. */
function branch(args: readonly Word[]): Verdict {
  const listing = args.some((word) => word.value === '--list' || word.value === '-l');
  for (const word of args) {
    const arg = word.value;
    if (BRANCH_LISTING.has(arg) || BRANCH_LISTING_VALUED.some((prefix) => arg.startsWith(prefix)))
      continue;
    if (!arg.startsWith('-') && listing) continue; // a pattern for --list
    return refuse(`git branch ${arg} changes branches`);
  }
  return readOnly('git branch');
}
