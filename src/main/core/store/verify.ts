/**
 * Recomputes the whole chain, every session's own chain, every referenced blob and the checkpoint,
 * and says where the first break is and what kind it is. Detection is certain (any change to a row
 * breaks a hash); the kind is the most likely explanation of what the break looks like.
 */
import {
  GENESIS_HASH,
  type Actor,
  type ChainBreak,
  type DroppedContent,
  type JsonObject,
  type VerifyReport,
} from '../../../shared/audit';
import type { CheckpointRead } from './checkpoint';
import { canonicalJson } from './canonical-json';
import type { Db } from './database';
import { eventHash, sha256Hex } from './event-hash';
import { hexOf, hexOrNull, type EventRow } from './event-row';

/** An events row with its digests as hex, as they are hashed. */
type HexRow = Omit<EventRow, 'prev_hash' | 'session_prev_hash' | 'hash'> & {
  prev_hash: string;
  session_prev_hash: string | null;
  hash: string;
};

function toHexRow(row: EventRow): HexRow {
  return {
    ...row,
    prev_hash: hexOf(row.prev_hash),
    session_prev_hash: hexOrNull(row.session_prev_hash),
    hash: hexOf(row.hash),
  };
}

const MAX_PROBLEMS = 100;

export function verifyChain(db: Db, checkpointRead: CheckpointRead): VerifyReport {
  const started = performance.now();
  const problems: ChainBreak[] = [];
  const report = (problem: ChainBreak): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };
  const checkpoint = checkpointRead.state === 'ok' ? checkpointRead.checkpoint : null;
  const positions = lazyHashPositions(db);
  const sessionHeads = new Map<string, string>();
  /** Each referenced blob, and the last event that names it. */
  const referenced = new Map<string, number>();
  /** Each blob's last intact tombstone: it covers the events before it. */
  const tombstones = new Map<string, number>();
  const dropped = new DroppedSummary();
  let expectedPrev = GENESIS_HASH;
  let previous: HexRow | null = null;
  let position = 0;
  let hashAtCheckpoint: string | null = null;

  for (const raw of db
    .prepare('SELECT * FROM events ORDER BY seq')
    .iterate() as IterableIterator<EventRow>) {
    const row = toHexRow(raw);
    position++;
    const at = { seq: row.seq, eventId: row.id };
    const parsed = parseRow(row);
    const intact =
      parsed !== null && eventHash(parsed.fields, canonicalJson(parsed.payload)) === row.hash;
    if (!intact) {
      report({
        kind: 'edited',
        ...at,
        detail: `event #${row.seq} no longer matches its hash: its content was changed after it was written`,
      });
    } else if (row.prev_hash !== expectedPrev) {
      report(classifyBrokenLink(row, previous, positions, position));
    } else if (
      row.session_id !== null &&
      row.session_prev_hash !== (sessionHeads.get(row.session_id) ?? GENESIS_HASH)
    ) {
      report({
        kind: 'session-link',
        ...at,
        detail: `event #${row.seq} does not follow the previous event of session ${row.session_id}`,
      });
    }
    if (parsed) for (const hash of parsed.fields.blobs) referenced.set(hash, row.seq);
    if (intact && row.kind === 'blob.dropped' && typeof parsed?.payload.hash === 'string') {
      tombstones.set(parsed.payload.hash, row.seq);
      dropped.add(row, parsed.payload);
    }
    if (row.session_id !== null) sessionHeads.set(row.session_id, row.hash);
    if (checkpoint && position === checkpoint.count) hashAtCheckpoint = row.hash;
    expectedPrev = row.hash;
    previous = row;
  }

  checkCheckpoint(checkpointRead, position, hashAtCheckpoint, report);
  const blobs = checkBlobs(db, referenced, tombstones, report);
  return {
    ok: problems.length === 0,
    events: position,
    sessions: sessionHeads.size,
    head: expectedPrev,
    blobs,
    checkpoint: checkpoint && {
      seq: checkpoint.seq,
      count: checkpoint.count,
      head: checkpoint.head,
      writtenAt: checkpoint.writtenAt,
    },
    problems,
    durationMs: Math.round(performance.now() - started),
    dropped: dropped.entries(),
  };
}

const MAX_DROPPED_ENTRIES = 100;

/** The tombstones, summed by who dropped the content and why (see `VerifyReport.dropped`). */
class DroppedSummary {
  private readonly byCause = new Map<string, DroppedContent>();

  add(row: HexRow, payload: JsonObject): void {
    const reason = typeof payload.reason === 'string' ? payload.reason : '';
    const actor = row.actor as Actor;
    const key = JSON.stringify([actor, row.actor_id, reason]);
    let entry = this.byCause.get(key);
    if (!entry) {
      if (this.byCause.size >= MAX_DROPPED_ENTRIES) return;
      const at = { seq: row.seq, ts: row.ts };
      entry = {
        reason,
        actor,
        actorId: row.actor_id,
        blobs: 0,
        bytes: 0,
        events: 0,
        first: at,
        last: at,
      };
      this.byCause.set(key, entry);
    }
    entry.blobs++;
    if (typeof payload.bytes === 'number') entry.bytes += payload.bytes;
    if (Array.isArray(payload.events)) entry.events += payload.events.length;
    entry.last = { seq: row.seq, ts: row.ts };
  }

  entries(): DroppedContent[] {
    return [...this.byCause.values()];
  }
}

function parseRow(row: HexRow) {
  try {
    const payload = JSON.parse(row.payload) as JsonObject;
    const blobs = JSON.parse(row.blobs) as unknown;
    if (!Array.isArray(blobs) || !blobs.every((b) => typeof b === 'string')) return null;
    const { id, ts, session_id, kind, actor, actor_id, prev_hash, session_prev_hash } = row;
    return {
      payload,
      fields: {
        id,
        ts,
        session_id,
        kind,
        actor,
        actor_id,
        blobs: blobs as string[],
        prev_hash,
        session_prev_hash,
      },
    };
  } catch {
    return null;
  }
}

/** The row is intact but does not point at the row before it. */
function classifyBrokenLink(
  row: HexRow,
  previous: HexRow | null,
  positions: () => Map<string, number>,
  position: number,
): ChainBreak {
  const at = { seq: row.seq, eventId: row.id };
  const pointsAt = positions().get(row.prev_hash);
  if (pointsAt !== undefined) {
    return {
      kind: 'reordered',
      ...at,
      detail: `event #${row.seq} (position ${position}) follows the event at position ${pointsAt}: rows were moved`,
    };
  }
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (row.seq !== expectedSeq || previous === null) {
    const missing = row.seq - expectedSeq;
    return {
      kind: 'deleted',
      ...at,
      detail:
        missing > 0
          ? `${missing} event(s) before #${row.seq} are missing (#${expectedSeq}–#${row.seq - 1})`
          : `the event before #${row.seq} is missing`,
    };
  }
  return {
    kind: 'edited',
    seq: previous.seq,
    eventId: previous.id,
    detail: `event #${previous.seq} was rewritten together with its hash: event #${row.seq} still points at the original`,
  };
}

function lazyHashPositions(db: Db): () => Map<string, number> {
  let positions: Map<string, number> | null = null;
  return () => {
    if (positions) return positions;
    positions = new Map();
    let position = 0;
    for (const { hash } of db
      .prepare('SELECT hash FROM events ORDER BY seq')
      .iterate() as IterableIterator<Pick<EventRow, 'hash'>>) {
      positions.set(hexOf(hash), ++position);
    }
    return positions;
  };
}

function checkCheckpoint(
  read: CheckpointRead,
  events: number,
  hashAtCheckpoint: string | null,
  report: (p: ChainBreak) => void,
): void {
  const none = { seq: null, eventId: null };
  if (read.state === 'absent') {
    if (events > 0)
      report({
        kind: 'checkpoint-missing',
        ...none,
        detail:
          'the checkpoint file beside the database is missing, so a cut tail cannot be ruled out',
      });
    return;
  }
  if (read.state === 'invalid') {
    report({
      kind: 'checkpoint-invalid',
      ...none,
      detail: `the checkpoint file cannot be read: ${read.reason}`,
    });
    return;
  }
  const { checkpoint } = read;
  if (events < checkpoint.count) {
    report({
      kind: 'truncated',
      ...none,
      detail: `the checkpoint of ${checkpoint.writtenAt} recorded ${checkpoint.count} events; only ${events} remain: the last ${checkpoint.count - events} were cut off`,
    });
  } else if (checkpoint.count > 0 && hashAtCheckpoint !== checkpoint.head) {
    report({
      kind: 'truncated',
      ...none,
      detail: `event ${checkpoint.count} is not the head the checkpoint of ${checkpoint.writtenAt} recorded: the tail was cut and rewritten`,
    });
  }
}

function checkBlobs(
  db: Db,
  referenced: Map<string, number>,
  tombstones: Map<string, number>,
  report: (p: ChainBreak) => void,
) {
  const get = db.prepare(
    'SELECT content FROM all_blobs WHERE hash = ? ORDER BY content IS NULL LIMIT 1',
  );
  const counts = { referenced: referenced.size, present: 0, dropped: 0 };
  for (const [hash, lastSeq] of referenced) {
    const row = get.get(hash) as { content: Buffer | null } | undefined;
    if (!row || row.content === null) {
      const tombstone = tombstones.get(hash);
      // A tombstone declares the content of the events before it dropped, not of later ones.
      if (tombstone !== undefined && tombstone > lastSeq) counts.dropped++;
      else
        report({
          kind: 'blob-missing',
          seq: null,
          eventId: null,
          blobHash: hash,
          detail:
            tombstone === undefined
              ? `blob ${hash.slice(0, 12)}… is referenced by an event but its content is gone and no tombstone declares it dropped`
              : `blob ${hash.slice(0, 12)}… is gone, but event #${lastSeq} names it after its tombstone (#${tombstone}) declared it dropped`,
        });
      continue;
    }
    const actual = sha256Hex(row.content);
    if (actual === hash) counts.present++;
    else if (referenced.has(actual))
      report({
        kind: 'blob-swapped',
        seq: null,
        eventId: null,
        blobHash: hash,
        detail: `blob ${hash.slice(0, 12)}… holds the content of blob ${actual.slice(0, 12)}…`,
      });
    else
      report({
        kind: 'blob-altered',
        seq: null,
        eventId: null,
        blobHash: hash,
        detail: `blob ${hash.slice(0, 12)}… was altered: its content hashes to ${actual.slice(0, 12)}…`,
      });
  }
  return counts;
}
