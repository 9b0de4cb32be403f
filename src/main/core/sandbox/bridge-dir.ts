/**
 * Where a session's bridge sockets live: a short private path, because a Unix socket's path may
 * hold only about 100 bytes and Paddock's home can be anywhere (a CI checkout, a long user name,
 * macOS's Application Support). `$XDG_RUNTIME_DIR/paddock/<session>` where there is one (a
 * per-user 0700 directory), else `<tmp>/paddock-<uid>/<session>`, like tmux's sockets.
 *
 * A shared temporary directory can hold a trap laid by another user: the base is made 0700 and
 * used only if it is a real directory (no link), owned by this user, open to no one else.
 */
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { SandboxUnavailableError } from './errors';

/** Leaves room for `/<session id>/hooks.sock` within a Unix socket path. */
const MAX_BASE_LENGTH = 70;

/** The session's bridge directory, made private (0700) if it does not exist yet. */
export function bridgeDir(sessionId: string): string {
  if (!/^ses_[0-9a-f]{8}$/.test(sessionId))
    throw new SandboxUnavailableError(`"${sessionId}" is not a session id.`);
  const dir = join(bridgeBase(), sessionId);
  makePrivateDir(dir);
  return dir;
}

/** Removes the session's bridge directory (its sockets and CA files) after its last run. */
export function removeBridgeDir(sessionId: string): void {
  rmSync(join(bridgeBase(), sessionId), { recursive: true, force: true });
}

function bridgeBase(): string {
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime) && runtime.length < MAX_BASE_LENGTH && isDir(runtime)) {
    const base = join(runtime, 'paddock');
    makePrivateDir(base);
    return base;
  }
  const base = join(tmpdir(), `paddock-${process.getuid?.() ?? 'user'}`);
  if (base.length >= MAX_BASE_LENGTH)
    throw new SandboxUnavailableError(
      `The temporary directory ${tmpdir()} is too long a path for the session's sockets. Set TMPDIR to a short one (/tmp).`,
    );
  makePrivateDir(base);
  return base;
}

function makePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = lstatSync(dir);
  const owner = process.getuid?.();
  if (
    !stat.isDirectory() ||
    (owner !== undefined && stat.uid !== owner) ||
    (stat.mode & 0o077) !== 0
  )
    throw new SandboxUnavailableError(
      `${dir} is not Paddock's own private directory (a link, another owner, or open to others). Remove it, then start the session again.`,
    );
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
