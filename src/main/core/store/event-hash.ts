/**
 * hash = sha256(prev_hash ‖ RFC 8785 canonical JSON of the row without its hash), over the column
 * names as they are in the database, so that anyone with the file and this comment can check it.
 */
import { hash } from 'node:crypto';
import type { Actor, JsonObject } from '../../../shared/audit';
import { canonicalJson, quote } from './canonical-json';

export interface HashedRow {
  id: string;
  ts: string;
  session_id: string | null;
  kind: string;
  actor: Actor;
  actor_id: string;
  payload: JsonObject;
  blobs: string[];
  prev_hash: string;
  session_prev_hash: string | null;
}

/** A SHA-256 digest in both forms the store needs: hex for the chain's JSON, bytes for the row. */
export interface Digest {
  hex: string;
  bytes: Buffer;
}

export const GENESIS_DIGEST: Digest = { hex: '0'.repeat(64), bytes: Buffer.alloc(32) };

/** `payloadJson` must be the canonical JSON of `row.payload`; it is passed in to avoid a second walk. */
export function eventHash(row: Omit<HashedRow, 'payload'>, payloadJson: string): string {
  return hash('sha256', hashedText(row, payloadJson), 'hex');
}

export function eventDigest(row: Omit<HashedRow, 'payload'>, payloadJson: string): Digest {
  const bytes = hash('sha256', hashedText(row, payloadJson), 'buffer');
  return { hex: bytes.toString('hex'), bytes };
}

function hashedText(row: Omit<HashedRow, 'payload'>, payloadJson: string): string {
  // Keys in RFC 8785 order; the test checks this equals canonicalJson of the whole row. Hex digests
  // need no escaping; every other string goes through quote().
  const sessionPrev = row.session_prev_hash === null ? 'null' : `"${row.session_prev_hash}"`;
  const canonical =
    `{"actor":${quote(row.actor)},"actor_id":${quote(row.actor_id)},` +
    `"blobs":${blobList(row.blobs)},"id":${quote(row.id)},"kind":${quote(row.kind)},` +
    `"payload":${payloadJson},"prev_hash":"${row.prev_hash}",` +
    `"session_id":${row.session_id === null ? 'null' : quote(row.session_id)},"session_prev_hash":${sessionPrev},` +
    `"ts":${quote(row.ts)}}`;
  return row.prev_hash + canonical;
}

export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

/** The blob list as canonical JSON: hex hashes need no escaping, and most events have none. */
export function blobList(blobs: readonly string[]): string {
  return blobs.length === 0 ? '[]' : canonicalJson(blobs);
}
