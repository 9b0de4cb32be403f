/**
 * One writer per data directory: two processes appending to one chain would fork it. The lock is a
 * file created with O_EXCL holding the owner's pid; a lock whose process is gone is stale and taken
 * over, so a crash (or kill -9) never leaves Paddock locked out.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { StoreError } from './errors';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface WriterLock {
  release(): void;
}

export function acquireWriterLock(
  file: string,
  command = process.argv.slice(1).join(' '),
): WriterLock {
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, owner)) return { release: () => releaseIfOurs(file) };
    const holder = readOwner(file);
    if (holder && isAlive(holder)) {
      throw new StoreError(
        `Another Paddock process (pid ${holder.pid}, \`${holder.command}\`, since ${holder.startedAt}) is writing to this audit store. ` +
          `Use that one, or stop it first. Lock file: ${file}`,
        'locked',
        file,
      );
    }
    removeStale(file);
  }
  throw new StoreError(
    `Could not take the writer lock ${file}; another process keeps taking it.`,
    'locked',
    file,
  );
}

function tryCreate(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

export function readOwner(file: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' ? (parsed as LockOwner) : null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot tell: a lock from another machine is respected
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeStale(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function releaseIfOurs(file: string): void {
  if (readOwner(file)?.pid === process.pid) removeStale(file);
}
