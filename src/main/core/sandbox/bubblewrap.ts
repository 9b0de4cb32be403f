/**
 * The Linux sandbox: bubblewrap arguments that contain one session's process tree.
 *
 * The shape: the root is read-only; the places that hold what an agent must never see are
 * replaced by empty in-memory directories (the person's home, Paddock's home, /run and the other
 * socket directories, /tmp); then only what the session needs is bound back in: its workspace
 * (writable, with the clone's `.git/config` and `.git/hooks` read-only, since git runs what they
 * name later), its private home and temp dir (writable), and the project's object store
 * (read-only, the workspace borrows from it). Own user, PID, IPC, UTS and network namespaces (no
 * network at all: the proxy issue bridges one in), its own /proc, a new terminal session (no
 * TIOCSTI into the person's terminal), killed with Paddock, and only the launcher's environment.
 *
 * Start bwrap itself with the launcher's environment only (as node-pty does with the spawn plan's
 * env): its own reaper process keeps the environment it was started with.
 *
 * Groundwork for the containment issue (#8): not yet wired into sessions.
 */
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';

export interface SandboxMounts {
  /** The session's clone: writable. */
  workspace: string;
  /** The session's private HOME and temp dir: writable. */
  sessionHome: string;
  tmpDir: string;
  /** Read-only paths the session needs (the project's object store, Paddock's own install). */
  readOnly: readonly string[];
  /** Directories to hide completely: the person's home, Paddock's home, ... */
  hidden: readonly string[];
  env: Readonly<Record<string, string>>;
}

/** Socket and runtime directories of the host: D-Bus (and the keyring), docker, the ssh agent. */
const HOST_RUNTIME = ['/run', '/var/run', '/var/lib/docker', '/tmp'];

/** Only the outermost of nested directories: hiding a parent hides what is inside it. */
function outermost(dirs: readonly string[]): string[] {
  const inside = (dir: string, parent: string) => dir !== parent && dir.startsWith(`${parent}/`);
  return [...new Set(dirs)].filter((dir) => !dirs.some((other) => inside(dir, other)));
}

/** A directory that is not a symbolic link (/var/run is one to /run: hiding /run hides both). */
function isRealDir(path: string): boolean {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  return stats !== undefined && stats.isDirectory();
}

export function bubblewrapArgs(mounts: SandboxMounts): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  const hidden = outermost([...HOST_RUNTIME, ...mounts.hidden].filter(isRealDir));
  for (const dir of hidden) args.push('--tmpfs', dir);
  for (const dir of mounts.readOnly) args.push('--ro-bind', dir, dir);
  for (const dir of [mounts.workspace, mounts.sessionHome, mounts.tmpDir])
    args.push('--bind', dir, dir);
  // What git in the workspace would later run: read-only, even though the workspace is writable.
  for (const part of ['config', 'hooks']) {
    const path = join(mounts.workspace, '.git', part);
    if (existsSync(path)) args.push('--ro-bind', path, path);
  }
  // Hidden stays hidden and read-only: nothing written there could be mistaken for the real
  // files. (Mounts bound inside, like the workspace, keep their own flags.)
  for (const dir of hidden) args.push('--remount-ro', dir);
  args.push(
    '--unshare-all',
    '--new-session',
    '--die-with-parent',
    '--clearenv',
    ...Object.entries(mounts.env).flatMap(([name, value]) => ['--setenv', name, value]),
    '--setenv',
    'TMPDIR',
    mounts.tmpDir,
    '--chdir',
    mounts.workspace,
    '--',
  );
  return args;
}
