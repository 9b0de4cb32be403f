import Database from 'better-sqlite3';
import { unlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BreakKind } from '../../../shared/audit';
import { tempDir } from '../../../test-support/temp';
import {
  DELETE_ROW_3,
  EDIT_PAYLOAD_3,
  storeOfTenEvents,
  swapBlobs,
  tamper,
} from '../../../test-support/tampered-store';
import { paddockPaths } from '../home';
import { eventHash } from './event-hash';
import { hexOf, hexOrNull, type EventRow } from './event-row';
import { AuditStore } from './index';

/** A store of ten events (two sessions, two blobs), closed, ready to be tampered with. */
const closedStore = () => storeOfTenEvents(tempDir());

function verify(home: string) {
  const store = AuditStore.open({ home, readonly: true });
  try {
    return store.verify();
  } finally {
    store.close();
  }
}

function firstBreak(home: string): { kind: BreakKind; seq: number | null } {
  const report = verify(home);
  expect(report.ok).toBe(false);
  const [first] = report.problems;
  return { kind: first?.kind as BreakKind, seq: first?.seq ?? null };
}

const SWAP_ROWS_3_AND_4 = `
  CREATE TEMP TABLE r AS SELECT * FROM events WHERE seq IN (3, 4);
  UPDATE events SET id = 'moving-' || seq WHERE seq IN (3, 4);
  UPDATE events SET (id, ts, session_id, kind, actor, actor_id, payload, blobs, prev_hash, session_prev_hash, hash) =
    (SELECT id, ts, session_id, kind, actor, actor_id, payload, blobs, prev_hash, session_prev_hash, hash FROM r WHERE r.seq = 7 - events.seq)
  WHERE seq IN (3, 4);`;

describe('verify', () => {
  it('passes an untouched store', () => {
    const { home } = closedStore();
    expect(verify(home)).toMatchObject({
      ok: true,
      events: 10,
      sessions: 2,
      blobs: { referenced: 2, present: 2, dropped: 0 },
      problems: [],
    });
  });

  it('catches an edited payload', () => {
    const { home } = closedStore();
    tamper(home, EDIT_PAYLOAD_3);
    expect(firstBreak(home)).toEqual({ kind: 'edited', seq: 3 });
  });

  it('catches an event rewritten together with its own hash', () => {
    const { home } = closedStore();
    const db = new Database(paddockPaths(home).database, { readonly: true });
    const row = db.prepare('SELECT * FROM events WHERE seq = 5').get() as EventRow;
    db.close();
    const forged = {
      ...row,
      prev_hash: hexOf(row.prev_hash),
      session_prev_hash: hexOrNull(row.session_prev_hash),
      blobs: JSON.parse(row.blobs) as string[],
    };
    const hash = eventHash(forged, '{}');
    tamper(home, `UPDATE events SET payload = '{}', hash = X'${hash}' WHERE seq = 5`);
    // Row 5 matches its new hash, but row 6 still points at the original.
    expect(firstBreak(home)).toEqual({ kind: 'edited', seq: 5 });
  });

  it('catches a deleted row', () => {
    const { home } = closedStore();
    tamper(home, DELETE_ROW_3);
    expect(firstBreak(home)).toEqual({ kind: 'deleted', seq: 4 });
  });

  it('catches the first row deleted', () => {
    const { home } = closedStore();
    tamper(home, 'DELETE FROM events WHERE seq = 1');
    expect(firstBreak(home)).toEqual({ kind: 'deleted', seq: 2 });
  });

  it('catches two rows swapped', () => {
    const { home } = closedStore();
    tamper(home, SWAP_ROWS_3_AND_4);
    expect(firstBreak(home)).toEqual({ kind: 'reordered', seq: 3 });
  });

  it('catches the last rows cut off, using the checkpoint', () => {
    const { home } = closedStore();
    tamper(home, 'DELETE FROM events WHERE seq > 7');
    const report = verify(home);
    expect(report.problems.map((p) => p.kind)).toEqual(['truncated']);
    expect(report.problems[0]?.detail).toMatch(/recorded 10 events; only 7 remain/);
  });

  it('catches a cut tail even after Paddock reopened the store and appended to it', () => {
    const { home } = closedStore();
    tamper(home, 'DELETE FROM events WHERE seq > 7');
    const store = AuditStore.open({ home, checkpointEvery: 1 });
    for (let i = 0; i < 5; i++) store.append({ kind: 'later', actor: 'system', actorId: 't' });
    expect(store.list({ order: 'desc', limit: 6 }).map((e) => e.kind)).toContain(
      'store.checkpoint-mismatch',
    );
    store.close();
    expect(verify(home).problems.map((p) => p.kind)).toContain('truncated');
  });

  it('reports a missing checkpoint, since a cut tail could no longer be seen', () => {
    const { home } = closedStore();
    unlinkSync(paddockPaths(home).checkpoint);
    expect(firstBreak(home).kind).toBe('checkpoint-missing');
    writeFileSync(paddockPaths(home).checkpoint, '{"version":1');
    expect(firstBreak(home).kind).toBe('checkpoint-invalid');
  });

  it('catches an altered blob', () => {
    const { home, blobs } = closedStore();
    tamper(
      home,
      `UPDATE blobs SET content = CAST('forged output' AS BLOB) WHERE hash = '${blobs[0]}'`,
    );
    const report = verify(home);
    expect(report.problems).toMatchObject([{ kind: 'blob-altered', blobHash: blobs[0] }]);
  });

  it('catches two blobs swapped', () => {
    const { home, blobs } = closedStore();
    const [a, b] = blobs as [string, string];
    tamper(home, swapBlobs(a, b));
    expect(verify(home).problems.map((p) => p.kind)).toEqual(['blob-swapped', 'blob-swapped']);
  });

  it('tells a blob dropped with a tombstone from a blob that went missing', () => {
    const { home, blobs } = closedStore();
    const [dropped, lost] = blobs as [string, string];
    const store = AuditStore.open({ home });
    const tombstone = store.dropBlob(
      dropped,
      'retention: output older than 30 days',
      'policy',
      'retention',
    );
    expect(tombstone).toMatchObject({ kind: 'blob.dropped', payload: { hash: dropped } });
    expect(store.getBlob(dropped)).toBeNull();
    expect(store.verify()).toMatchObject({
      ok: true,
      blobs: { referenced: 2, present: 1, dropped: 1 },
    });
    store.close();
    tamper(home, `UPDATE blobs SET content = NULL WHERE hash = '${lost}'`);
    expect(verify(home).problems).toMatchObject([{ kind: 'blob-missing', blobHash: lost }]);
  });
});
