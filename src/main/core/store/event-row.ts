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
  prev_hash: string;
  session_prev_hash: string | null;
  hash: string;
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
    prevHash: row.prev_hash,
    sessionPrevHash: row.session_prev_hash,
    hash: row.hash,
  };
}
