/**
 * A recorded session as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a header
 * line, then one JSON array per event: `[seconds, "o", text]` for output, `"i"` for input,
 * `"r"` with `"COLSxROWS"` for a resize, `"m"` (marker) where retention dropped a chunk's bytes.
 *
 * Content that retention (or a redaction) dropped: the events stay, the bytes are gone. Each run of
 * dropped chunks becomes one marker saying how much, up to when, and who dropped it, when and why
 * (from the tombstones); dropped output also gets a line in the output, so whoever watches the
 * replay or the ended session's terminal sees where it starts.
 *
 * asciicast carries text, so the bytes are decoded as UTF-8, one streaming decoder per direction:
 * a character split across chunks or frames comes out whole. Bytes that are not UTF-8 at all
 * become U+FFFD, as in any asciicast.
 */
import type { AuditEvent, JsonObject, JsonValue } from '../../../shared/audit';
import { findTombstones, type AuditStore, type Tombstone } from '../store';
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
  let dropped = '';
  for (const event of events.filter((e) => e.kind === 'terminal.output').reverse()) {
    if (bytes >= maxBytes) break;
    const blob = store.getBlob(event.blobs[0] ?? '');
    if (!blob) {
      // Dropped (by retention, as a rule the oldest output): what came before goes with it.
      const upTo = numberOr(event.payload.offset, 0) + numberOr(event.payload.bytes, 0);
      const endMs = framesOf(event.payload).at(-1)?.[0] ?? 0;
      const tombstone = new DropNotes(store, [event]).of(event);
      const what = `the output before this point (${upTo} bytes, up to ${seconds(endMs)})`;
      dropped = `${droppedLine(what, tombstone)}\r\n`;
      break;
    }
    chunks.unshift(blob);
    bytes += blob.length;
  }
  const all = Buffer.concat(chunks);
  return {
    data: dropped + all.subarray(Math.max(0, all.length - maxBytes)).toString('utf8'),
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
  const notes = new DropNotes(store, events);
  const decoders = {
    output: new StreamDecoder('output', notes),
    input: new StreamDecoder('input', notes),
  };
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

/** A run of chunks of one stream whose content was dropped, by the same hand for the same reason. */
interface DroppedRun {
  fromMs: number;
  toMs: number;
  bytes: number;
  tombstone: Tombstone | undefined;
}

/** Decodes one direction's chunks, in stream order, into timed text events. */
class StreamDecoder {
  private decoder = new TextDecoder('utf-8');
  private lastMs = 0;
  private run: DroppedRun | null = null;
  private seenContent = false;

  constructor(
    private readonly stream: StreamName,
    private readonly notes: DropNotes,
  ) {}

  chunk(event: AuditEvent, blob: Buffer | null): Timed[] {
    const frames = framesOf(event.payload);
    if (blob === null) return this.dropped(event, frames);
    const timed = this.endRun();
    this.seenContent = true;
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
    timed.push(...this.endRun());
    return timed;
  }

  /** Retention dropped this chunk's bytes: one marker for the whole run, and decoding afresh after. */
  private dropped(event: AuditEvent, frames: readonly Frame[]): Timed[] {
    const bytes = numberField(event.payload, 'bytes');
    const fromMs = frames[0]?.[0] ?? this.lastMs;
    const toMs = frames.at(-1)?.[0] ?? fromMs;
    const tombstone = this.notes.of(event);
    if (this.run && sameHand(this.run.tombstone, tombstone)) {
      this.run.bytes += bytes;
      this.run.toMs = toMs;
      return [];
    }
    const timed: Timed[] = [];
    if (this.run) timed.push(...this.endRun());
    else {
      // What the decoder holds of the chunk before cannot be finished: U+FFFD, and start afresh.
      this.emit(timed, this.lastMs, this.decoder.decode());
      this.decoder = new TextDecoder('utf-8');
    }
    this.run = { fromMs, toMs, bytes, tombstone };
    return timed;
  }

  private endRun(): Timed[] {
    const run = this.run;
    if (run === null) return [];
    this.run = null;
    this.lastMs = run.toMs;
    const span = this.seenContent
      ? `from ${seconds(run.fromMs)} to ${seconds(run.toMs)}`
      : `up to ${seconds(run.toMs)}`;
    const what = `the ${this.stream} ${span} (${run.bytes} bytes)`;
    const timed = [
      at(
        run.fromMs,
        'm',
        `${this.stream} dropped: ${tombstoneNote(span, run.bytes, run.tombstone)}`,
      ),
    ];
    if (this.stream === 'output')
      timed.push(at(run.fromMs, 'o', `${droppedLine(what, run.tombstone)}\r\n`));
    return timed;
  }

  private emit(timed: Timed[], ms: number, text: string): void {
    this.lastMs = ms;
    if (text.length > 0) timed.push(at(ms, CODES[this.stream], text));
  }
}

/**
 * Who dropped a chunk's content, when and why, from its tombstone: looked up once, in one pass
 * over the events after the first dropped chunk, and only if a replay meets one.
 */
class DropNotes {
  private found: Map<string, Tombstone> | null = null;

  constructor(
    private readonly store: AuditStore,
    private readonly events: readonly AuditEvent[],
  ) {}

  of(event: AuditEvent): Tombstone | undefined {
    const hash = event.blobs[0] ?? '';
    this.found ??= findTombstones(
      this.store,
      new Set(this.events.filter((e) => e.seq >= event.seq).flatMap((e) => e.blobs)),
      event.seq,
    );
    return this.found.get(hash);
  }
}

function sameHand(a: Tombstone | undefined, b: Tombstone | undefined): boolean {
  return a?.reason === b?.reason && a?.actorId === b?.actorId;
}

/** `[paddock: WHAT was dropped on DATE by ACTOR (REASON)]`, or missing when no tombstone says so. */
function droppedLine(what: string, tombstone: Tombstone | undefined): string {
  return tombstone
    ? `[paddock: ${what} was dropped on ${tombstone.ts.slice(0, 10)} by ${tombstone.actor}:${tombstone.actorId} (${tombstone.reason})]`
    : `[paddock: ${what} is missing, and no tombstone says it was dropped: run \`paddock audit verify\`]`;
}

function tombstoneNote(span: string, bytes: number, tombstone: Tombstone | undefined): string {
  const what = `${bytes} bytes ${span}`;
  return tombstone
    ? `${what}, ${tombstone.reason} (${tombstone.ts.slice(0, 10)}, ${tombstone.actor}:${tombstone.actorId})`
    : `${what}, missing without a tombstone`;
}

/** Time into the recording: `83.5 s`. */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function numberOr(value: JsonValue | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
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
