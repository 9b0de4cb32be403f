/**
 * What would land: the session's snapshot on the target branch as it is now. When the target has
 * not moved since the session's base, that is the snapshot's own tree; when it has, the snapshot
 * is merged onto it (`git merge-tree --write-tree`: no work tree, no index, objects written into
 * the control dir) and the gates must check that merge, not the session's tree.
 */
import { createHash } from 'node:crypto';
import { GitError, runGit, runGitBuffer, type GitOptions } from '../git';
import { personEnv, type GitPerson, type Workspace } from '../workspaces';
import type { GateBinding } from '../../../shared/gates';
import { PromotionError } from './errors';

export interface Target {
  branch: string;
  commit: string;
}

export interface Landing {
  binding: GateBinding;
  /** The target moved: `commit` is a merge of target and head, to check out for the gates. */
  merged: boolean;
  /** A commit whose tree is the landing tree: the head itself, or the merge. */
  commit: string;
}

const BRANCH_REF = /^refs\/heads\/(.+)$/;

/**
 * The branch the change lands on (the project's checked-out branch unless named) and its head,
 * in one git call: this runs for every gate run and every look at the review.
 */
export async function resolveTarget(projectPath: string, branch?: string): Promise<Target> {
  const args = branch
    ? ['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/heads/${branch}^{commit}`]
    : ['rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD'];
  const output = await runGit(args, { cwd: projectPath }).catch(() => '');
  const [commit = '', ref = ''] = output.trim().split('\n');
  const name = branch ?? BRANCH_REF.exec(ref)?.[1];
  if (!name)
    throw new PromotionError(
      `${projectPath} has no branch checked out (a detached HEAD, or no commit yet): name the branch to land on (--target).`,
      'no-target',
    );
  if (!commit)
    throw new PromotionError(`${projectPath} has no branch ${name} to land on.`, 'no-target');
  return { branch: name, commit };
}

/** The branch the project's main checkout has out, or null (detached, or a bare repository). */
export async function checkedOutBranch(projectPath: string): Promise<string | null> {
  const ref = await runGit(['symbolic-ref', '-q', 'HEAD'], { cwd: projectPath }).catch(() => '');
  return BRANCH_REF.exec(ref.trim())?.[1] ?? null;
}

export async function planLanding(
  workspace: Workspace,
  head: { commit: string; tree: string },
  target: Target,
  person: GitPerson,
): Promise<Landing> {
  const git = { gitDir: workspace.controlDir };
  const merged = target.commit !== workspace.baseCommit;
  let tree = head.tree;
  let commit = head.commit;
  if (merged) {
    tree = await mergeTree(workspace, target, head.commit);
    commit = (
      await runGit(['commit-tree', tree, '-p', target.commit, '-p', head.commit, '-F', '-'], {
        ...git,
        input: `Paddock: ${workspace.branch} merged onto ${target.branch} for its gates\n`,
        env: personEnv(person),
      })
    ).trim();
  }
  const diffHash = await diffHashOf({ gitDir: workspace.controlDir }, target.commit, tree);
  return {
    binding: {
      targetBranch: target.branch,
      targetCommit: target.commit,
      headCommit: head.commit,
      landingTree: tree,
      diffHash,
    },
    merged,
    commit,
  };
}

async function mergeTree(workspace: Workspace, target: Target, head: string): Promise<string> {
  const output = await runGit(
    ['merge-tree', '--write-tree', '-z', '--name-only', '--no-messages', target.commit, head],
    { gitDir: workspace.controlDir, answerCodes: [1] },
  ).catch((error: unknown) => {
    throw new PromotionError(
      `Cannot merge the session onto ${target.branch}: ${error instanceof GitError ? error.message : String(error)}`,
      'git-failed',
      { cause: error },
    );
  });
  const [tree = '', ...conflicted] = output.split('\0').filter(Boolean);
  if (conflicted.length > 0)
    throw new PromotionError(
      `${target.branch} moved since the session began, and its changes conflict with the session's in ${[...new Set(conflicted)].join(', ')}. Send the session back to merge ${target.branch} (${target.commit.slice(0, 12)}), or resolve it by hand.`,
      'conflict',
    );
  return tree;
}

/**
 * SHA-256 of the landing diff's raw form: every changed path with its old and new mode and blob
 * id. Blob ids name content exactly, so equal hashes mean the same change, byte for byte. `where`
 * is the control dir of a session, or any repository holding both (a clone, to check a landed
 * commit's sign-offs).
 */
export async function diffHashOf(where: GitOptions, from: string, tree: string): Promise<string> {
  const raw = await runGitBuffer(
    ['diff-tree', '-r', '-z', '--raw', '--full-index', '--no-renames', from, tree],
    where,
  );
  return createHash('sha256').update(raw).digest('hex');
}
