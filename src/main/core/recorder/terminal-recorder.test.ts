import { describe, expect, it, vi } from 'vitest';
import { fakeSecrets } from './fixtures/fake-secrets';
import { HIGH_WATER_BYTES } from './terminal-recorder';
import {
  recorded,
  recorderFor as recorderOn,
  sessionEvents,
  type RecorderSetup,
} from './test-helpers';

const SESSION = 'session-1';
const AWS_KEY = 'AKIAZ7QX3M4N5P6R2T8W';

const recorderFor = (setup: RecorderSetup = {}) =>
  recorderOn({ knownValues: ['typed-vault-secret'], ...setup });

describe('TerminalRecorder', () => {
  it('stores the redacted output in chunks, with the timing of every run of bytes', async () => {
    const { store, clock, recorder } = recorderFor();
    clock.to(0);
    recorder.output('$ env\r\n');
    clock.to(120);
    recorder.output(`AWS_ACCESS_KEY_ID=${AWS_KEY.slice(0, 7)}`);
    clock.to(300);
    recorder.output(Buffer.from(`${AWS_KEY.slice(7)}\r\n$ `));
    await recorder.close();

    const events = sessionEvents(store, SESSION);
    expect(events.map((event) => event.kind)).toEqual([
      'terminal.started',
      'redaction.applied',
      'terminal.output',
      'terminal.closed',
    ]);
    expect(events.every((event) => event.actor === 'system' && event.actorId === 'recorder')).toBe(
      true,
    );
    const expected = '$ env\r\nAWS_ACCESS_KEY_ID=[REDACTED-aws]\r\n$ ';
    expect(recorded(store, SESSION).toString()).toBe(expected);
    const [started, redaction, chunk, closed] = events;
    expect(started?.payload).toEqual({ version: 1, cols: 120, rows: 40 });
    expect(redaction?.payload).toEqual({
      stream: 'output',
      offset: 25,
      length: 20,
      ruleId: 'aws',
      redactedOffset: 25,
      redactedLength: 14,
    });
    // The placeholder arrives with the secret's last byte.
    expect(chunk?.payload).toEqual({
      offset: 0,
      bytes: expected.length,
      startMs: 0,
      endMs: 300,
      cols: 120,
      rows: 40,
      frames: [
        [0, 7],
        [120, 18],
        [300, 14 + 4],
      ],
    });
    expect(closed?.payload).toMatchObject({
      output: { bytes: 49, recordedBytes: expected.length, redactions: 1 },
      input: { bytes: 0, recordedBytes: 0, redactions: 0 },
    });
    expect(store.verify().ok).toBe(true);
  });

  it('cuts 64 KiB chunks and commits them in few transactions', async () => {
    const { store, recorder } = recorderFor({ hub: { maxPendingBytes: 256 * 1024 } });
    const commits = vi.spyOn(store, 'appendMany');
    const line = Buffer.from('\x1b[32m✓\x1b[0m test passed: renders the approval inbox\r\n');
    const output = Buffer.concat(Array.from({ length: 20_000 }, () => line));
    for (let at = 0; at < output.length; at += 4096)
      recorder.output(output.subarray(at, at + 4096));
    await recorder.close();

    const chunks = sessionEvents(store, SESSION).filter((e) => e.kind === 'terminal.output');
    let offset = 0;
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.payload.offset).toBe(offset);
      if (i < chunks.length - 1) expect(chunk.payload.bytes).toBe(64 * 1024);
      const frames = chunk.payload.frames as [number, number][];
      expect(frames.reduce((sum, [, bytes]) => sum + bytes, 0)).toBe(chunk.payload.bytes);
      offset += chunk.payload.bytes as number;
    }
    expect(chunks).toHaveLength(Math.ceil(output.length / (64 * 1024)));
    expect(recorded(store, SESSION).equals(output)).toBe(true);
    // ~1.2 MB: a commit per 256 KiB queued, not one per chunk.
    expect(commits.mock.calls.length).toBeLessThanOrEqual(
      Math.ceil(output.length / (256 * 1024)) + 1,
    );
  });

  it('writes what it released within 250 ms, without a flush', async () => {
    const { store, recorder } = recorderFor();
    const text = 'building...\r\n'.repeat(200);
    const sentAt = performance.now();
    recorder.output(text);
    expect(recorded(store, SESSION).length).toBe(0);
    await vi.waitUntil(() => recorded(store, SESSION).length > 0, { timeout: 2000, interval: 10 });
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(240);
    // All but the tail the redactor holds back for a secret that may be arriving.
    const written = recorded(store, SESSION).length;
    expect(written).toBeGreaterThan(text.length - 400);
    expect(written).toBeLessThan(text.length);
    await recorder.close();
    expect(recorded(store, SESSION).toString()).toBe(text);
  });

  it('records input, redacted the same way, and resizes in order', async () => {
    const { store, clock, recorder } = recorderFor();
    recorder.output(`${'make: entering directory\r\n'.repeat(20)}password: `);
    clock.to(50);
    for (const key of 'typed-vault-secret\r') recorder.input(key);
    clock.to(80);
    recorder.resize(100, 30);
    recorder.output('ok\r\n');
    await recorder.close();

    expect(recorded(store, SESSION, 'input').toString()).toBe('[REDACTED-known-value]\r');
    const events = sessionEvents(store, SESSION);
    const redaction = events.find((e) => e.kind === 'redaction.applied');
    expect(redaction?.payload).toMatchObject({
      stream: 'input',
      ruleId: 'known-value',
      offset: 0,
      length: 18,
    });
    const resize = events.find((e) => e.kind === 'terminal.resize');
    expect(resize?.payload).toEqual({ cols: 100, rows: 30, ms: 80 });
    // A chunk carries the size in force when its first byte was released; the tail the redactor
    // held back across the resize goes with the next chunk (asciicast orders it by time).
    const sizes = events
      .filter((e) => e.kind === 'terminal.output')
      .map((e) => `${e.payload.cols}x${e.payload.rows}`);
    expect(sizes).toEqual(['120x40', '100x30']);
  });

  it('lets nothing unredacted reach the store', async () => {
    const { store, recorder } = recorderFor();
    const secrets = fakeSecrets(3);
    const output = Buffer.from(secrets.map((s) => `> ${s.line}`).join('\r\n') + '\r\n');
    for (let at = 0, size = 1; at < output.length; at += size, size = (size * 7) % 97 || 1)
      recorder.output(output.subarray(at, at + size));
    await recorder.close();

    const everything = [
      ...sessionEvents(store, SESSION).map((event) => JSON.stringify(event)),
      recorded(store, SESSION).toString(),
    ].join('\n');
    for (const secret of secrets) expect(everything, secret.name).not.toContain(secret.secret);
    const redactions = sessionEvents(store, SESSION).filter((e) => e.kind === 'redaction.applied');
    expect(redactions.length).toBeGreaterThanOrEqual(secrets.length - 1); // two share a span
  });

  it('keeps the events of a failed commit and writes them on the next', async () => {
    const onError = vi.fn();
    const { store, recorder } = recorderFor({ onError });
    const appendMany = store.appendMany.bind(store);
    vi.spyOn(store, 'appendMany')
      .mockImplementationOnce(() => {
        throw new Error('SQLITE_FULL: database or disk is full');
      })
      .mockImplementation(appendMany);
    recorder.output('x'.repeat(2000));
    await expect(recorder.flush()).rejects.toThrow(/SQLITE_FULL/);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: expect.stringMatching(/SQLITE_FULL/) }),
    );
    await recorder.close();
    expect(recorded(store, SESSION).toString()).toBe('x'.repeat(2000));
  });

  it('closes once, and reports data that arrives after', async () => {
    const onError = vi.fn();
    const { store, recorder } = recorderFor({ onError });
    await Promise.all([recorder.close(), recorder.close()]);
    recorder.output('late');
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: expect.stringMatching(/after the recording/) }),
    );
    expect(sessionEvents(store, SESSION).filter((e) => e.kind === 'terminal.closed')).toHaveLength(
      1,
    );
  });

  it('ignores a resize after the end (a window fitting its terminal as the agent exits)', async () => {
    const onError = vi.fn();
    const { store, recorder } = recorderFor({ onError });
    await recorder.close();
    recorder.resize(100, 30);
    expect(onError).not.toHaveBeenCalled();
    expect(sessionEvents(store, SESSION).map((e) => e.kind)).not.toContain('terminal.resize');
  });

  it('asks to stop reading while the thread is behind, and to go on once it has caught up', async () => {
    const onBackpressure = vi.fn();
    const { store, recorder } = recorderFor({ onBackpressure });
    const block = Buffer.alloc(1024 * 1024, 'all work and no play\r\n');
    const blocks = HIGH_WATER_BYTES / block.length + 2;
    for (let i = 0; i < blocks; i++) recorder.output(block);
    expect(onBackpressure.mock.calls).toEqual([[true]]);
    await vi.waitUntil(() => onBackpressure.mock.calls.length === 2, { timeout: 20_000 });
    expect(onBackpressure.mock.calls).toEqual([[true], [false]]);
    await recorder.close();
    expect(recorded(store, SESSION).length).toBe(blocks * block.length);
  });
});
