import Database from 'better-sqlite3';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../../shared/audit';
import { tempDir } from '../../../test-support/temp';
import { paddockPaths } from '../home';
import { canonicalJson } from './canonical-json';
import { APPLICATION_ID, applyMigrations } from './database';
import { eventHash } from './event-hash';
import { AuditStore } from './index';
import { LATEST_VERSION, MIGRATIONS } from './migrations';

const tables = (db: Database.Database) =>
  (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name")
      .all() as { name: string }[]
  ).map((r) => r.name);

/** A store file as Paddock at schema version 1 left it: one event, chained. */
function storeAtVersion1(home: string): string {
  const file = paddockPaths(home).database;
  const db = new Database(file);
  applyMigrations(db, 0, 1);
  const fields = {
    id: 'e1',
    ts: '2026-01-01T00:00:00.000Z',
    session_id: null,
    kind: 'doctor.ran',
    actor: 'person' as const,
    actor_id: 'ada',
    blobs: [],
    prev_hash: GENESIS_HASH,
    session_prev_hash: null,
  };
  const payload = { ok: true };
  db.prepare(
    'INSERT INTO events (seq, id, ts, session_id, kind, actor, actor_id, payload, blobs, prev_hash, session_prev_hash, hash) VALUES (1, ?, ?, NULL, ?, ?, ?, ?, ?, ?, NULL, ?)',
  ).run(
    fields.id,
    fields.ts,
    fields.kind,
    fields.actor,
    fields.actor_id,
    canonicalJson(payload),
    '[]',
    Buffer.from(GENESIS_HASH, 'hex'),
    Buffer.from(eventHash(fields, canonicalJson(payload)), 'hex'),
  );
  db.close();
  return file;
}

/**
 * A store file at schema version 4 as Paddock left it when the model key was a setting: written
 * as SettingsService wrote it, the key changed on the way (an earlier value may stay in the free
 * space of the table's page), the WAL checkpointed into the file at close.
 */
function storeAtVersion4WithModelKeys(home: string, keys: readonly string[]): string {
  const file = paddockPaths(home).database;
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  applyMigrations(db, 0, 4);
  const set = db.prepare(
    'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  );
  const at = '2026-11-01T09:00:00.000Z';
  set.run('ui.theme', JSON.stringify('dark'), at);
  for (const key of keys) {
    set.run('agents.model.apiKey', JSON.stringify(key), at);
    set.run('agents.model.baseUrl', JSON.stringify('http://127.0.0.1:8080'), at);
  }
  db.close();
  return file;
}

/** The first is replaced by a longer second, which cannot take its place: left in free space. */
const MODEL_KEYS = [
  'sk-ant-EARLIER-key-42',
  'sk-ant-api03-LATER-model-key-0123456789abcdefghijklmnopqrstuvwxyz',
];

const holds = (path: string, value: string) =>
  existsSync(path) && readFileSync(path).includes(Buffer.from(value));

describe('migrations', () => {
  it('are numbered 1..N with no gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(
      Array.from({ length: LATEST_VERSION }, (_, i) => i + 1),
    );
  });

  it('001 creates the event log, its blobs, triggers and full-text index, and marks the file as ours', () => {
    const db = new Database(':memory:');
    applyMigrations(db, 0, 1);
    expect(tables(db)).toEqual(
      expect.arrayContaining([
        'meta',
        'events',
        'blobs',
        'events_fts',
        'events_refuse_update',
        'events_refuse_delete',
        'blobs_refuse_rewrite',
        'blobs_refuse_delete',
      ]),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get()).toBe(
      'paddock-audit',
    );
  });

  it('002 adds projects, sessions and settings', () => {
    const db = new Database(':memory:');
    applyMigrations(db, 0, 2);
    expect(tables(db)).toEqual(expect.arrayContaining(['projects', 'sessions', 'settings']));
    db.prepare(
      "INSERT INTO projects (id, path, name, added_at) VALUES ('p1', '/repo', 'repo', 'now')",
    ).run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO sessions (id, project_id, agent_preset, task, author, state, created_at, updated_at) VALUES ('s1', 'p1', 'claude', 't', 'ada', 'flying', 'now', 'now')",
        )
        .run(),
    ).toThrow(/CHECK/);
  });

  it('010 lets a session have no project, keeping every session and the project check', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, 0, 9);
    db.prepare(
      "INSERT INTO projects (id, path, name, added_at) VALUES ('p1', '/repo', 'repo', 'now')",
    ).run();
    const insert = (id: string, project: string | null) =>
      db
        .prepare(
          "INSERT INTO sessions (id, project_id, agent_preset, task, author, state, created_at, updated_at) VALUES (?, ?, 'claude', 't', 'ada', 'exited', 'now', 'now')",
        )
        .run(id, project);
    insert('s1', 'p1');
    expect(() => insert('s2', null)).toThrow(/NOT NULL/);
    applyMigrations(db, 9, 10);
    insert('s2', null);
    expect(() => insert('s3', 'p-gone')).toThrow(/FOREIGN KEY/);
    expect(db.prepare('SELECT id, project_id FROM sessions ORDER BY id').all()).toEqual([
      { id: 's1', project_id: 'p1' },
      { id: 's2', project_id: null },
    ]);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all();
    expect(indexes).toContain('sessions_by_project');
  });

  it('003 starts the derived indexes at 0: they catch up from the log on first use', () => {
    const db = new Database(':memory:');
    applyMigrations(db, 0, 3);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'indexed_seq'").pluck().get()).toBe('0');
  });

  it('upgrades a version-1 store on open, after a backup, keeping its events', () => {
    const home = tempDir();
    storeAtVersion1(home);
    // No checkpoint yet: the version-1 file predates it. Opening migrates and writes one.
    const store = AuditStore.open({ home, now: () => new Date('2026-11-22T10:00:00.000Z') });
    expect(tables(store.database)).toEqual(
      expect.arrayContaining(['projects', 'sessions', 'settings']),
    );
    expect(store.database.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(store.list().map((e) => e.id)).toEqual(['e1']);
    expect(store.search('doctor').map((e) => e.id)).toEqual(['e1']);
    expect(store.verify().ok).toBe(true);
    store.close();

    const backups = readdirSync(paddockPaths(home).backups);
    expect(backups).toEqual(['paddock.db.v1.2026-11-22T10-00-00-000Z.bak']);
    const backupFile = join(paddockPaths(home).backups, backups[0] as string);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    const backup = new Database(backupFile, { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect(backup.prepare('SELECT id FROM events').pluck().all()).toEqual(['e1']);
    backup.close();
  });

  it('005 deletes the model key setting with secure_delete: no value of it is left in the file', () => {
    const file = storeAtVersion4WithModelKeys(tempDir(), MODEL_KEYS);
    for (const key of MODEL_KEYS) expect(holds(file, key), key).toBe(true);
    const db = new Database(file);
    applyMigrations(db, 4, 5);
    expect(db.prepare('SELECT key FROM settings ORDER BY key').pluck().all()).toEqual([
      'agents.model.baseUrl',
      'ui.theme',
    ]);
    expect(db.pragma('secure_delete', { simple: true })).toBe(0);
    db.close();
    for (const key of MODEL_KEYS) expect(holds(file, key), key).toBe(false);
  });

  it('upgrades a store that held a model key: gone from the file, its WAL and the backup', () => {
    const home = tempDir();
    const file = storeAtVersion4WithModelKeys(home, MODEL_KEYS);

    const store = AuditStore.open({ home, now: () => new Date('2026-12-01T10:00:00.000Z') });
    expect(store.database.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(store.database.prepare('SELECT key, value FROM settings ORDER BY key').all()).toEqual([
      { key: 'agents.model.baseUrl', value: '"http://127.0.0.1:8080"' },
      { key: 'ui.theme', value: '"dark"' },
    ]);
    // Only the migration paid for it: appends go on without secure_delete.
    expect(store.database.pragma('secure_delete', { simple: true })).toBe(0);
    store.close();

    const [backup, ...more] = readdirSync(paddockPaths(home).backups);
    expect(more).toEqual([]);
    const backupFile = join(paddockPaths(home).backups, backup as string);
    const copy = new Database(backupFile, { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(4);
    expect(copy.prepare('SELECT key FROM settings ORDER BY key').pluck().all()).toEqual([
      'agents.model.baseUrl',
      'ui.theme',
    ]);
    copy.close();
    for (const path of [file, `${file}-wal`, `${file}-shm`, backupFile])
      for (const key of MODEL_KEYS) expect(holds(path, key), `${key} in ${path}`).toBe(false);
  });

  it('refuses a store written by a newer Paddock', () => {
    const home = tempDir();
    AuditStore.open({ home }).close();
    const db = new Database(paddockPaths(home).database);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(() => AuditStore.open({ home })).toThrow(/written by a newer Paddock/);
  });

  it('takes no backup of a brand-new store', () => {
    const home = tempDir();
    AuditStore.open({ home }).close();
    expect(readdirSync(paddockPaths(home).backups)).toEqual([]);
  });
});
