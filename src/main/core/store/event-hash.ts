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

/** `payloadJson` must be the canonical JSON of `row.payload`; it is passed in to avoid a second walk. */
export function eventHash(row: Omit<HashedRow, 'payload'>, payloadJson: string): string {
  // Keys in RFC 8785 order; the test checks this equals canonicalJson of the whole row.
  const canonical =
    `{"actor":${quote(row.actor)},"actor_id":${quote(row.actor_id)},` +
    `"blobs":${blobList(row.blobs)},"id":${quote(row.id)},"kind":${quote(row.kind)},` +
    `"payload":${payloadJson},"prev_hash":${quote(row.prev_hash)},` +
    `"session_id":${canonicalJson(row.session_id)},"session_prev_hash":${canonicalJson(row.session_prev_hash)},` +
    `"ts":${quote(row.ts)}}`;
  return sha256Hex(row.prev_hash + canonical);
}

export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

/** The blob list as canonical JSON: hex hashes need no escaping, and most events have none. */
export function blobList(blobs: readonly string[]): string {
  return blobs.length === 0 ? '[]' : canonicalJson(blobs);
}
