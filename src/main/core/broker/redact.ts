/**
 * Streams that look for exact values across chunk bounds: one that replaces secret values in
 * what flows back to an agent, and one that stops an upload at the first placeholder that must not
 * leave. A value split across two chunks is still caught: the end of a chunk that could be the
 * start of a value is held back until the next chunk shows whether it is. Only such a tail is
 * held, so a stream whose chunks end elsewhere (server-sent events end in a blank line) passes
 * through without delay.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** A value and what takes its place. */
export type Replacement = readonly [value: string, replacement: string];

/** `text` with every occurrence of `value` replaced by `replacement`. */
export function redactText(text: string, value: string, replacement: string): string {
  return value === '' ? text : text.split(value).join(replacement);
}

/** `text` with every value of the list replaced, in order. */
export function redactAll(text: string, replacements: readonly Replacement[]): string {
  return replacements.reduce(
    (out, [value, replacement]) => redactText(out, value, replacement),
    text,
  );
}

/** Base for streams that search for a few exact byte strings and hold back possible beginnings. */
abstract class NeedleStream extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  protected readonly needles: Buffer[];
  /** Bytes pushed downstream: what the reader receives. */
  bytesOut = 0;

  constructor(needles: readonly string[]) {
    super();
    this.needles = needles.map((needle) => Buffer.from(needle));
    if (!this.needles.length || this.needles.some((needle) => needle.length === 0))
      throw new Error('nothing to look for: a value is empty');
  }

  /** What to push for `data`, searched from 0; returns the pieces and where the search stopped. */
  protected abstract found(data: Buffer): { pieces: Buffer[]; cursor: number } | Error;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const result = this.found(data);
    if (result instanceof Error) return callback(result);
    // No whole value starts at or after the cursor; hold back the longest tail that is a proper
    // prefix of a value, since the next chunk may complete it.
    const hold = Math.max(...this.needles.map((needle) => heldTail(data, result.cursor, needle)));
    result.pieces.push(data.subarray(result.cursor, data.length - hold));
    this.pending = Buffer.from(data.subarray(data.length - hold));
    this.pushPieces(result.pieces);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.pushPieces([this.pending]);
    this.pending = Buffer.alloc(0);
    callback();
  }

  /** The first occurrence of any needle at or after `from`: [position, needle index], or null. */
  protected firstNeedle(data: Buffer, from: number): [number, number] | null {
    let best: [number, number] | null = null;
    this.needles.forEach((needle, index) => {
      const at = data.indexOf(needle, from);
      if (at !== -1 && (best === null || at < best[0])) best = [at, index];
    });
    return best;
  }

  private pushPieces(pieces: Buffer[]): void {
    const data = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
    if (data.length === 0) return;
    this.bytesOut += data.length;
    this.push(data);
  }
}

/** A stream that replaces every occurrence of each value with its replacement. */
export class ValueRedactor extends NeedleStream {
  private readonly replacements: Buffer[];

  constructor(replacements: readonly Replacement[]);
  constructor(value: string, replacement: string);
  constructor(first: string | readonly Replacement[], replacement?: string) {
    const pairs: readonly Replacement[] =
      typeof first === 'string' ? [[first, replacement ?? '']] : first;
    super(pairs.map(([value]) => value));
    this.replacements = pairs.map(([, text]) => Buffer.from(text));
  }

  protected found(data: Buffer): { pieces: Buffer[]; cursor: number } {
    const pieces: Buffer[] = [];
    let cursor = 0;
    for (let hit = this.firstNeedle(data, 0); hit; hit = this.firstNeedle(data, cursor)) {
      const [at, index] = hit;
      pieces.push(data.subarray(cursor, at), this.replacements[index] as Buffer);
      cursor = at + (this.needles[index] as Buffer).length;
    }
    return { pieces, cursor };
  }
}

/**
 * A stream that fails at the first of the given values, before any byte of it is passed on: the
 * error comes from `refusal(index)`, the value's index in the list.
 */
export class ValueStop extends NeedleStream {
  constructor(
    values: readonly string[],
    private readonly refusal: (index: number) => Error,
  ) {
    super(values);
  }

  protected found(data: Buffer): { pieces: Buffer[]; cursor: number } | Error {
    const hit = this.firstNeedle(data, 0);
    return hit ? this.refusal(hit[1]) : { pieces: [], cursor: 0 };
  }
}

/** The length of the longest suffix of data[from..] that is a proper prefix of `value`. */
function heldTail(data: Buffer, from: number, value: Buffer): number {
  const first = value[0];
  for (let start = Math.max(from, data.length - value.length + 1); start < data.length; start++) {
    if (data[start] !== first) continue;
    const tail = data.subarray(start);
    if (tail.equals(value.subarray(0, tail.length))) return tail.length;
  }
  return 0;
}
