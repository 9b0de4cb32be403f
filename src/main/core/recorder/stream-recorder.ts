/**
 * One direction of a terminal (output or input): redacts what arrives, keeps when each byte arrived,
 * and cuts the redacted stream into chunks for the store.
 */
import type { AppendInput } from '../store';
import type { Finding, Redacted, Redactor } from './redactor';

export type StreamName = 'output' | 'input';

/** `[ms since the session started, redacted bytes]`: asciicast timing for the bytes of a chunk. */
export type Frame = [ms: number, bytes: number];

export const RECORDER_ACTOR = { actor: 'system', actorId: 'recorder' } as const;

/** Original bytes up to `end` (stream offset) arrived at `ms`. */
interface Arrival {
  end: number;
  ms: number;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Raw bytes are redacted in batches of about this size: per-call costs shrink with the calls. */
const REDACT_BATCH_BYTES = 64 * 1024;

export class StreamRecorder {
  /** Original bytes received. */
  received = 0;
  /** Redacted bytes released (all of them cut into chunks or buffered). */
  recorded = 0;
  redactions = 0;
  private readonly arrivals: Arrival[] = [];
  /** Original bytes not given to the redactor yet (kept in memory only, never stored). */
  private raw: Buffer[] = [];
  private rawBytes = 0;
  private buffers: Buffer[] = [];
  private buffered = 0;
  private frames: Frame[] = [];
  /** Redacted offset up to which frames are assigned. */
  private framed = 0;
  private chunkSize: TerminalSize | null = null;

  constructor(
    readonly name: StreamName,
    private readonly redactor: Redactor,
    private readonly sessionId: string,
    private readonly chunkBytes: number,
  ) {}

  /**
   * Takes bytes that arrived at `ms`. Returns the events that became due: `redaction.applied` for
   * each secret in a batch just redacted, and a chunk once `chunkBytes` are buffered.
   */
  write(data: Buffer | string, ms: number, size: TerminalSize): AppendInput[] {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length === 0) return [];
    this.received += bytes.length;
    this.arrivals.push({ end: this.received, ms });
    this.raw.push(bytes);
    this.rawBytes += bytes.length;
    if (this.rawBytes < REDACT_BATCH_BYTES) return [];
    const events = this.redactBatch(size);
    events.push(...this.cut(false));
    return events;
  }

  /** Everything received so far, redacted and cut (what the redactor holds back stays held). */
  drain(size: TerminalSize): AppendInput[] {
    return [...this.redactBatch(size), ...this.cut()];
  }

  /** The stream ended: everything is released, redacted and cut. */
  end(size: TerminalSize): AppendInput[] {
    const events = this.redactBatch(size);
    events.push(...this.take(this.redactor.flush(), size), ...this.cut());
    return events;
  }

  private redactBatch(size: TerminalSize): AppendInput[] {
    if (this.rawBytes === 0) return [];
    const batch = this.raw;
    this.raw = [];
    this.rawBytes = 0;
    return this.take(this.redactor.write(batch), size);
  }

  /**
   * The buffered bytes as `terminal.<stream>` events: `chunkBytes` each (the rest too when
   * `all`), frames split where a chunk ends.
   */
  private cut(all = true): AppendInput[] {
    const events: AppendInput[] = [];
    while (this.buffered >= this.chunkBytes || (all && this.buffered > 0)) {
      const bytes = Math.min(this.buffered, this.chunkBytes);
      events.push(this.chunkEvent(this.takeBytes(bytes), this.takeFrames(bytes)));
    }
    if (this.buffered === 0) this.chunkSize = null;
    return events;
  }

  private chunkEvent(data: Buffer, frames: Frame[]): AppendInput {
    const size = this.chunkSize ?? { cols: 0, rows: 0 };
    return {
      kind: `terminal.${this.name}`,
      ...RECORDER_ACTOR,
      sessionId: this.sessionId,
      payload: {
        offset: this.recorded - this.buffered - data.length,
        bytes: data.length,
        startMs: (frames[0] as Frame)[0],
        endMs: (frames.at(-1) as Frame)[0],
        cols: size.cols,
        rows: size.rows,
        frames,
      },
      blobs: [data],
    };
  }

  private takeBytes(count: number): Buffer {
    const all =
      this.buffers.length === 1 ? (this.buffers[0] as Buffer) : Buffer.concat(this.buffers);
    this.buffers = count < all.length ? [all.subarray(count)] : [];
    this.buffered -= count;
    return all.subarray(0, count);
  }

  private takeFrames(count: number): Frame[] {
    const taken: Frame[] = [];
    let left = count;
    while (left > 0) {
      const frame = this.frames[0] as Frame;
      if (frame[1] <= left) {
        taken.push(this.frames.shift() as Frame);
        left -= frame[1];
      } else {
        taken.push([frame[0], left]);
        frame[1] -= left;
        left = 0;
      }
    }
    return taken;
  }

  private take(redacted: Redacted, size: TerminalSize): AppendInput[] {
    if (redacted.data.length === 0) return [];
    this.chunkSize ??= { ...size };
    this.buffers.push(redacted.data);
    this.buffered += redacted.data.length;
    this.recorded += redacted.data.length;
    this.assignFrames(redacted);
    this.redactions += redacted.findings.length;
    return redacted.findings.map((finding) => this.redactionEvent(finding));
  }

  /**
   * Gives the released bytes the times their original bytes arrived: a secret's placeholder
   * arrives with the secret's last byte.
   */
  private assignFrames(redacted: Redacted): void {
    const end = redacted.offset + redacted.length;
    while (this.arrivals.length > 0 && (this.arrivals[0] as Arrival).end <= end) {
      const arrival = this.arrivals.shift() as Arrival;
      this.addFrame(arrival.ms, redactedPosition(redacted, arrival.end));
    }
    const partial = this.arrivals[0];
    if (partial) this.addFrame(partial.ms, redacted.redactedOffset + redacted.data.length);
  }

  private addFrame(ms: number, upTo: number): void {
    const bytes = upTo - this.framed;
    if (bytes <= 0) return;
    this.framed = upTo;
    const last = this.frames.at(-1);
    if (last && last[0] === ms) last[1] += bytes;
    else this.frames.push([ms, bytes]);
  }

  private redactionEvent(finding: Finding): AppendInput {
    return {
      kind: 'redaction.applied',
      ...RECORDER_ACTOR,
      sessionId: this.sessionId,
      payload: {
        stream: this.name,
        offset: finding.offset,
        length: finding.length,
        ruleId: finding.ruleId,
        redactedOffset: finding.redactedOffset,
        redactedLength: finding.redactedLength,
      },
    };
  }
}

/**
 * Where original stream offset `original` (inside what `redacted` covers) lands after redaction;
 * inside a secret, before its placeholder.
 */
function redactedPosition(redacted: Redacted, original: number): number {
  let shift = 0;
  for (const finding of redacted.findings) {
    const findingEnd = finding.offset + finding.length;
    if (findingEnd <= original) shift += finding.redactedLength - finding.length;
    else if (finding.offset < original) return finding.redactedOffset;
  }
  return redacted.redactedOffset + (original - redacted.offset) + shift;
}
