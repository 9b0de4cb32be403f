/**
 * Removing a secret's value from what flows back to an agent: header values in one go, bodies as
 * a stream. A value split across two chunks is still caught: the end of a chunk that could be the
 * start of the value is held back until the next chunk shows whether it is. Only such a tail is
 * held, so a stream whose chunks end elsewhere (server-sent events end in a blank line) passes
 * through without delay.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** `text` with every occurrence of `value` replaced by `replacement`. */
export function redactText(text: string, value: string, replacement: string): string {
  return value === '' ? text : text.split(value).join(replacement);
}

/** A stream that replaces every occurrence of `value` with `replacement`, across chunk bounds. */
export class ValueRedactor extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private readonly value: Buffer;
  private readonly replacement: Buffer;
  /** Bytes pushed downstream: what the reader receives. */
  bytesOut = 0;

  constructor(value: string | Buffer, replacement: string | Buffer) {
    super();
    this.value = Buffer.from(value);
    this.replacement = Buffer.from(replacement);
    if (this.value.length === 0) throw new Error('nothing to redact: the value is empty');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const value = this.value;
    const out: Buffer[] = [];
    let cursor = 0;
    for (let at = data.indexOf(value); at !== -1; at = data.indexOf(value, cursor)) {
      out.push(data.subarray(cursor, at), this.replacement);
      cursor = at + value.length;
    }
    // No whole value starts before `cursor` or after it; hold back the longest tail that is a
    // proper prefix of the value, since the next chunk may complete it.
    const hold = heldTail(data, cursor, value);
    out.push(data.subarray(cursor, data.length - hold));
    this.pending = Buffer.from(data.subarray(data.length - hold));
    this.pushPieces(out);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.pushPieces([this.pending]);
    this.pending = Buffer.alloc(0);
    callback();
  }

  private pushPieces(pieces: Buffer[]): void {
    const data = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
    if (data.length === 0) return;
    this.bytesOut += data.length;
    this.push(data);
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
