import { describe, expect, it } from 'vitest';
import { exportAsciicast } from './asciicast';
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
    expect(events[0]?.[1]).toBe('m');
    expect(events[0]?.[2]).toBe('output: 1024 bytes dropped');
    expect(
      events
        .filter(([, code]) => code === 'o')
        .map(([, , d]) => d)
        .join(''),
    ).toBe(text.slice(1024));
  });

  it('refuses a session without a terminal recording', () => {
    expect(() => exportAsciicast(openStore(), 'nothing-here')).toThrow(/no terminal recording/);
  });
});
