/**
 * Reads the output of `git diff --raw --numstat --patch -z`: raw records (status and paths), then
 * numstat records in the same order (line counts), then a NUL, then the unified patch. Paths are
 * NUL-terminated, so no name can be mistaken for a separator.
 */
import type { FileChange } from '../../../shared/sessions';

export interface ParsedDiff {
  files: FileChange[];
  patch: string;
}

interface RawRecord {
  status: FileChange['status'];
  path: string;
  oldPath?: string;
}

interface LineCounts {
  path: string;
  additions: number | null;
  deletions: number | null;
}

const NUL = 0;
const COLON = 0x3a;

export function parseDiffOutput(output: Buffer): ParsedDiff {
  const fields = new FieldReader(output);
  const records: RawRecord[] = [];
  while (fields.next() === COLON) records.push(readRawRecord(fields));
  const files = records.map((record) => withCounts(record, readLineCounts(fields)));
  if (fields.next() === NUL) fields.skip(1);
  return { files, patch: fields.rest() };
}

function readRawRecord(fields: FieldReader): RawRecord {
  // ":<old mode> <new mode> <old id> <new id> <status letter><score?>"
  const letter = fields.read().split(' ').pop()?.charAt(0);
  const first = fields.read();
  switch (letter) {
    case 'A':
    case 'M':
    case 'D':
    case 'T':
      return { status: letter, path: first };
    case 'R':
      return { status: 'R', oldPath: first, path: fields.read() };
    // A copy is a new file (only found with -C, which Paddock does not ask for).
    case 'C':
      return { status: 'A', path: fields.read() };
    default:
      throw new Error(`git diff reported an unexpected status "${letter}" for ${first}`);
  }
}

function readLineCounts(fields: FieldReader): LineCounts {
  // "<added>\t<deleted>\t<path>", or for a rename "<added>\t<deleted>\t" then old and new paths.
  const [added = '', deleted = '', ...rest] = fields.read().split('\t');
  let path = rest.join('\t');
  if (path === '') {
    fields.read();
    path = fields.read();
  }
  return { path, additions: count(added), deletions: count(deleted) };
}

/** `-` is git's count for a binary file: no lines to count. */
function count(text: string): number | null {
  return text === '-' ? null : Number(text);
}

function withCounts(record: RawRecord, counts: LineCounts): FileChange {
  if (counts.path !== record.path)
    throw new Error(`git diff listed ${record.path} and ${counts.path} out of step`);
  return { ...record, additions: counts.additions, deletions: counts.deletions };
}

class FieldReader {
  private offset = 0;

  constructor(private readonly bytes: Buffer) {}

  /** The next byte, without consuming it. */
  next(): number | undefined {
    return this.bytes[this.offset];
  }

  read(): string {
    const end = this.bytes.indexOf(NUL, this.offset);
    if (end < 0) throw new Error('git diff output ended in the middle of a record');
    const field = this.bytes.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return field;
  }

  skip(count: number): void {
    this.offset += count;
  }

  rest(): string {
    return this.bytes.toString('utf8', this.offset);
  }
}
