/**
 * A real pseudo-terminal: a program prints a fake AWS key in two writes, 150 ms apart; the
 * recorder must store it redacted, say so, and leave no trace of the key in the database file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node-pty';
import { describe, expect, it } from 'vitest';
import { recorded, recorderFor, sessionEvents } from './test-helpers';

const KEY = 'AKIAZ7QX3M4N5P6R2T8W';
const SESSION = 'pty-1';

const PROGRAM = `
process.stdout.write('deploying with \\x1b[33m${KEY.slice(0, 9)}');
setTimeout(() => process.stdout.write('${KEY.slice(9)}\\x1b[0m\\nall done\\n'), 150);
`;

function runInPty(onData: (data: Buffer) => void): Promise<number> {
  return new Promise((resolve) => {
    const pty = spawn(process.execPath, ['-e', PROGRAM], {
      name: 'xterm-256color',
      cols: 100,
      rows: 30,
      encoding: null,
      env: { PATH: process.env.PATH ?? '' },
    });
    // With `encoding: null` node-pty hands over Buffers; its typings only know strings.
    pty.onData((data: string | Buffer) => onData(data as Buffer));
    pty.onExit(({ exitCode }) => resolve(exitCode));
  });
}

/** The database files (the log and the blob file) and their write-ahead logs, as bytes. */
function databaseBytes(paths: readonly string[]): Buffer {
  const files = paths.flatMap((path) => [path, `${path}-wal`]).filter(existsSync);
  return Buffer.concat(files.map((file) => readFileSync(file)));
}

describe('TerminalRecorder in a real pseudo-terminal', () => {
  it('stores a key split across two writes redacted, and the database never sees it', async () => {
    const { store, recorder } = recorderFor({ sessionId: SESSION, cols: 100, rows: 30 });
    const reads: Buffer[] = [];
    const exitCode = await runInPty((data) => {
      reads.push(data);
      recorder.output(data);
    });
    expect(exitCode).toBe(0);
    // The key really arrived in two reads.
    expect(reads.some((read) => read.includes(KEY))).toBe(false);
    expect(Buffer.concat(reads).includes(KEY)).toBe(true);
    await recorder.close();

    expect(recorded(store, SESSION).toString()).toBe(
      'deploying with \x1b[33m[REDACTED-aws]\x1b[0m\r\nall done\r\n',
    );
    const redactions = sessionEvents(store, SESSION).filter((e) => e.kind === 'redaction.applied');
    expect(redactions.map((e) => e.payload)).toEqual([
      expect.objectContaining({ stream: 'output', ruleId: 'aws', offset: 20, length: 20 }),
    ]);

    const file = [store.paths.database, store.paths.blobFile];
    for (const trace of [KEY, KEY.slice(0, 9), KEY.slice(9)])
      expect(databaseBytes(file).includes(trace), trace).toBe(false);
    store.close();
    for (const trace of [KEY, KEY.slice(0, 9), KEY.slice(9)])
      expect(databaseBytes(file).includes(trace), trace).toBe(false);
  });
});
