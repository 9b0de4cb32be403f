/**
 * The workspace as the sandbox protects it: what later runs outside the fence stays read-only or
 * cannot be made, `.env` files where secrets come from are seen empty, and nothing is bound or
 * written through a link. Host-side preparation and clean-up; the backends turn it into mounts.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmdirSync,
  rmSync,
} from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { SandboxUnavailableError } from './errors';

/** Files tools outside the sandbox trust later: they may not appear or change inside it. */
export const PROTECTED_FILES = [
  '.claude/settings.json',
  '.claude/settings.local.json',
  '.mcp.json',
  '.vscode/settings.json',
  '.vscode/tasks.json',
  '.envrc',
] as const;
/** Git runs what these name, later, outside the sandbox. */
export const GIT_CONTROL = ['.git/config', '.git/hooks'];
/** Directories that hold protected paths: pinned, so they cannot be renamed away and remade. */
export const PINNED = ['.git', '.claude', '.vscode'];
const ENV_FILE = /^\.env(\..+)?$/;
const ENV_EXAMPLE = /\.(example|sample|template|dist)$/;
const ENV_SCAN_LIMIT = 50_000;

export interface PreparedWorkspace {
  /** Protected paths that did not exist: blocked by stand-ins until the last run ends. */
  blocked: string[];
  /** Folders made for them (removed again if still empty). */
  dirs: string[];
  /** Stand-ins git would see, relative to the workspace. */
  stubs: string[];
}

/**
 * The workspace paths the sandbox binds onto themselves are bound from the host's view: a link
 * there (a repository can commit `.claude -> ~/.ssh`; an unsandboxed run can make one) would bind
 * what it points at into the sandbox. No path on the way may be a link: the run does not start.
 */
export function requireNoLinks(workspace: string, paths: readonly string[]): void {
  for (const path of paths) {
    const parts = path.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const part = join(workspace, ...parts.slice(0, depth));
      if (!lstatSync(part, { throwIfNoEntry: false })?.isSymbolicLink()) continue;
      throw new SandboxUnavailableError(
        `${parts.slice(0, depth).join('/')} in the workspace is a symbolic link (to ${readlinkSync(part)}), where the sandbox protects a path: it does not bind through links. Remove the link from the branch (or the repository) and start again.`,
      );
    }
  }
}

/**
 * Makes on the host what the sandbox's rules need in the workspace: `.git/hooks` (so it can be
 * made read-only; Paddock's clones have none), and the folders of protected files that are
 * missing (so they can be pinned). Returns the protected paths that do not exist (to be blocked)
 * and the folders it made, for removal after the session.
 */
export function prepareWorkspace(workspace: string): PreparedWorkspace {
  const dirs: string[] = [];
  const ensureDir = (path: string) => {
    if (existsSync(path)) return;
    mkdirSync(path, { recursive: true });
    dirs.push(path);
  };
  ensureDir(join(workspace, '.git', 'hooks'));
  const missing = PROTECTED_FILES.filter((path) => !existsSync(join(workspace, path)));
  const blocked = missing.map((path) => join(workspace, path));
  for (const path of blocked) if (dirname(path) !== workspace) ensureDir(dirname(path));
  // Stand-ins git would see (files; a directory it never sees): the caller hides them from git.
  const stubs = missing.filter((path) => path.endsWith('.json'));
  // The hooks folder stays: it is part of the clone now, and empty.
  return { blocked, dirs: dirs.slice(1), stubs };
}

/**
 * The `.env` files to mask: where secrets come into a workspace from. Those the project tracks at
 * the base, and those the set-up copied in from the person's checkout (inside a copied folder
 * too). Not a walk of the whole workspace (13 to 40 ms on 10,000 files, on every start): a `.env`
 * the agent or a set-up command wrote in the sandbox holds only what the sandbox could read.
 * Examples are not masked. Links are not followed: a link is never a file here.
 */
export function envFiles(workspace: string, candidates: readonly string[]): string[] {
  const found: string[] = [];
  for (const candidate of new Set(candidates)) {
    const path = join(workspace, candidate);
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (stats?.isDirectory()) found.push(...envFilesUnder(path));
    else if (stats?.isFile() && isEnvFile(basename(path))) found.push(path);
  }
  return found;
}

export function isEnvFile(name: string): boolean {
  return ENV_FILE.test(name) && !ENV_EXAMPLE.test(name);
}

function envFilesUnder(root: string): string[] {
  const found: string[] = [];
  const pending = [root];
  let seen = 0;
  for (let dir = pending.pop(); dir !== undefined && seen < ENV_SCAN_LIMIT; dir = pending.pop()) {
    for (const entry of entriesOf(dir)) {
      seen += 1;
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '.git' && entry.name !== 'node_modules')
        pending.push(path);
      else if (entry.isFile() && isEnvFile(entry.name)) found.push(path);
    }
  }
  return found;
}

function entriesOf(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** The mount points bwrap left: an empty directory, or a file as empty as the `{}` it held. */
export function removeStandIns(paths: readonly string[]): void {
  for (const path of paths) {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (stats?.isDirectory()) removeEmptyDirs([path]);
    else if (stats?.isFile() && stats.size === 0) rmSync(path, { force: true });
  }
}

export function removeEmptyDirs(paths: readonly string[]): void {
  // Deepest first, so a folder emptied by removing its child goes too.
  for (const path of [...paths].sort((a, b) => b.split(sep).length - a.split(sep).length)) {
    try {
      rmdirSync(path);
    } catch {
      // Not empty (the agent put something there) or gone: leave it.
    }
  }
}
