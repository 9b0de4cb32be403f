/**
 * Making a session's workspace. It is what `git clone --shared --no-checkout` makes, minus the
 * transport: a fresh repository whose objects/info/alternates borrows the project's object store
 * (nothing copied, the project only read), and one checkout of the base on the session's branch.
 * Building it directly rather than cloning means no `origin` to remove afterwards (the agent gets
 * no remote into the project), no upload-pack run in the project, and no file protocol to allow:
 * Paddock's git keeps every transport off.
 *
 * Git calls: rev-parse in the project, then `init` + `checkout` for the workspace alongside
 * `init --bare` for the control dir.
 */
import { appendFile, copyFile, mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runGit } from '../git';
import { messageOf, WorkspaceError } from './errors';
import {
  branchFor,
  CONTROL_CONFIG_MARK,
  sessionLayout,
  type SessionLayout,
  type Workspace,
} from './layout';
import { inspectProject, type ProjectSnapshot } from './project';

export interface WorkspaceRequest {
  projectPath: string;
  /** Where workspaces live (the setting workspaces.root). */
  root: string;
  projectId: string;
  sessionId: string;
  /** A revision in the project; HEAD when absent. */
  base?: string;
  /** Names the branch: `paddock/<shortId>`. */
  shortId: string;
}

/**
 * Makes `<root>/<projectId>/<sessionId>/{work,control.git}`. On any failure, whatever it made is
 * removed again and a WorkspaceError says what went wrong.
 */
export async function createWorkspace(request: WorkspaceRequest): Promise<Workspace> {
  const layout = sessionLayout(request.root, request.projectId, request.sessionId);
  const branch = branchFor(request.shortId);
  const project = await inspectProject(request.projectPath, request.base);
  const firstMade = await makeSessionDir(layout);
  const workspace = {
    path: layout.work,
    controlDir: layout.control,
    branch,
    baseCommit: project.baseCommit,
  };
  const steps = await Promise.allSettled([
    checkOut(workspace, project),
    makeControlDir(workspace.controlDir, project),
  ]);
  const failed = steps.find((step) => step.status === 'rejected');
  if (!failed) return workspace;
  await unmake(layout, firstMade);
  throw new WorkspaceError(
    `Could not make the workspace of session ${request.sessionId} from ${project.path} (base ${project.baseCommit}): ${messageOf(failed.reason)}`,
    'git-failed',
    { cause: failed.reason },
  );
}

/** Returns the first folder it had to make, so a failure can remove exactly those. */
async function makeSessionDir(layout: SessionLayout): Promise<string | undefined> {
  let firstMade: string | undefined;
  try {
    firstMade = await mkdir(layout.projectDir, { recursive: true, mode: 0o700 });
    await mkdir(layout.sessionDir, { mode: 0o700 });
    return firstMade ?? layout.sessionDir;
  } catch (error) {
    await removeEmptyFolders(layout.projectDir, firstMade);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new WorkspaceError(
        `${layout.sessionDir} exists already: a session folder is never reused.`,
        'exists',
      );
    throw new WorkspaceError(
      `Cannot make the workspace folder ${layout.sessionDir}: ${messageOf(error)}. Choose another workspaces root (setting workspaces.root) or free that folder.`,
      'unwritable',
      { cause: error },
    );
  }
}

async function checkOut(workspace: Workspace, project: ProjectSnapshot): Promise<void> {
  const gitDir = join(workspace.path, '.git');
  // --template= : no sample hooks, nothing but what git needs.
  await runGit([
    'init',
    '--quiet',
    '--template=',
    `--object-format=${project.objectFormat}`,
    `--initial-branch=${workspace.branch}`,
    workspace.path,
  ]);
  await writeFile(join(gitDir, 'objects', 'info', 'alternates'), `${project.objectsDir}\n`);
  await copyShallowBoundary(project, gitDir);
  // --force: without it, a checkout onto the unborn branch reports a missing object and still
  // exits 0 (git 2.39), which would pass a workspace with files missing for a good one.
  await runGit(['checkout', '--quiet', '--force', '-b', workspace.branch, workspace.baseCommit], {
    gitDir,
    workTree: workspace.path,
  });
}

/** A shallow project's history stops at its boundary: the workspace must know where, too. */
async function copyShallowBoundary(project: ProjectSnapshot, gitDir: string): Promise<void> {
  await copyFile(join(project.commonDir, 'shallow'), join(gitDir, 'shallow')).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    },
  );
}

/**
 * Paddock's own git dir for the session. It borrows the project's objects only, never the
 * workspace's: git does not check an object's content against its id when reading it, so an agent
 * could plant an object under the id of the real content and have the diff show something else.
 * The config and attributes are Paddock's, and nothing in them names a program.
 */
async function makeControlDir(controlDir: string, project: ProjectSnapshot): Promise<void> {
  await runGit([
    'init',
    '--quiet',
    '--bare',
    '--template=',
    `--object-format=${project.objectFormat}`,
    controlDir,
  ]);
  await mkdir(join(controlDir, 'info'));
  await Promise.all([
    appendFile(join(controlDir, 'config'), CONTROL_CONFIG),
    writeFile(join(controlDir, 'objects', 'info', 'alternates'), `${project.objectsDir}\n`),
    writeFile(join(controlDir, 'info', 'attributes'), CONTROL_ATTRIBUTES),
  ]);
}

/** The same switches runGit gives on the command line, so plain git here is safe too. */
const CONTROL_CONFIG = `${CONTROL_CONFIG_MARK}
[core]
\tlogAllRefUpdates = false
\tfsmonitor = false
\tuntrackedCache = false
\thooksPath = /dev/null
[gc]
\tauto = 0
`;

/**
 * info/attributes outranks every .gitattributes in the work tree. `!diff` undoes `-diff` and
 * `binary`, which the agent could otherwise set to show a changed file as "Binary files differ".
 * Attributes that change content on the way in (text, eol, working-tree-encoding) stay as the
 * repository says, so the diff holds what a commit of the same files would.
 */
const CONTROL_ATTRIBUTES = '* !diff\n';

async function unmake(layout: SessionLayout, firstMade: string | undefined): Promise<void> {
  await rm(layout.sessionDir, { recursive: true, force: true });
  if (firstMade !== layout.sessionDir) await removeEmptyFolders(layout.projectDir, firstMade);
}

/** rmdir from `folder` up to `upTo`; stops at the first that is not empty (another session's). */
async function removeEmptyFolders(folder: string, upTo: string | undefined): Promise<void> {
  if (upTo === undefined) return;
  for (let current = folder; ; current = dirname(current)) {
    const removed = await rmdir(current).then(
      () => true,
      () => false,
    );
    if (!removed || current === upTo || current === dirname(current)) return;
  }
}
