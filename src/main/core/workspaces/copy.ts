/**
 * Files the project's policy names for copying into a new workspace (a gitignored `.env`, local
 * fixtures): the clone holds only what git tracks, and these come from the person's checkout.
 *
 * Hostile by default: the names come from a policy file, and the checkout may hold links. A name
 * must stay inside the project after resolving `.` and `..`; a symbolic link is never copied and
 * never followed (it could point at `~/.ssh`), whether it is the named path, one of the folders on
 * its way, or something inside a named folder. Anything else that is not a plain file or folder
 * (a socket, a device) is refused too. A name that is not there is reported, not an error: an
 * optional `.env` is common.
 */
import { copyFileSync, lstatSync, mkdirSync, readdirSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { WorkspaceError } from './errors';

export interface CopyReport {
  /** Files copied, project-relative, with their sizes. */
  copied: Array<{ path: string; bytes: number }>;
  /** Names the checkout does not have. */
  missing: string[];
}

/** Copies each named file or folder from `projectPath` to the same place under `workspacePath`. */
export function copyIntoWorkspace(
  projectPath: string,
  workspacePath: string,
  names: readonly string[],
): CopyReport {
  const report: CopyReport = { copied: [], missing: [] };
  for (const name of names) {
    const path = projectRelative(name);
    const stats = statInside(projectPath, path);
    if (!stats) report.missing.push(path);
    else copyEntry(projectPath, workspacePath, path, stats, report);
  }
  return report;
}

/** The name as a clean project-relative path, or an error if it leaves the project. */
function projectRelative(name: string): string {
  const path = normalize(name).replace(/[\\/]+$/, '');
  if (!name || isAbsolute(name) || path === '.' || path === '..' || path.startsWith(`..${sep}`))
    throw refused(name, 'it must be a path inside the project, like .env or config/local.json');
  if (path === '.git' || path.startsWith(`.git${sep}`))
    throw refused(name, "the project's .git is never copied into a workspace");
  return path;
}

/** lstat of the path, refusing links on the way to it; null when something on the way is missing. */
function statInside(root: string, path: string): Stats | null {
  let at = root;
  const parts = path.split(sep);
  for (const [index, part] of parts.entries()) {
    at = join(at, part);
    const stats = lstatSync(at, { throwIfNoEntry: false });
    if (!stats) return null;
    if (stats.isSymbolicLink())
      throw refused(path, `${relative(root, at)} is a symbolic link, and links are never followed`);
    if (index < parts.length - 1 && !stats.isDirectory()) return null;
    if (index === parts.length - 1) return stats;
  }
  return null;
}

function copyEntry(
  projectPath: string,
  workspacePath: string,
  path: string,
  stats: Stats,
  report: CopyReport,
): void {
  const target = join(workspacePath, path);
  // The workspace is the agent's (and a clone of a repository that can commit links): a link
  // there would send the person's file elsewhere.
  requireNoLinkIn(workspacePath, path);
  if (stats.isFile()) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(projectPath, path), target);
    report.copied.push({ path, bytes: stats.size });
  } else if (stats.isDirectory()) {
    mkdirSync(target, { recursive: true });
    for (const entry of readdirSync(join(projectPath, path))) {
      const child = join(path, entry);
      const childStats = lstatSync(join(projectPath, child));
      if (childStats.isSymbolicLink())
        throw refused(child, 'it is a symbolic link, and links are never followed');
      copyEntry(projectPath, workspacePath, child, childStats, report);
    }
  } else throw refused(path, 'it is neither a file nor a folder');
}

function requireNoLinkIn(workspacePath: string, path: string): void {
  let at = workspacePath;
  for (const part of path.split(sep)) {
    at = join(at, part);
    if (lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink())
      throw refused(path, `${relative(workspacePath, at)} in the workspace is a symbolic link`);
  }
}

function refused(name: string, why: string): WorkspaceError {
  return new WorkspaceError(
    `The policy names ${JSON.stringify(name)} to copy, but ${why}.`,
    'invalid',
  );
}
