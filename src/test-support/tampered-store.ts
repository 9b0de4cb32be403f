/**
 * A small closed audit store, and the ways an attacker with write access to its file would
 * change it (the append-only triggers dropped first). For tests only: verify, the CLI and the
 * Audit screen are each shown the same tampering.
 */
import Database from 'better-sqlite3';
import { paddockPaths } from '../main/core/home';
import { AuditStore } from '../main/core/store';

/** Ten events in two sessions (odd, even); events 4 and 6 carry a blob each. */
export function storeOfTenEvents(home: string): { home: string; blobs: string[] } {
  const store = AuditStore.open({ home });
  const blobs: string[] = [];
  for (let i = 1; i <= 10; i++) {
    const event = store.append({
      kind: 'command.run',
      actor: 'agent',
      actorId: 'claude',
      sessionId: i % 2 ? 'odd' : 'even',
      payload: { n: i, command: `step ${i}` },
      blobs: i === 4 || i === 6 ? [`output of step ${i}`] : [],
    });
    blobs.push(...event.blobs);
  }
  store.close();
  return { home, blobs };
}

/** Runs SQL against the store's file with its append-only triggers dropped. */
export function tamper(home: string, ...statements: string[]): void {
  const db = new Database(paddockPaths(home).database);
  db.exec(
    'DROP TRIGGER events_refuse_update; DROP TRIGGER events_refuse_delete; DROP TRIGGER blobs_refuse_rewrite; DROP TRIGGER blobs_refuse_delete;',
  );
  for (const sql of statements) db.exec(sql);
  db.close();
}

export const EDIT_PAYLOAD_3 = `UPDATE events SET payload = '{"command":"step 3 (harmless)","n":3}' WHERE seq = 3`;
export const DELETE_ROW_3 = 'DELETE FROM events WHERE seq = 3';

/** Swaps the contents of two blobs (each still named by its own hash). */
export function swapBlobs(a: string, b: string): string {
  return `CREATE TEMP TABLE c AS SELECT hash, content FROM blobs;
     UPDATE blobs SET content = (SELECT content FROM c WHERE c.hash = CASE blobs.hash WHEN '${a}' THEN '${b}' ELSE '${a}' END) WHERE hash IN ('${a}', '${b}');`;
}
