/**
 * A recorded session as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a header
 * line, then one JSON array per event: `[seconds, "o", text]` for output, `"i"` for input,
 * `"r"` with `"COLSxROWS"` for a resize, `"m"` (marker) where retention dropped a chunk's bytes.
 *
 * asciicast carries text, so the bytes are decoded as UTF-8, one streaming decoder per direction:
 * a character split across chunks or frames comes out whole. Bytes that are not UTF-8 at all
 * become U+FFFD, as in any asciicast.
 */
import type { AuditEvent, JsonObject, JsonValue } from '../../../shared/audit';
import type { AuditStore } from '../store';
import type { Frame, StreamName } from './stream-recorder';

type AsciicastEvent = [seconds: number, code: 'o' | 'i' | 'r' | 'm', data: string];

interface Timed {
  ms: number;
  event: AsciicastEvent;
}

const PAGE = 10_000;
const CODES: Record<StreamName, 'o' | 'i'> = { output: 'o', input: 'i' };

export function exportAsciicast(store: AuditStore, sessionId: string): string {
  const events = sessionEvents(store, sessionId);
  const started = events.find((event) => event.kind === 'terminal.started');
  if (!started) throw new Error(`Session ${sessionId} has no terminal recording.`);
  const header = {
    version: 2,
    width: numberField(started.payload, 'cols'),
    height: numberField(started.payload, 'rows'),
    timestamp: Math.floor(Date.parse(started.ts) / 1000),
  };
  const timed = timedEvents(store, events);
  // Each direction is in time order already; a stable sort interleaves them (and resizes).
  timed.sort((a, b) => a.ms - b.ms);
  return (
    [header, ...timed.map((entry) => entry.event)].map((line) => JSON.stringify(line)).join('\n') +
    '\n'
  );
}

/**
 * The last `maxBytes` of a session's recorded output (redacted), as text, with the terminal size
 * at its end: how an ended session's terminal is shown.
 */
export function recordedTail(
  store: AuditStore,
  sessionId: string,
  maxBytes = 2 * 1024 * 1024,
): { data: string; cols: number; rows: number } {
  const events = sessionEvents(store, sessionId);
  const sized = events.filter((e) => e.kind === 'terminal.started' || e.kind === 'terminal.resize');
  const size = sized.at(-1)?.payload ?? {};
  const chunks: Buffer[] = [];
  let bytes = 0;
  for (const event of events.filter((e) => e.kind === 'terminal.output').reverse()) {
    if (bytes >= maxBytes) break;
    const blob = store.getBlob(event.blobs[0] ?? '');
    if (!blob) break; // dropped by retention: what came before is gone from the tail too
    chunks.unshift(blob);
    bytes += blob.length;
  }
  const all = Buffer.concat(chunks);
  return {
    data: all.subarray(Math.max(0, all.length - maxBytes)).toString('utf8'),
    cols: typeof size.cols === 'number' ? size.cols : 80,
    rows: typeof size.rows === 'number' ? size.rows : 24,
  };
}

function sessionEvents(store: AuditStore, sessionId: string): AuditEvent[] {
  const all: AuditEvent[] = [];
  for (let page = store.list({ sessionId, limit: PAGE }); page.length > 0;) {
    all.push(...page);
    page = store.list({ sessionId, limit: PAGE, afterSeq: (page.at(-1) as AuditEvent).seq });
  }
  return all;
}

function timedEvents(store: AuditStore, events: readonly AuditEvent[]): Timed[] {
  const decoders = { output: new StreamDecoder('output'), input: new StreamDecoder('input') };
  const timed: Timed[] = [];
  for (const event of events) {
    if (event.kind === 'terminal.output' || event.kind === 'terminal.input') {
      const decoder = event.kind === 'terminal.output' ? decoders.output : decoders.input;
      timed.push(...decoder.chunk(event, store.getBlob(event.blobs[0] ?? '')));
    } else if (event.kind === 'terminal.resize') {
      const size = `${numberField(event.payload, 'cols')}x${numberField(event.payload, 'rows')}`;
      timed.push(at(numberField(event.payload, 'ms'), 'r', size));
    }
  }
  for (const decoder of Object.values(decoders)) timed.push(...decoder.end());
  return timed;
}

/** Decodes one direction's chunks, in stream order, into timed text events. */
class StreamDecoder {
  private decoder = new TextDecoder('utf-8');
  private lastMs = 0;

  constructor(private readonly stream: StreamName) {}

  chunk(event: AuditEvent, blob: Buffer | null): Timed[] {
    const frames = framesOf(event.payload);
    if (blob === null) return this.dropped(event.payload, frames);
    const timed: Timed[] = [];
    let position = 0;
    for (const [ms, bytes] of frames) {
      this.emit(
        timed,
        ms,
        this.decoder.decode(blob.subarray(position, position + bytes), { stream: true }),
      );
      position += bytes;
    }
    return timed;
  }

  /** What a decoder still holds (an incomplete character at the very end) comes out as U+FFFD. */
  end(): Timed[] {
    const timed: Timed[] = [];
    this.emit(timed, this.lastMs, this.decoder.decode());
    return timed;
  }

  /** Retention dropped this chunk's bytes: say so where they were, and start decoding afresh. */
  private dropped(payload: JsonObject, frames: readonly Frame[]): Timed[] {
    const timed = this.end();
    this.decoder = new TextDecoder('utf-8');
    const ms = frames[0]?.[0] ?? this.lastMs;
    timed.push(at(ms, 'm', `${this.stream}: ${numberField(payload, 'bytes')} bytes dropped`));
    return timed;
  }

  private emit(timed: Timed[], ms: number, text: string): void {
    this.lastMs = ms;
    if (text.length > 0) timed.push(at(ms, CODES[this.stream], text));
  }
}

function at(ms: number, code: AsciicastEvent[1], data: string): Timed {
  return { ms, event: [ms / 1000, code, data] };
}

function numberField(payload: JsonObject, name: string): number {
  const value = payload[name];
  if (typeof value !== 'number') throw new Error(`Recording event without a numeric ${name}.`);
  return value;
}

function framesOf(payload: JsonObject): Frame[] {
  const frames = payload.frames;
  if (!Array.isArray(frames) || !frames.every(isFrame))
    throw new Error('Recording chunk without valid frames.');
  return frames;
}

function isFrame(value: JsonValue): value is Frame {
  return Array.isArray(value) && value.length === 2 && value.every((n) => typeof n === 'number');
}
