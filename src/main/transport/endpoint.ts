/**
 * `$PADDOCK_HOME/run/endpoint.json`: how a CLI finds the running host (desktop or `paddock serve`)
 * of the same home. Mode 0600: the token in it is the key to the whole core.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir } from '../core/home';

export interface Endpoint {
  version: 1;
  host: 'desktop' | 'serve';
  pid: number;
  port: number;
  token: string;
  url: string;
  startedAt: string;
}

export function writeEndpoint(file: string, endpoint: Endpoint): void {
  ensurePrivateDir(dirname(file));
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(endpoint, null, 2));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** The endpoint, or null when there is none or it is unreadable (a host that died mid-write). */
export function readEndpoint(file: string): Endpoint | null {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Endpoint>;
    const valid =
      value.version === 1 &&
      Number.isInteger(value.port) &&
      typeof value.token === 'string' &&
      /^[0-9a-f]{64}$/.test(value.token) &&
      Number.isInteger(value.pid);
    return valid ? (value as Endpoint) : null;
  } catch {
    return null;
  }
}

/** Removes the file only if it still describes this process's host. */
export function removeEndpoint(file: string, pid = process.pid): void {
  if (readEndpoint(file)?.pid !== pid) return;
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
