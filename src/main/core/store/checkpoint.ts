/**
 * The head of the chain, kept outside the database. Someone who can rewrite the database can also
 * cut its last rows and leave a perfectly consistent shorter chain; the checkpoint remembers how
 * long the chain was. (Once identities exist, the checkpoint is signed with the person's key.)
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export interface Checkpoint {
  version: 1;
  seq: number;
  count: number;
  head: string;
  writtenAt: string;
}

export type CheckpointRead =
  | { state: 'absent' }
  | { state: 'invalid'; reason: string }
  | { state: 'ok'; checkpoint: Checkpoint };

export function readCheckpoint(file: string): CheckpointRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    return { state: 'invalid', reason: (error as Error).message };
  }
  try {
    const value = JSON.parse(text) as Partial<Checkpoint>;
    const valid =
      value.version === 1 &&
      Number.isInteger(value.seq) &&
      Number.isInteger(value.count) &&
      typeof value.head === 'string' &&
      /^[0-9a-f]{64}$/.test(value.head) &&
      typeof value.writtenAt === 'string';
    return valid
      ? { state: 'ok', checkpoint: value as Checkpoint }
      : { state: 'invalid', reason: 'fields missing or malformed' };
  } catch (error) {
    return { state: 'invalid', reason: (error as Error).message };
  }
}

/** Written to a temporary file, flushed, then renamed over the old one: never half a checkpoint. */
export function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(checkpoint));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
