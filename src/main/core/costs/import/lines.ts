/**
 * Reading a transcript line by line in bounded memory: the file is read in 1 MiB chunks into one
 * reused buffer, and a line is handed over as a view of it (copied only when it spans two chunks).
 * A line longer than MAX_LINE is passed over unread and counted; no usage entry is that long.
 */
import { open } from 'node:fs/promises';

export const MAX_LINE = 16 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const NEWLINE = 0x0a;

export interface LineCounts {
  lines: number;
  bytes: number;
  longLines: number;
}

/**
 * Called with each line (without its newline) and its number from 1. The buffer is valid only
 * during the call. Returning false stops reading.
 */
export type OnLine = (line: Buffer, lineNo: number) => unknown;

export async function readLines(path: string, onLine: OnLine, counts: LineCounts): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer[] = [];
    let carried = 0;
    let overLong = false;
    let lineNo = 0;
    const deliver = (line: Buffer): boolean => {
      lineNo++;
      counts.lines++;
      if (overLong) {
        overLong = false;
        counts.longLines++;
        return true;
      }
      return onLine(line, lineNo) !== false;
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      counts.bytes += bytesRead;
      const chunk = buffer.subarray(0, bytesRead);
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, end);
        if (carried + piece.length > MAX_LINE) overLong = true;
        const line = carried > 0 && !overLong ? Buffer.concat([...carry, piece]) : piece;
        if (carried > 0) {
          carry = [];
          carried = 0;
        }
        start = end + 1;
        if (!deliver(line)) return;
      }
      if (start < bytesRead && !overLong) {
        const rest = chunk.subarray(start);
        if (carried + rest.length > MAX_LINE) {
          overLong = true;
          carry = [];
          carried = 0;
        } else {
          carry.push(Buffer.from(rest)); // the chunk buffer is reused by the next read
          carried += rest.length;
        }
      }
    }
    // A last line without a newline (a file still being written, or cut short).
    if (carried > 0 || overLong) deliver(Buffer.concat(carry));
  } finally {
    await handle.close();
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * How a line that cannot hold usage is checked without parsing it (most of a transcript is such
 * lines, many of them large): blank, or shaped like one JSON object, or malformed.
 */
export function lineShape(line: Buffer): 'blank' | 'object' | 'malformed' {
  let first = 0;
  let last = line.length - 1;
  while (first <= last && isSpace(line[first] as number)) first++;
  while (last >= first && isSpace(line[last] as number)) last--;
  if (first > last) return 'blank';
  return line[first] === OPEN_BRACE && line[last] === CLOSE_BRACE ? 'object' : 'malformed';
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;
}

/** The parsed line, when it is one JSON object; null otherwise. */
export function parseObject(line: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line.toString('utf8'));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
