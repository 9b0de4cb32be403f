/**
 * Records a session's terminal into the audit store: output and input redacted, cut into chunks
 * stored as blobs, each chunk's event carrying the timing asciicast needs.
 *
 * Events (actor `system`, actor id `recorder`, all in the session):
 * - `terminal.started` {version, cols, rows}: the event's `ts` is the recording's start.
 * - `terminal.output` / `terminal.input` {offset, bytes, startMs, endMs, cols, rows, frames}, one
 *   blob: `bytes` redacted bytes at `offset` in the redacted stream; `frames` is
 *   `[[ms, bytes], ...]`, when each run of those bytes arrived (ms since the start); `cols`/`rows`
 *   is the size when the chunk's first byte was released (a resize cuts the chunk first).
 * - `terminal.resize` {cols, rows, ms}.
 * - `redaction.applied` {stream, offset, length, ruleId, redactedOffset, redactedLength}: where a
 *   secret was (original stream offsets) and where its placeholder is; never what it was.
 * - `terminal.closed` {ms, output: {bytes, recordedBytes, redactions}, input: {...}}.
 *
 * Writes: output is redacted in batches of 64 KiB (or whatever arrived when the timer fires) and
 * cut into chunks of exactly `chunkBytes` (64 KiB; a flush cuts the rest as a shorter one).
 * Everything pending is committed with one `appendMany` (one fsync) every `flushIntervalMs`
 * (250 ms), or as soon as `maxPendingBytes` (4 MiB) wait: a burst of 100 MB costs ~25 fsyncs, not
 * 1,600, and a quiet session is on disk within 250 ms. The redactor holds back the last few hundred
 * bytes of each stream until more arrive (a secret may be split there); `close` writes them. A
 * crash loses what was not committed: at most the last 250 ms, and that held-back tail.
 */
import type { AuditStore, AppendInput } from '../store';
import type { Redactor } from './redactor';
import { RECORDER_ACTOR, StreamRecorder, type TerminalSize } from './stream-recorder';

export interface TerminalRecorderOptions {
  store: AuditStore;
  sessionId: string;
  cols: number;
  rows: number;
  /** Redacts the output; a twin (`newStream`) redacts the input. */
  redactor: Redactor;
  /** Milliseconds from any origin (default `performance.now`): only differences are used. */
  now?: () => number;
  chunkBytes?: number;
  flushIntervalMs?: number;
  maxPendingBytes?: number;
  /** Hears of a failed timed write (the events stay queued) and of data after close. */
  onError?: (error: unknown) => void;
}

export const RECORDING_VERSION = 1;
const DEFAULT_CHUNK_BYTES = 64 * 1024;
const DEFAULT_FLUSH_INTERVAL_MS = 250;
const DEFAULT_MAX_PENDING_BYTES = 4 * 1024 * 1024;

export class TerminalRecorder {
  private readonly store: AuditStore;
  private readonly sessionId: string;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly outputStream: StreamRecorder;
  private readonly inputStream: StreamRecorder;
  private size: TerminalSize;
  private lastMs = 0;
  private queue: AppendInput[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: TerminalRecorderOptions) {
    this.store = options.store;
    this.sessionId = options.sessionId;
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.size = { cols: options.cols, rows: options.rows };
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const { sessionId, redactor } = options;
    this.outputStream = new StreamRecorder('output', redactor, sessionId, chunkBytes);
    this.inputStream = new StreamRecorder('input', redactor.newStream(), sessionId, chunkBytes);
    this.store.append(this.event('terminal.started', { version: RECORDING_VERSION, ...this.size }));
  }

  /** Bytes the terminal showed (pty → screen). */
  output(data: Buffer | string): void {
    this.write(this.outputStream, data);
  }

  /** Bytes typed or pasted into the terminal (screen → pty). */
  input(data: Buffer | string): void {
    this.write(this.inputStream, data);
  }

  resize(cols: number, rows: number): void {
    if (this.refuseClosed('resize')) return;
    // Chunks hold one size each: what came before the resize is cut first.
    this.cutChunks();
    this.size = { cols, rows };
    this.enqueue(this.event('terminal.resize', { cols, rows, ms: this.elapsed() }));
    this.schedule();
  }

  /** Writes every released byte now (one transaction). Bytes the redactor holds stay held. */
  flush(): void {
    this.cutChunks();
    this.commit();
  }

  /** Ends the recording: releases what the redactors held, writes everything, stops the timer. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    for (const stream of [this.outputStream, this.inputStream])
      this.enqueueAll(stream.end(this.size));
    this.enqueue(
      this.event('terminal.closed', {
        ms: this.elapsed(),
        output: this.totals(this.outputStream),
        input: this.totals(this.inputStream),
      }),
    );
    this.commit();
  }

  private write(stream: StreamRecorder, data: Buffer | string): void {
    if (this.refuseClosed(stream.name)) return;
    this.enqueueAll(stream.write(data, this.elapsed(), this.size));
    if (this.queuedBytes >= (this.options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES))
      this.commit();
    else this.schedule();
  }

  private cutChunks(): void {
    for (const stream of [this.outputStream, this.inputStream])
      this.enqueueAll(stream.drain(this.size));
  }

  private enqueue(event: AppendInput): void {
    this.queue.push(event);
    for (const blob of event.blobs ?? []) this.queuedBytes += blob.length;
  }

  private enqueueAll(events: readonly AppendInput[]): void {
    for (const event of events) this.enqueue(event);
  }

  /** One transaction for everything queued. On failure the events stay queued for the next try. */
  private commit(): void {
    this.clearTimer();
    if (this.queue.length === 0) return;
    this.store.appendMany(this.queue);
    this.queue = [];
    this.queuedBytes = 0;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const interval = this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.timer = setTimeout(() => this.flushOnTimer(), interval);
    // A recording must not keep the process alive on its own.
    this.timer.unref();
  }

  private flushOnTimer(): void {
    this.timer = null;
    try {
      this.flush();
    } catch (error) {
      this.report(error);
      this.schedule();
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Milliseconds since the recording started; never decreasing, whatever the clock does. */
  private elapsed(): number {
    this.lastMs = Math.max(this.lastMs, Math.round(this.now() - this.startedAt));
    return this.lastMs;
  }

  private totals(stream: StreamRecorder) {
    return {
      bytes: stream.received,
      recordedBytes: stream.recorded,
      redactions: stream.redactions,
    };
  }

  private event(kind: string, payload: AppendInput['payload']): AppendInput {
    return { kind, ...RECORDER_ACTOR, sessionId: this.sessionId, payload };
  }

  /** Data after close cannot be recorded: it is reported, not thrown into a pty's data handler. */
  private refuseClosed(what: string): boolean {
    if (this.closed)
      this.report(new Error(`Terminal ${what} after the recording of ${this.sessionId} closed.`));
    return this.closed;
  }

  private report(error: unknown): void {
    if (this.options.onError) this.options.onError(error);
    else console.error('paddock: terminal recorder:', error);
  }
}
