/**
 * A session's changes against its base, read from the workspace as data.
 *
 * The agent owns the workspace's `.git`: its config can name programs (fsmonitor, filter and diff
 * drivers), its hooks are programs, its objects can be forged. So the diff never uses it. It runs in
 * the control dir (GIT_DIR, Paddock's config, the project's objects) with the workspace as work tree
 * and a scratch index and object directory of its own:
 *
 *   read-tree <base>   the base into the scratch index (objects from the project)
 *   add --all          the work tree on top: committed and uncommitted changes alike, untracked
 *                      files unless the work tree's .gitignore files exclude them
 *   diff --cached      base against that index: file list, line counts and patch in one call
 *
 * The diff is what a commit of the work tree's files would hold, whatever the agent committed.
 * The agent's commits are not read at all (see the note on objects in create.ts).
 */
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SessionDiff } from '../../../shared/sessions';
import { runGit, runGitBuffer, type GitOptions } from '../git';
import { messageOf, WorkspaceError } from './errors';
import { sessionDirOf, type Workspace } from './layout';
import { parseDiffOutput } from './diff-output';

const DIFF_ARGS = [
  'diff',
  '--cached',
  '--find-renames',
  '--raw',
  '--numstat',
  '--patch',
  '-z',
  // Belt and braces: the control config defines no external diff or textconv driver anyway.
  '--no-ext-diff',
  '--no-textconv',
  '--no-color',
  '--src-prefix=a/',
  '--dst-prefix=b/',
];

/**
 * What changes from commit `from` to tree `to`, both objects Paddock wrote or the project holds
 * (a landing: the target branch's commit against the tree that would land). Read in the control
 * dir, so it sees Paddock's snapshots and merges; `baseCommit` is `from`.
 */
export async function treeDiff(
  workspace: Workspace,
  from: string,
  to: string,
): Promise<SessionDiff> {
  sessionDirOf(workspace);
  const args = DIFF_ARGS.filter((arg) => arg !== '--cached');
  try {
    const output = await runGitBuffer([...args, from, to, '--'], { gitDir: workspace.controlDir });
    return { baseCommit: from, ...parseDiffOutput(output) };
  } catch (error) {
    throw new WorkspaceError(
      `Cannot read the changes from ${from} to ${to}: ${messageOf(error)}`,
      'git-failed',
      { cause: error },
    );
  }
}

export async function workspaceDiff(workspace: Workspace): Promise<SessionDiff> {
  sessionDirOf(workspace);
  // A scratch folder per call: concurrent diffs do not share an index, and the blobs `add` writes
  // are gone afterwards instead of piling up in the control dir.
  const scratch = await mkdtemp(join(workspace.controlDir, 'diff-'));
  try {
    const options = await scratchOptions(workspace, scratch);
    await runGit(['read-tree', workspace.baseCommit], options);
    await runGit(['add', '--all'], options);
    const output = await runGitBuffer([...DIFF_ARGS, workspace.baseCommit, '--'], options);
    return { baseCommit: workspace.baseCommit, ...parseDiffOutput(output) };
  } catch (error) {
    throw new WorkspaceError(
      `Cannot read the changes in ${workspace.path}: ${messageOf(error)}`,
      'git-failed',
      { cause: error },
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Keeps these work-tree paths out of git's sight: out of the session's diff (the control dir's
 * exclude file) and out of the agent's own `git add -A` (the workspace's). They are the sandbox's
 * stand-ins for files the agent may not create: they exist only while it runs, and say `{}`.
 */
export function hideFromGit(workspace: Workspace, paths: readonly string[]): void {
  sessionDirOf(workspace);
  for (const gitDir of [workspace.controlDir, join(workspace.path, '.git')])
    appendExcludes(
      join(gitDir, 'info'),
      paths.map((path) => `/${path}`),
    );
}

/**
 * The agent can write in the workspace's `.git`: a link there must not make Paddock write
 * elsewhere (`info` a link to a folder, `exclude` a link to the person's ~/.bashrc). No link is
 * followed: the folder is checked, the file opened with O_NOFOLLOW.
 */
function appendExcludes(info: string, lines: readonly string[]): void {
  for (const dir of [dirname(info), info]) {
    if (lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink())
      throw new WorkspaceError(
        `${dir} is a symbolic link: Paddock does not write through it.`,
        'git-failed',
      );
  }
  mkdirSync(info, { recursive: true });
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW;
  const fd = openSync(join(info, 'exclude'), flags, 0o644);
  try {
    const present = readFileSync(fd, 'utf8').split('\n');
    const missing = lines.filter((line) => !present.includes(line));
    if (missing.length) writeSync(fd, `${missing.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
}

async function scratchOptions(workspace: Workspace, scratch: string): Promise<GitOptions> {
  const objects = join(scratch, 'objects');
  await mkdir(objects);
  return {
    gitDir: workspace.controlDir,
    workTree: workspace.path,
    indexFile: join(scratch, 'index'),
    env: {
      GIT_OBJECT_DIRECTORY: objects,
      // The control dir's object store, and through its alternates the project's.
      GIT_ALTERNATE_OBJECT_DIRECTORIES: join(workspace.controlDir, 'objects'),
    },
  };
}
