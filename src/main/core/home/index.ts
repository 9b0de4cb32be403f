/**
 * Where Paddock keeps its data: `PADDOCK_HOME` when set, otherwise the platform's app-data
 * directory. Every other service takes its paths from here, so one variable moves everything
 * (tests, a second profile, the end-to-end host).
 */
import { mkdirSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface HomeLookup {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homeDir?: string;
}

export function resolvePaddockHome(lookup: HomeLookup = {}): string {
  const env = lookup.env ?? process.env;
  const platform = lookup.platform ?? process.platform;
  const home = lookup.homeDir ?? homedir();
  if (env.PADDOCK_HOME) return resolve(env.PADDOCK_HOME);
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Paddock');
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Paddock');
    default:
      return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'paddock');
  }
}

/** The files Paddock keeps in its home. */
export interface PaddockPaths {
  home: string;
  database: string;
  checkpoint: string;
  blobFile: string;
  writerLock: string;
  backups: string;
  run: string;
  endpoint: string;
}

export function paddockPaths(home: string): PaddockPaths {
  return {
    home,
    database: join(home, 'paddock.db'),
    checkpoint: join(home, 'paddock.db.checkpoint'),
    /** Bulk content (terminal recordings) written off the main thread: see core/store/blob-file. */
    blobFile: join(home, 'paddock-blobs.db'),
    writerLock: join(home, 'paddock.lock'),
    backups: join(home, 'backups'),
    run: join(home, 'run'),
    endpoint: join(home, 'run', 'endpoint.json'),
  };
}

/** Creates the directory readable by its owner only (audit data holds commands and output). */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
}
