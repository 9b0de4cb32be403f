/**
 * A checkout of what would land, beside the session's workspace (`<session>/landing`): where the
 * gates' commands run when the target branch moved and the change was merged onto it first. It
 * borrows the control dir's objects (Paddock's snapshot and merge, and through it the project's),
 * and is thrown away and made again for each gate run.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from '../git';
import { messageOf, WorkspaceError } from './errors';
import { sessionDirOf, type Workspace } from './layout';

const LANDING = 'landing';
const LANDING_BRANCH = 'paddock/landing';

export async function checkOutLanding(workspace: Workspace, commit: string): Promise<string> {
  const dir = join(sessionDirOf(workspace), LANDING);
  await removeLanding(workspace);
  try {
    const format = commit.length === 64 ? 'sha256' : 'sha1';
    await runGit(['init', '--quiet', '--template=', `--object-format=${format}`, dir]);
    const gitDir = join(dir, '.git');
    await writeFile(
      join(gitDir, 'objects', 'info', 'alternates'),
      `${join(workspace.controlDir, 'objects')}\n`,
    );
    await runGit(['checkout', '--quiet', '--force', '-b', LANDING_BRANCH, commit], {
      gitDir,
      workTree: dir,
    });
    return dir;
  } catch (error) {
    await removeLanding(workspace);
    throw new WorkspaceError(
      `Cannot check out the landing ${commit} beside ${workspace.path}: ${messageOf(error)}`,
      'git-failed',
      { cause: error },
    );
  }
}

export async function removeLanding(workspace: Workspace): Promise<void> {
  await rm(join(sessionDirOf(workspace), LANDING), { recursive: true, force: true });
}
