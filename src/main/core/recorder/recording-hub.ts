/**
 * The recording thread's work, for every recording of one Paddock home: redact what arrives, cut it
 * into chunks, store the chunks in the blob file, and send back the events that name them.
 *
 * Events (actor `system`, actor id `recorder`, all in the session):
 * - `terminal.output` / `terminal.input` {offset, bytes, startMs, endMs, cols, rows, frames}, one
 *   blob: `bytes` redacted bytes at `offset` in the redacted stream; `frames` is
 *   `[[ms, bytes], ...]`, when each run of those bytes arrived (ms since the start); `cols`/`rows`
 *   is the size when the chunk's first byte was released (a resize cuts the chunk first).
 * - `terminal.resize` {cols, rows, ms}.
 * - `redaction.applied` {stream, offset, length, ruleId, redactedOffset, redactedLength}: where a
 *   secret was (original stream offsets) and where its placeholder is; never what it was.
 * - `terminal.closed` {ms, output: {bytes, recordedBytes, redactions}, input: {...}}.
 * (`terminal.started` is appended by the main thread when the recording opens.)
 *
 * Writes: chunks are 64 KiB (a flush cuts the rest as a shorter one). Everything pending is stored
 * with one blob-file transaction (one fsync) every `flushIntervalMs` (250 ms), or as soon as
 * `maxPendingBytes` (4 MiB) wait: a burst of 100 MB costs ~25 fsyncs, and a quiet session is on
 * disk within 250 ms. The redactor holds back the last few hundred bytes of each stream until more
 * arrive (a secret may be split there); closing the recording releases them.
 */
import type { AppendInput } from '../store';
import { Redactor } from './redactor';
import type { Arrival, FromRecordingThread, ToRecordingThread } from './recording-protocol';
import { ScreenTail } from './screen-tail';
import { RECORDER_ACTOR, StreamRecorder, type TerminalSize } from './stream-recorder';

/** Where the chunks' content goes: the blob file (`BlobWriter`), durable when `putMany` returns. */
export interface BlobSink {
  putMany(contents: readonly Uint8Array[]): string[];
}

export interface RecordingHubOptions {
  flushIntervalMs?: number;
  maxPendingBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 64 * 1024;
const DEFAULT_FLUSH_INTERVAL_MS = 250;
const DEFAULT_MAX_PENDING_BYTES = 4 * 1024 * 1024;

type Message<T extends ToRecordingThread['type']> = Extract<ToRecordingThread, { type: T }>;

export class RecordingHub {
  private readonly recordings = new Map<number, Recording>();
  private pending: Array<{ id: number; event: AppendInput }> = [];
  private pendingBytes = 0;
  private tickets: Array<{ id: number; ticket: number }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly blobs: BlobSink,
    private readonly send: (message: FromRecordingThread) => void,
    private readonly options: RecordingHubOptions = {},
  ) {}

  handle(message: ToRecordingThread): void {
    if (message.type === 'shutdown') return this.commit();
    if (message.type === 'open') {
      this.recordings.set(message.id, new Recording(message));
      return;
    }
    const recording = this.recordings.get(message.id);
    if (!recording) throw new Error(`No open recording ${message.id} for a ${message.type}.`);
    if (message.type === 'data') this.take(message.id, recording.data(message));
    else if (message.type === 'resize') this.take(message.id, recording.resize(message));
    else if (message.type === 'screen') this.sendScreen(message.ticket, recording);
    else this.finish(message, recording);
  }

  private finish(message: Message<'flush'> | Message<'close'>, recording: Recording): void {
    if (message.type === 'close') {
      this.take(message.id, recording.close(message.ms));
      this.recordings.delete(message.id);
    } else this.take(message.id, recording.drain());
    this.tickets.push({ id: message.id, ticket: message.ticket });
    this.commit();
  }

  private sendScreen(ticket: number, recording: Recording): void {
    void recording.screen
      .snapshot()
      .then((screen) => this.send({ type: 'screen', ticket, screen }));
  }

  private take(id: number, events: readonly AppendInput[]): void {
    for (const event of events) {
      this.pending.push({ id, event });
      for (const blob of event.blobs ?? []) this.pendingBytes += blob.length;
    }
    if (this.pendingBytes >= (this.options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES))
      this.commit();
    else this.schedule();
  }

  /** Stores every pending chunk (one transaction), then sends the events that name them. */
  private commit(): void {
    this.clearTimer();
    let stored: Array<{ id: number; event: AppendInput }>;
    try {
      stored = this.storeBlobs();
    } catch (error) {
      const ids = [...new Set(this.pending.map((item) => item.id))];
      this.send({ type: 'failed', ids, message: (error as Error).message });
      this.schedule();
      return;
    }
    const done = this.tickets;
    this.pending = [];
    this.pendingBytes = 0;
    this.tickets = [];
    if (stored.length === 0 && done.length === 0) return;
    this.send({ type: 'events', batches: this.batches(stored), done });
  }

  /** The pending events with their blobs stored, each naming its content by hash. */
  private storeBlobs(): Array<{ id: number; event: AppendInput }> {
    const hashes = this.blobs.putMany(this.pending.flatMap(({ event }) => toBytes(event.blobs)));
    let next = 0;
    return this.pending.map(({ id, event }) => {
      const { blobs, ...rest } = event;
      if (!blobs?.length) return { id, event };
      const storedBlobs = blobs.map(() => hashes[next++] as string);
      return { id, event: { ...rest, storedBlobs } };
    });
  }

  private batches(stored: Array<{ id: number; event: AppendInput }>) {
    const byId = new Map<number, AppendInput[]>();
    for (const { id, event } of stored) {
      const events = byId.get(id);
      if (events) events.push(event);
      else byId.set(id, [event]);
    }
    for (const { id } of this.tickets) if (!byId.has(id)) byId.set(id, []);
    return [...byId].map(([id, events]) => ({
      id,
      events,
      consumed: this.recordings.get(id)?.consumed() ?? 0,
    }));
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      for (const [id, recording] of this.recordings) this.take(id, recording.drain());
      this.commit();
    }, this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function toBytes(blobs: AppendInput['blobs']): Uint8Array[] {
  return (blobs ?? []).map((blob) => (typeof blob === 'string' ? Buffer.from(blob) : blob));
}

/** One session's terminal: its two streams and its size. */
class Recording {
  private readonly output: StreamRecorder;
  private readonly input: StreamRecorder;
  /** What the terminal shows, for clients that attach (fed before redaction: it is the live view). */
  readonly screen: ScreenTail;
  private size: TerminalSize;

  constructor(private readonly open: Message<'open'>) {
    const chunkBytes = open.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const redactor = new Redactor({
      knownValues: open.knownValues,
      knownSecrets: open.knownSecrets ?? [],
    });
    this.output = new StreamRecorder('output', redactor, open.sessionId, chunkBytes);
    this.input = new StreamRecorder('input', redactor.newStream(), open.sessionId, chunkBytes);
    this.size = { cols: open.cols, rows: open.rows };
    this.screen = new ScreenTail(open.cols, open.rows);
  }

  data({ stream, bytes, arrivals }: Message<'data'>): AppendInput[] {
    const recorder = stream === 'output' ? this.output : this.input;
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (stream === 'output') this.screen.write(data);
    const events: AppendInput[] = [];
    let at = 0;
    for (const [ms, length] of arrivals as Arrival[]) {
      events.push(...recorder.write(data.subarray(at, at + length), ms, this.size));
      at += length;
    }
    return events;
  }

  resize({ cols, rows, ms }: Message<'resize'>): AppendInput[] {
    // Chunks hold one size each: what came before the resize is cut first.
    const events = this.drain();
    this.size = { cols, rows };
    this.screen.resize(cols, rows);
    events.push(this.event('terminal.resize', { cols, rows, ms }));
    return events;
  }

  drain(): AppendInput[] {
    return [...this.output.drain(this.size), ...this.input.drain(this.size)];
  }

  close(ms: number): AppendInput[] {
    const events = [...this.output.end(this.size), ...this.input.end(this.size)];
    const totals = (stream: StreamRecorder) => ({
      bytes: stream.received,
      recordedBytes: stream.recorded,
      redactions: stream.redactions,
    });
    events.push(
      this.event('terminal.closed', { ms, output: totals(this.output), input: totals(this.input) }),
    );
    return events;
  }

  consumed(): number {
    return this.output.received + this.input.received;
  }

  private event(kind: string, payload: AppendInput['payload']): AppendInput {
    return { kind, ...RECORDER_ACTOR, sessionId: this.open.sessionId, payload };
  }
}
