/**
 * Records a session's terminal into the audit store: every byte in and out, redacted, stored in
 * chunks with the timing asciicast needs. The work happens on the recording thread
 * (recording-hub.ts says what it writes); this side stamps when each read arrived and hands the
 * bytes over in batches of up to 64 KiB, at once when a batch is full, else on the next turn of
 * the event loop.
 *
 * Durability: the thread stores what it received every 250 ms (or every 4 MiB); `flush` and
 * `close` resolve once everything sent before them is in the store. A crash loses at most the last
 * 250 ms, and the few hundred bytes the redactor holds back until it sees how they go on.
 *
 * Backpressure: when more than `HIGH_WATER_BYTES` wait for the thread, `onBackpressure(true)` asks
 * the caller to stop reading the terminal; `onBackpressure(false)` once under `LOW_WATER_BYTES`.
 * Memory stays bounded and nothing is dropped.
 */
import type { Arrival } from './recording-protocol';
import type { RecordingThread } from './recording-thread';
import type { Screen } from './screen-tail';
import type { StreamName } from './stream-recorder';

export interface TerminalRecorderOptions {
  thread: RecordingThread;
  sessionId: string;
  cols: number;
  rows: number;
  /** Exact secret values to redact wherever they appear (each at least 4 bytes). */
  knownValues?: readonly string[];
  /** The vault's secrets: redacted as `[secret:NAME]`, in every spelling. */
  knownSecrets?: ReadonlyArray<{ name: string; value: string }>;
  /** Milliseconds from any origin (default `performance.now`): only differences are used. */
  now?: () => number;
  /** Bytes per chunk in the store (default 64 KiB). */
  chunkBytes?: number;
  /** Hears that the recording failed (it cannot continue) and of data after close. */
  onError?: (error: Error) => void;
  onBackpressure?: (behind: boolean) => void;
}

const BATCH_BYTES = 64 * 1024;
export const HIGH_WATER_BYTES = 32 * 1024 * 1024;
export const LOW_WATER_BYTES = 8 * 1024 * 1024;

/** Bytes of one stream waiting to be handed to the thread. */
class Batch {
  pieces: Buffer[] = [];
  bytes = 0;
  arrivals: Arrival[] = [];

  add(data: Buffer, ms: number): void {
    this.pieces.push(data);
    this.bytes += data.length;
    const last = this.arrivals.at(-1);
    if (last && last[0] === ms) last[1] += data.length;
    else this.arrivals.push([ms, data.length]);
  }

  /** The bytes in a buffer of their own (its memory is handed to the thread), and their times. */
  take(): { bytes: Uint8Array; arrivals: Arrival[] } {
    const bytes = Buffer.allocUnsafeSlow(this.bytes);
    let at = 0;
    for (const piece of this.pieces) at += piece.copy(bytes, at);
    const { arrivals } = this;
    this.pieces = [];
    this.bytes = 0;
    this.arrivals = [];
    return { bytes, arrivals };
  }
}

export class TerminalRecorder {
  private readonly thread: RecordingThread;
  private readonly id: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly batches = { output: new Batch(), input: new Batch() };
  private lastMs = 0;
  /** Bytes handed to the thread, and how many of them it has taken in. */
  private sent = 0;
  private acknowledged = 0;
  private behind = false;
  private scheduled = false;
  private closed = false;
  /** The thread died: what is written now cannot be recorded (reported once). */
  private lost = false;

  constructor(private readonly options: TerminalRecorderOptions) {
    this.thread = options.thread;
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.id = this.thread.open(
      { consumed: (bytes) => this.consumed(bytes), failed: (error) => this.report(error) },
      {
        sessionId: options.sessionId,
        cols: options.cols,
        rows: options.rows,
        knownValues: [...(options.knownValues ?? [])],
        knownSecrets: [...(options.knownSecrets ?? [])],
        chunkBytes: options.chunkBytes,
      },
    );
  }

  /** Bytes the terminal showed (pty → screen). */
  output(data: Buffer | string): void {
    this.write('output', data);
  }

  /** Bytes typed or pasted into the terminal (screen → pty). */
  input(data: Buffer | string): void {
    this.write('input', data);
  }

  resize(cols: number, rows: number): void {
    // A window fitting its terminal as the agent exits: nothing is lost by not recording it, and
    // it must not fail the session (as output or input after the end would).
    if (this.closed) return;
    this.sendBatches();
    this.trySend({ type: 'resize', id: this.id, cols, rows, ms: this.elapsed() });
  }

  /** Resolves once everything received so far is in the store (what the redactor holds aside). */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.sendBatches();
    return this.thread.request({ type: 'flush', id: this.id });
  }

  /** What the terminal shows after every byte given so far (see screen-tail.ts). */
  screen(): Promise<Screen> {
    if (this.closed) return Promise.reject(new Error('The recording has ended.'));
    this.sendBatches();
    return this.thread.screen(this.id);
  }

  /** Ends the recording; resolves once all of it, `terminal.closed` last, is in the store. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.sendBatches();
    this.closed = true;
    return this.thread.request({ type: 'close', id: this.id, ms: this.elapsed() });
  }

  private write(stream: StreamName, data: Buffer | string): void {
    if (this.refuseClosed(stream)) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length === 0) return;
    const batch = this.batches[stream];
    batch.add(bytes, this.elapsed());
    if (batch.bytes >= BATCH_BYTES) this.send(stream);
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.sendBatches());
    }
  }

  private sendBatches(): void {
    this.scheduled = false;
    if (this.closed) return;
    this.send('output');
    this.send('input');
  }

  private send(stream: StreamName): void {
    const batch = this.batches[stream];
    if (batch.bytes === 0) return;
    this.sent += batch.bytes;
    this.trySend({ type: 'data', id: this.id, stream, ...batch.take() });
    if (!this.behind && this.sent - this.acknowledged > HIGH_WATER_BYTES) this.setBehind(true);
  }

  private consumed(bytes: number): void {
    this.acknowledged = bytes;
    if (this.behind && this.sent - bytes < LOW_WATER_BYTES) this.setBehind(false);
  }

  private setBehind(behind: boolean): void {
    this.behind = behind;
    this.options.onBackpressure?.(behind);
  }

  private trySend(message: Parameters<RecordingThread['send']>[0]): void {
    if (this.lost) return;
    try {
      this.thread.send(message);
    } catch (error) {
      this.lost = true;
      this.report(error as Error);
    }
  }

  /** Milliseconds since the recording started; never decreasing, whatever the clock does. */
  private elapsed(): number {
    this.lastMs = Math.max(this.lastMs, Math.round(this.now() - this.startedAt));
    return this.lastMs;
  }

  /** Data after close cannot be recorded: it is reported, not thrown into a pty's handler. */
  private refuseClosed(what: string): boolean {
    if (this.closed)
      this.report(
        new Error(`Terminal ${what} after the recording of ${this.options.sessionId} closed.`),
      );
    return this.closed;
  }

  private report(error: Error): void {
    if (this.options.onError) this.options.onError(error);
    else console.error('paddock: terminal recorder:', error);
  }
}
