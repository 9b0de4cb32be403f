import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { paddockPaths } from '../home';
import { BLOBS_TABLE } from './blob-table';
import { applyMigrations } from './database';
import { sha256Hex } from './event-hash';
import { AuditStore, BlobWriter } from './index';

const RECORDED = Buffer.from('\x1b[32m✓\x1b[0m 12 tests passed\r\n');

/** A store and a writer on its blob file, as the recording thread holds one. */
function storeWithWriter() {
  const home = tempDir();
  const store = AuditStore.open({ home, checkpointEvery: 1_000_000 });
  const writer = BlobWriter.open(home);
  return { home, store, writer };
}

function appendChunk(store: AuditStore, hash: string) {
  return store.append({
    kind: 'terminal.output',
    actor: 'system',
    actorId: 'recorder',
    sessionId: 's1',
    payload: { offset: 0 },
    storedBlobs: [hash],
  });
}

describe('the blob file', () => {
  it('holds content written by another connection, which events name and verify checks', () => {
    const { home, store, writer } = storeWithWriter();
    const [hash] = writer.putMany([RECORDED]);
    const event = appendChunk(store, hash as string);
    expect(event.blobs).toEqual([hash]);
    expect(store.getBlob(hash as string)).toEqual(RECORDED);
    expect(store.verify()).toMatchObject({ ok: true, blobs: { referenced: 1, present: 1 } });
    expect(statSync(paddockPaths(home).blobFile).mode & 0o777).toBe(0o600);
    writer.close();
    store.close();

    const reader = AuditStore.open({ home, readonly: true });
    expect(reader.getBlob(hash as string)).toEqual(RECORDED);
    expect(reader.verify().ok).toBe(true);
    reader.close();
  });

  it('refuses an event that names content the blob file does not hold', () => {
    const { store } = storeWithWriter();
    expect(() => appendChunk(store, 'ab'.repeat(32))).toThrow(/not in the blob file/);
    expect(store.headInfo().seq).toBe(0);
  });

  it('lets verify find a recorded chunk altered in the blob file', () => {
    const { home, store, writer } = storeWithWriter();
    const [hash] = writer.putMany([RECORDED]);
    appendChunk(store, hash as string);
    writer.close();
    store.close();
    // The file refuses the edit through its triggers; an attacker drops them first.
    const db = new Database(paddockPaths(home).blobFile);
    db.exec('DROP TRIGGER blobs_refuse_rewrite');
    db.prepare('UPDATE blobs SET content = ? WHERE hash = ?').run(Buffer.from('edited'), hash);
    db.close();
    const report = AuditStore.open({ home, readonly: true }).verify();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'blob-altered', blobHash: hash });
  });

  it('refuses rewriting a stored blob, as the log does', () => {
    const { home, writer } = storeWithWriter();
    const [hash] = writer.putMany([RECORDED]);
    writer.close();
    const db = new Database(paddockPaths(home).blobFile);
    expect(() =>
      db.prepare('UPDATE blobs SET content = ? WHERE hash = ?').run(Buffer.from('x'), hash),
    ).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM blobs').run()).toThrow(/never deleted/);
    db.close();
  });

  it('drops stored content with a tombstone, and the chain still verifies', () => {
    const { store, writer } = storeWithWriter();
    const [hash] = writer.putMany([RECORDED]);
    appendChunk(store, hash as string);
    const tombstone = store.dropBlob(hash as string, 'retention', 'system', 'retention');
    expect(tombstone.kind).toBe('blob.dropped');
    expect(store.getBlob(hash as string)).toBeNull();
    expect(store.verify()).toMatchObject({ ok: true, blobs: { dropped: 1 } });
    expect(() => store.dropBlob(hash as string, 'again', 'system', 'retention')).toThrow(
      /No blob with content/,
    );
  });

  it('upgrades a file from before retention: dropped content may come back, freed pages go back', () => {
    const home = tempDir();
    const file = paddockPaths(home).blobFile;
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec(BLOBS_TABLE);
    old.pragma('user_version = 1');
    const hash = sha256Hex(RECORDED);
    old.prepare('INSERT INTO blobs VALUES (?, ?, ?)').run(hash, RECORDED.length, RECORDED);
    old.close();

    AuditStore.open({ home }).close();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2); // INCREMENTAL
    expect(db.prepare('SELECT content FROM blobs').pluck().get()).toEqual(RECORDED);
    db.close();
    const writer = BlobWriter.open(home);
    expect(writer.putMany([RECORDED])).toEqual([hash]);
    writer.close();
  });

  it('lets dropped content back into either blob table, and nothing else', () => {
    const home = tempDir();
    // A log at the schema before retention, migrated when the store opens it.
    const log = new Database(paddockPaths(home).database);
    applyMigrations(log, 0, 6);
    log.close();
    AuditStore.open({ home }).close();
    const hash = sha256Hex(RECORDED);
    for (const file of [paddockPaths(home).database, paddockPaths(home).blobFile]) {
      const db = new Database(file);
      db.prepare('INSERT INTO blobs VALUES (?, ?, ?)').run(hash, RECORDED.length, RECORDED);
      const set = db.prepare('UPDATE blobs SET content = ? WHERE hash = ?');
      expect(() => set.run(Buffer.alloc(RECORDED.length), hash)).toThrow(/immutable/);
      set.run(null, hash);
      expect(() => set.run(Buffer.from('short'), hash)).toThrow(/immutable/);
      set.run(RECORDED, hash);
      expect(db.prepare('SELECT content FROM blobs').pluck().get()).toEqual(RECORDED);
      expect(() => db.prepare('DELETE FROM blobs').run()).toThrow(/never deleted/);
      db.close();
    }
  });
});
