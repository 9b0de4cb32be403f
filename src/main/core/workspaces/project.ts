/** What Paddock reads from a project before it makes a workspace: one git call, read-only. */
import { realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { GitError, runGit } from '../git';
import { messageOf, WorkspaceError } from './errors';

export interface ProjectSnapshot {
  /** The project's folder, symlinks resolved. */
  path: string;
  baseCommit: string;
  /** The object store the workspace and the control dir borrow from (read-only). */
  objectsDir: string;
  /** The git dir shared by all the project's worktrees (where `shallow` lives). */
  commonDir: string;
  objectFormat: string;
}

/** The full id of the commit `base` (default HEAD) names in the project. */
export async function resolveBase(projectPath: string, base = 'HEAD'): Promise<string> {
  return (await inspectProject(projectPath, base)).baseCommit;
}

export async function inspectProject(projectPath: string, base = 'HEAD'): Promise<ProjectSnapshot> {
  checkRevision(base);
  const path = await projectFolder(projectPath);
  const output = await runGit(
    [
      'rev-parse',
      '--path-format=absolute',
      '--git-common-dir',
      '--show-object-format',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${base}^{commit}`,
    ],
    // The project is this folder itself, never a repository found further up.
    { cwd: path, env: { GIT_CEILING_DIRECTORIES: dirname(path) } },
  ).catch((error: unknown) => {
    throw projectError(error, path, base);
  });
  const [commonDir = '', objectFormat = '', baseCommit = ''] = output.split('\n');
  return { path, baseCommit, commonDir, objectsDir: join(commonDir, 'objects'), objectFormat };
}

/**
 * The top level of the repository `path` is in (symlinks resolved), or null when it is in none.
 * Unlike inspectProject, this looks upwards, so a caller can say which repository holds a folder.
 */
export async function repositoryRoot(path: string): Promise<string | null> {
  try {
    return (await runGit(['rev-parse', '--show-toplevel'], { cwd: resolve(path) })).trimEnd();
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    if (error.stderr.includes('not a git repository')) return null;
    if (error.stderr.includes('must be run in a work tree'))
      throw new WorkspaceError(
        `${path} is a bare repository or a .git folder: Paddock needs a repository with a working tree.`,
        'not-a-repository',
      );
    throw new WorkspaceError(
      `Cannot read the repository at ${path}: ${error.stderr}`,
      'git-failed',
      {
        cause: error,
      },
    );
  }
}

/** Options and oddities are refused before git sees them: `base` is a revision, nothing else. */
function checkRevision(base: string): void {
  if (base === '' || base.startsWith('-') || /[\0\n]/.test(base))
    throw new WorkspaceError(`${JSON.stringify(base)} is not a revision.`, 'bad-base');
}

async function projectFolder(projectPath: string): Promise<string> {
  const path = resolve(projectPath);
  const found = await stat(path).catch(() => null);
  if (!found) throw new WorkspaceError(`The project folder ${path} does not exist.`, 'not-found');
  if (!found.isDirectory())
    throw new WorkspaceError(`The project path ${path} is not a folder.`, 'not-found');
  return realpath(path);
}

function projectError(error: unknown, path: string, base: string): WorkspaceError {
  if (!(error instanceof GitError))
    return new WorkspaceError(
      `Cannot read the repository at ${path}: ${messageOf(error)}`,
      'git-failed',
    );
  if (error.stderr.includes('not a git repository'))
    return new WorkspaceError(
      `${path} is not a git repository (Paddock needs the repository's own top folder).`,
      'not-a-repository',
    );
  // With --verify --quiet, a revision that names no commit is exit code 1 and nothing said.
  if (error.exitCode === 1)
    return new WorkspaceError(`The base "${base}" names no commit in ${path}.`, 'bad-base');
  return new WorkspaceError(
    `Cannot read the repository at ${path}: ${error.stderr}`,
    'git-failed',
    {
      cause: error,
    },
  );
}
