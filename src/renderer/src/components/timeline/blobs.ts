/**
 * Reading what an entry's blobs hold, when an entry is opened: a command's output, a run of
 * terminal chunks. Content dropped by retention reads as null; its tombstone (a `blob.dropped`
 * event naming the hash) says when and why, and is found by searching for the hash.
 */
import type { AuditEvent } from '../../../../shared/audit';
import { api } from '../../api/connection';
import type { Chunk } from './entries';

/** What a single blob read gives. */
export type BlobRead =
  | { status: 'loaded'; text: string; bytes: number; truncated: boolean }
  | { status: 'dropped'; tombstone: AuditEvent | null };

/** How much of one blob is read at first; "Load all" reads up to the contract's most. */
export const FIRST_READ = 256 * 1024;
export const WHOLE_READ = 16 * 1024 * 1024;
/** Of a run of chunks: read this many bytes at a time, this many calls at once. */
export const RUN_READ = 64 * 1024;
const PARALLEL = 16;

/** Rows scroll out of the DOM and back: the last blobs read are kept. */
const CACHE_SIZE = 300;
const cache = new Map<string, BlobRead>();

function remember(key: string, read: BlobRead): BlobRead {
  cache.delete(key);
  cache.set(key, read);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return read;
}

/** The tombstone of a dropped blob, or null when no event declares the drop. */
export async function findTombstone(hash: string): Promise<AuditEvent | null> {
  const hits = await api.audit.search({ text: hash, kinds: ['blob.dropped'], limit: 5 });
  return hits.find((event) => event.payload.hash === hash) ?? null;
}

export async function readBlob(hash: string, limit = FIRST_READ): Promise<BlobRead> {
  const key = `${hash}:${limit}`;
  const known = cache.get(key);
  if (known) return known;
  const blob = await api.audit.blob({ hash, limit });
  if (blob) return remember(key, { status: 'loaded', ...blob });
  return remember(key, {
    status: 'dropped',
    tombstone: await findTombstone(hash).catch(() => null),
  });
}

/** One chunk of a run, read: its text, or that its content was dropped. */
export interface ChunkText {
  seq: number;
  text: string | null;
  bytes: number;
  tombstone: AuditEvent | null;
}

/**
 * Reads chunks from `from` on until about `budget` bytes are read; returns them in order and
 * where to go on from.
 */
export async function readChunks(
  chunks: readonly Chunk[],
  from: number,
  budget = RUN_READ,
): Promise<{ texts: ChunkText[]; next: number }> {
  let next = from;
  let planned = 0;
  while (next < chunks.length && (planned === 0 || planned < budget)) {
    planned += (chunks[next] as Chunk).bytes;
    next++;
  }
  const wanted = chunks.slice(from, next);
  const texts: ChunkText[] = [];
  for (let at = 0; at < wanted.length; at += PARALLEL) {
    const batch = wanted.slice(at, at + PARALLEL);
    texts.push(...(await Promise.all(batch.map(readChunk))));
  }
  return { texts, next };
}

async function readChunk(chunk: Chunk): Promise<ChunkText> {
  if (!chunk.hash) return { seq: chunk.seq, text: null, bytes: chunk.bytes, tombstone: null };
  const read = await readBlob(chunk.hash, WHOLE_READ);
  return read.status === 'loaded'
    ? { seq: chunk.seq, text: read.text, bytes: chunk.bytes, tombstone: null }
    : { seq: chunk.seq, text: null, bytes: chunk.bytes, tombstone: read.tombstone };
}

/** CSI and OSC sequences and other escapes: colours and cursor moves, not text. */
// eslint-disable-next-line no-control-regex -- matching the terminal's escape character is the point
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

/**
 * Terminal output as text to read: escape sequences (colours, cursor moves) left out. What is left
 * is still shown escaped (a lone carriage return, a bidi control stays visible).
 */
export function readableOutput(text: string): string {
  return text.replace(ESCAPES, '');
}
