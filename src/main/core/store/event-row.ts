import type { Actor, AuditEvent, JsonObject } from '../../../shared/audit';

/** An events row as SQLite returns it. */
export interface EventRow {
  seq: number;
  id: string;
  ts: string;
  session_id: string | null;
  kind: string;
  actor: Actor;
  actor_id: string;
  payload: string;
  blobs: string;
  /** Digests are blobs; a value of another type means someone wrote the row by hand. */
  prev_hash: Uint8Array | string;
  session_prev_hash: Uint8Array | string | null;
  hash: Uint8Array | string;
}

/** A digest column as hex. Anything but a 32-byte blob is marked so it can never match a real hash. */
export function hexOf(value: Uint8Array | string): string {
  if (typeof value === 'string') return `not-a-digest:${value}`;
  return value.byteLength === 32
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
    : `not-a-digest:${Buffer.from(value).toString('hex')}`;
}

export function hexOrNull(value: Uint8Array | string | null): string | null {
  return value === null ? null : hexOf(value);
}

export function rowToEvent(row: EventRow): AuditEvent {
  return {
    seq: row.seq,
    id: row.id,
    ts: row.ts,
    sessionId: row.session_id,
    kind: row.kind,
    actor: row.actor,
    actorId: row.actor_id,
    payload: JSON.parse(row.payload) as JsonObject,
    blobs: JSON.parse(row.blobs) as string[],
    prevHash: hexOf(row.prev_hash),
    sessionPrevHash: hexOrNull(row.session_prev_hash),
    hash: hexOf(row.hash),
  };
}
