import { describe, expect, it } from 'vitest';
import type { AppendInput } from '../store';
import { RecordingHub, type BlobSink } from './recording-hub';
import type { FromRecordingThread } from './recording-protocol';

/** A blob sink that fails its first `failures` writes, as a full disk would. */
function flakySink(failures: number): BlobSink & { stored: Uint8Array[] } {
  const stored: Uint8Array[] = [];
  return {
    stored,
    putMany(contents) {
      if (failures-- > 0) throw new Error('SQLITE_FULL: database or disk is full');
      stored.push(...contents);
      return contents.map((_, i) => `hash-${stored.length - contents.length + i}`);
    },
  };
}

function hubWith(sink: BlobSink) {
  const sent: FromRecordingThread[] = [];
  const hub = new RecordingHub(sink, (message) => sent.push(message), { flushIntervalMs: 10 });
  hub.handle({ type: 'open', id: 1, sessionId: 's1', cols: 80, rows: 24, knownValues: [] });
  const output = (text: string) =>
    hub.handle({
      type: 'data',
      id: 1,
      stream: 'output',
      bytes: Buffer.from(text),
      arrivals: [[0, Buffer.byteLength(text)]],
    });
  return { hub, sent, output };
}

const eventsOf = (sent: FromRecordingThread[]): AppendInput[] =>
  sent.flatMap((m) => (m.type === 'events' ? m.batches.flatMap((b) => b.events) : []));

describe('RecordingHub', () => {
  it('reports a failed store, keeps the events, and stores them on the next try', () => {
    const sink = flakySink(1);
    const { hub, sent, output } = hubWith(sink);
    output('x'.repeat(2000));
    hub.handle({ type: 'flush', id: 1, ticket: 7 });
    expect(sent).toEqual([{ type: 'failed', ids: [1], message: expect.stringMatching(/FULL/) }]);
    hub.handle({ type: 'close', id: 1, ms: 5, ticket: 8 });
    const events = eventsOf(sent);
    expect(events.map((e) => e.kind)).toEqual([
      'terminal.output',
      'terminal.output',
      'terminal.closed',
    ]);
    expect(events[0]?.storedBlobs).toEqual(['hash-0']);
    expect(Buffer.concat(sink.stored).toString()).toBe('x'.repeat(2000));
    const done = sent.flatMap((m) => (m.type === 'events' ? m.done : []));
    expect(done).toEqual([
      { id: 1, ticket: 7 },
      { id: 1, ticket: 8 },
    ]);
  });

  it('refuses data for a recording it does not know', () => {
    const { hub } = hubWith(flakySink(0));
    expect(() => hub.handle({ type: 'resize', id: 9, cols: 1, rows: 1, ms: 0 })).toThrow(
      /No open recording 9/,
    );
  });
});
