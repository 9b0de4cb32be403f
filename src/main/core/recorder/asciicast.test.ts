import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { AuditStore, pruneContent } from '../store';
import { exportAsciicast, recordedTail } from './asciicast';
import { redact } from './redactor';
import { openStore, recorderFor, sessionEvents } from './test-helpers';

const SESSION = 'cast-1';

type CastEvent = [number, string, string];

function parse(cast: string) {
  const [header, ...events] = cast
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  return { header, events: events as CastEvent[] };
}

/** Output full of multi-byte characters, written in pieces that split them. */
function utf8Output(): Buffer {
  const lines = Array.from(
    { length: 3000 },
    (_, i) => `\x1b[3${i % 7}m${i}\x1b[0m ✓ 日本語のテキスト → über 🙂 line ${i}\r\n`,
  );
  return Buffer.from(lines.join('') + `token ghp_${'q'.repeat(36)} done\r\n`);
}

describe('exportAsciicast', () => {
  it('replays the recorded output byte for byte, with non-decreasing times', async () => {
    const { store, clock, recorder } = recorderFor({
      sessionId: SESSION,
      chunkBytes: 1000, // chunk boundaries fall inside characters too
    });
    const output = utf8Output();
    let ms = 0;
    for (let at = 0, size = 7; at < output.length; at += size, size = 1 + ((size * 13) % 331)) {
      clock.to((ms += size % 3));
      recorder.output(output.subarray(at, at + size));
      if (at > output.length / 2 && ms % 7 === 0) recorder.input('y');
    }
    clock.to(ms + 5);
    recorder.resize(100, 30);
    recorder.output('after resize\r\n');
    await recorder.close();

    const { header, events } = parse(exportAsciicast(store, SESSION));
    const started = sessionEvents(store, SESSION)[0];
    expect(header).toEqual({
      version: 2,
      width: 120,
      height: 40,
      timestamp: Math.floor(Date.parse(started?.ts ?? '') / 1000),
    });
    const text = (code: string) =>
      events
        .filter(([, c]) => c === code)
        .map(([, , data]) => data)
        .join('');
    const expected = redact(Buffer.concat([output, Buffer.from('after resize\r\n')])).data;
    expect(Buffer.from(text('o')).equals(expected)).toBe(true);
    expect(text('o')).toContain('[REDACTED-github]');
    expect(text('i')).toMatch(/^y+$/);
    expect(events.filter(([, code]) => code === 'r')).toEqual([[(ms + 5) / 1000, 'r', '100x30']]);
    const times = events.map(([t]) => t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('marks a chunk whose bytes retention dropped', async () => {
    const { store, recorder } = recorderFor({ sessionId: SESSION, chunkBytes: 1024 });
    // Varied, so that no two chunks share a blob.
    const text = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(
      '',
    );
    recorder.output(text);
    await recorder.close();
    const chunk = sessionEvents(store, SESSION).find((e) => e.kind === 'terminal.output');
    store.dropBlob(chunk?.blobs[0] ?? '', 'retention', 'system', 'test');
    const { events } = parse(exportAsciicast(store, SESSION));
    const today = new Date().toISOString().slice(0, 10);
    expect(events[0]?.[1]).toBe('m');
    expect(events[0]?.[2]).toBe(
      `output dropped: 1024 bytes up to 0.0 s, retention (${today}, system:test)`,
    );
    expect(
      events
        .filter(([, code]) => code === 'o')
        .map(([, , d]) => d)
        .join(''),
    ).toBe(
      `[paddock: the output up to 0.0 s (1024 bytes) was dropped on ${today} by system:test (retention)]\r\n` +
        text.slice(1024),
    );
  });

  it('replays a session whose early output retention pruned: one marker where it resumes', async () => {
    const clock = { now: new Date('2026-01-15T10:00:00.000Z') };
    const store = AuditStore.open({ home: tempDir(), now: () => clock.now });
    const { recorder, clock: terminal } = recorderFor({
      store,
      sessionId: SESSION,
      chunkBytes: 1024,
    });
    const january = 'January output, line after line\r\n'.repeat(200);
    recorder.output(january);
    recorder.input('y');
    await recorder.flush();
    clock.now = new Date('2026-03-15T10:00:00.000Z');
    terminal.to(5_000);
    recorder.output('March output\r\n');
    recorder.input('n');
    await recorder.close();
    const report = await pruneContent(store, {
      before: new Date('2026-02-01T00:00:00.000Z'),
      reason: 'retention: older than 30 days',
      actor: 'system',
      actorId: 'retention',
    });
    expect(report.blobs).toBeGreaterThan(5);

    // The redactor holds the last bytes back until more arrive: those were recorded in March.
    const dropped = sessionEvents(store, SESSION)
      .filter((e) => e.kind === 'terminal.output' && store.getBlob(e.blobs[0] ?? '') === null)
      .reduce((sum, e) => sum + (e.payload.bytes as number), 0);
    expect(dropped).toBeGreaterThan(january.length - 1024);

    const { events } = parse(exportAsciicast(store, SESSION));
    const markers = events.filter(([, code]) => code === 'm').map(([, , label]) => label);
    expect(markers).toEqual([
      `output dropped: ${dropped} bytes up to 0.0 s, retention: older than 30 days (2026-03-15, system:retention)`,
    ]);
    const output = events.filter(([, code]) => code === 'o').map(([, , data]) => data);
    expect(output.join('')).toBe(
      `[paddock: the output up to 0.0 s (${dropped} bytes) was dropped on 2026-03-15 by system:retention (retention: older than 30 days)]\r\n` +
        january.slice(dropped) +
        'March output\r\n',
    );
    expect(
      events
        .filter(([, code]) => code === 'i')
        .map(([, , data]) => data)
        .join(''),
    ).toBe('yn');

    const tail = recordedTail(store, SESSION);
    expect(tail.data).toBe(
      `[paddock: the output before this point (${dropped} bytes, up to 0.0 s) was dropped on 2026-03-15 by system:retention (retention: older than 30 days)]\r\n` +
        january.slice(dropped) +
        'March output\r\n',
    );
  });

  it('replays a session whose whole recording was pruned, without a byte of it', async () => {
    const { store, recorder } = recorderFor({ sessionId: SESSION });
    recorder.output('all of it\r\n');
    await recorder.close();
    await pruneContent(store, {
      before: new Date(Date.now() + 60_000),
      reason: 'pruned by hand',
      actor: 'person',
      actorId: 'ada',
    });
    const { events } = parse(exportAsciicast(store, SESSION));
    expect(events.map(([, code]) => code)).toEqual(['m', 'o']);
    expect(recordedTail(store, SESSION).data).toMatch(
      /^\[paddock: the output before this point \(11 bytes, up to 0\.0 s\) was dropped on \d{4}-\d\d-\d\d by person:ada \(pruned by hand\)\]\r\n$/,
    );
  });

  it('refuses a session without a terminal recording', () => {
    expect(() => exportAsciicast(openStore(), 'nothing-here')).toThrow(/no terminal recording/);
  });
});
