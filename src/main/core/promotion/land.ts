/**
 * Landing a change on the project's branch, with argv git and nothing else:
 *
 *   1. commit-tree in the control dir: the landing tree on the target (squash: one parent; merge:
 *      the target and Paddock's snapshot of the session's work);
 *   2. the new objects are packed there and indexed into the project's object store;
 *   3. the person's checkout, when it has the target out, is fast-forwarded (read-tree -m -u: it
 *      refuses rather than overwrite a change), and only if it is clean;
 *   4. the branch moves with a compare-and-swap on the commit the gates were bound to: if anything
 *      moved it in between, nothing lands (and the checkout is put back).
 */
import { runGit, runGitBuffer } from '../git';
import { personEnv, type GitPerson, type Workspace } from '../workspaces';
import type { GateBinding, PromotionMode } from '../../../shared/gates';
import { PromotionError } from './errors';
import { checkedOutBranch } from './landing';

export interface LandRequest {
  workspace: Workspace;
  projectPath: string;
  binding: GateBinding;
  mode: PromotionMode;
  message: string;
  person: GitPerson;
}

export interface Landed {
  before: string;
  after: string;
  checkoutUpdated: boolean;
}

export async function landChange(request: LandRequest): Promise<Landed> {
  const { binding, projectPath } = request;
  const before = binding.targetCommit;
  const checkout = await checkoutToUpdate(projectPath, binding.targetBranch);
  const after = await landingCommit(request);
  await copyObjects(request.workspace, projectPath, after, before);
  if (checkout) await fastForward(projectPath, before, after);
  try {
    await runGit(
      [
        'update-ref',
        '-m',
        `paddock: promote ${request.workspace.branch}`,
        `refs/heads/${binding.targetBranch}`,
        after,
        before,
      ],
      { cwd: projectPath },
    );
  } catch (error) {
    if (checkout) await fastForward(projectPath, after, before).catch(() => undefined);
    throw new PromotionError(
      `${binding.targetBranch} moved while the change was landing (it is no longer ${before.slice(0, 12)}); nothing landed. Run the gates again.`,
      'moved',
      { cause: error },
    );
  }
  return { before, after, checkoutUpdated: checkout };
}

async function landingCommit(request: LandRequest): Promise<string> {
  const { binding } = request;
  const parents =
    request.mode === 'squash'
      ? ['-p', binding.targetCommit]
      : ['-p', binding.targetCommit, '-p', binding.headCommit];
  const output = await runGit(['commit-tree', binding.landingTree, ...parents, '-F', '-'], {
    gitDir: request.workspace.controlDir,
    input: request.message,
    env: personEnv(request.person),
  });
  return output.trim();
}

/** Everything the new commit needs that the target's history lacks, into the project's store. */
export async function copyObjects(
  workspace: Workspace,
  projectPath: string,
  commit: string,
  target: string,
): Promise<void> {
  const pack = await runGitBuffer(['pack-objects', '--revs', '--stdout', '--quiet'], {
    gitDir: workspace.controlDir,
    input: `${commit}\n--not\n${target}\n`,
  });
  await runGit(['index-pack', '--stdin'], { cwd: projectPath, input: pack });
}

/**
 * Whether the person's checkout has the target branch out (then it moves with the branch). It
 * must be clean: promotion never touches a person's uncommitted work. Another worktree with the
 * branch out is refused too, since it would be left behind its branch.
 */
async function checkoutToUpdate(projectPath: string, branch: string): Promise<boolean> {
  const elsewhere = await otherWorktreeWith(projectPath, branch);
  if (elsewhere)
    throw new PromotionError(
      `${branch} is checked out in another worktree (${elsewhere}); promotion would leave it behind its branch. Switch that worktree to another branch, or land on another target.`,
      'other-worktree',
    );
  if ((await checkedOutBranch(projectPath)) !== branch) return false;
  const changed = await runGit(['status', '--porcelain=v1', '-z', '--untracked-files=no'], {
    cwd: projectPath,
  });
  if (changed.length > 0) {
    const paths = changed
      .split('\0')
      .filter(Boolean)
      .map((entry) => entry.slice(3));
    throw new PromotionError(
      `${branch} is checked out in ${projectPath} with uncommitted changes (${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''}); Paddock does not touch them. Commit or stash them, then promote again.`,
      'dirty-checkout',
    );
  }
  return true;
}

async function otherWorktreeWith(projectPath: string, branch: string): Promise<string | null> {
  const listing = await runGit(['worktree', 'list', '--porcelain', '-z'], { cwd: projectPath });
  const [, ...others] = listing.split('\0\0').filter(Boolean);
  for (const entry of others) {
    const fields = entry.split('\0');
    if (fields.includes(`branch refs/heads/${branch}`))
      return fields.find((field) => field.startsWith('worktree '))?.slice(9) ?? '?';
  }
  return null;
}

/** Moves the checkout's index and files from `from` to `to`, refusing to overwrite any change. */
async function fastForward(projectPath: string, from: string, to: string): Promise<void> {
  await runGit(['read-tree', '-m', '-u', from, to], { cwd: projectPath }).catch(
    (error: unknown) => {
      throw new PromotionError(
        `Cannot update the checkout in ${projectPath}: ${error instanceof Error ? error.message : String(error)}. Nothing landed.`,
        'dirty-checkout',
        { cause: error },
      );
    },
  );
}
