/** Disk use and removal of session folders. */
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { messageOf, WorkspaceError } from './errors';
import { CONTROL_CONFIG_MARK, sessionDirOf, type Workspace } from './layout';

/**
 * Bytes on disk under `path` (allocated blocks, each hard-linked file once, symlinks not
 * followed); 0 when it does not exist. Synchronous: `paddock gc` sums folders one after another.
 */
export function workspaceBytes(path: string): number {
  const counted = new Set<string>();
  let total = 0;
  const pending = [path];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    const stats = statsOf(current);
    if (!stats) continue;
    if (stats.nlink > 1 && !stats.isDirectory()) {
      const key = `${stats.dev}:${stats.ino}`;
      if (counted.has(key)) continue;
      counted.add(key);
    }
    total += bytesOnDisk(stats);
    if (stats.isDirectory()) for (const name of namesIn(current)) pending.push(join(current, name));
  }
  return total;
}

/** Removes the session's folder (workspace and control dir); returns the bytes it freed. */
export async function removeWorkspace(workspace: Workspace): Promise<number> {
  const sessionDir = sessionDirOf(workspace);
  if (!existsSync(sessionDir)) return 0;
  requireControlDir(workspace);
  const bytes = workspaceBytes(sessionDir);
  try {
    await rm(sessionDir, { recursive: true, force: true });
  } catch (error) {
    if (!isPermissionError(error)) throw removalError(sessionDir, error);
    // The agent may have left folders without write permission; they are the session's own.
    makeFoldersWritable(sessionDir);
    await rm(sessionDir, { recursive: true, force: true }).catch((again: unknown) => {
      throw removalError(sessionDir, again);
    });
  }
  return bytes;
}

/**
 * A recursive removal needs more than a path of the right shape: the control dir Paddock wrote must
 * be there, so a record pointing at some other `.../work` never deletes that folder's parent.
 */
function requireControlDir(workspace: Workspace): void {
  let config = '';
  try {
    config = readFileSync(join(workspace.controlDir, 'config'), 'utf8');
  } catch {
    // Missing or unreadable: not a folder Paddock made.
  }
  if (!config.includes(CONTROL_CONFIG_MARK))
    throw new WorkspaceError(
      `${dirname(workspace.controlDir)} holds no control dir Paddock made; not removing it.`,
      'invalid',
    );
}

/** st_blocks counts 512-byte units on every POSIX system; where it is missing, the size. */
function bytesOnDisk(stats: Stats): number {
  return stats.blocks > 0 ? stats.blocks * 512 : stats.size;
}

/** Files can vanish or be unreadable while a live session works: a size report skips them. */
function statsOf(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if (isGone(error) || isPermissionError(error)) return null;
    throw error;
  }
}

function namesIn(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch (error) {
    if (isGone(error) || isPermissionError(error)) return [];
    throw error;
  }
}

function makeFoldersWritable(folder: string): void {
  const stats = statsOf(folder);
  if (!stats?.isDirectory()) return;
  chmodSync(folder, 0o700);
  for (const name of namesIn(folder)) makeFoldersWritable(join(folder, name));
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isGone(error: unknown): boolean {
  return errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR';
}

function isPermissionError(error: unknown): boolean {
  return errorCode(error) === 'EACCES' || errorCode(error) === 'EPERM';
}

function removalError(folder: string, error: unknown): WorkspaceError {
  return new WorkspaceError(`Could not remove ${folder}: ${messageOf(error)}`, 'unwritable', {
    cause: error,
  });
}
