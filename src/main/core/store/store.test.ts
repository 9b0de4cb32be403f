import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../../shared/audit';
import { tempDir } from '../../../test-support/temp';
import { paddockPaths } from '../home';
import { AuditStore, StoreError } from './index';

function openStore(home = tempDir()) {
  return AuditStore.open({ home, checkpointEvery: 1_000_000 });
}

describe('AuditStore: the chain', () => {
  it('links every event to the one before it and each session to its own previous event', () => {
    const store = openStore();
    const a = store.append({
      kind: 'x.one',
      actor: 'system',
      actorId: 't',
      sessionId: 's1',
      payload: { a: 1 },
    });
    const b = store.append({ kind: 'x.two', actor: 'person', actorId: 'ada' });
    const c = store.append({ kind: 'x.three', actor: 'agent', actorId: 'claude', sessionId: 's1' });
    expect(a.prevHash).toBe(GENESIS_HASH);
    expect(b.prevHash).toBe(a.hash);
    expect(c.prevHash).toBe(b.hash);
    expect(a.sessionPrevHash).toBe(GENESIS_HASH);
    expect(b.sessionPrevHash).toBeNull();
    expect(c.sessionPrevHash).toBe(a.hash);
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    // Ids are '<store id>-<seq>': unique across stores, found without an index.
    expect(a.id).toMatch(/^[0-9a-f]{16}-1$/);
    expect(store.get(b.id)).toEqual(b);
    expect(store.get(b.id.replace(/^[0-9a-f]+/, '0000000000000000'))).toBeNull();
    expect(store.get('garbage')).toBeNull();
    expect(store.verify()).toMatchObject({ ok: true, events: 3, sessions: 1, head: c.hash });
    store.close();
  });

  it('continues the chain after a reopen, and keeps each session chain', () => {
    const home = tempDir();
    let store = openStore(home);
    const first = store.append({ kind: 'x', actor: 'system', actorId: 't', sessionId: 's' });
    store.close();
    store = openStore(home);
    const second = store.append({ kind: 'x', actor: 'system', actorId: 't', sessionId: 's' });
    expect(second.prevHash).toBe(first.hash);
    expect(second.sessionPrevHash).toBe(first.hash);
    expect(store.verify().ok).toBe(true);
    store.close();
  });

  it('rolls back a failed transaction entirely and keeps chaining from the last commit', () => {
    const store = openStore();
    const kept = store.append({ kind: 'x', actor: 'system', actorId: 't', sessionId: 's' });
    expect(() =>
      store.transaction(() => {
        store.append({ kind: 'lost', actor: 'system', actorId: 't', sessionId: 's' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    const next = store.append({ kind: 'x', actor: 'system', actorId: 't', sessionId: 's' });
    expect(next.seq).toBe(2);
    expect(next.prevHash).toBe(kept.hash);
    expect(next.sessionPrevHash).toBe(kept.hash);
    expect(store.verify().ok).toBe(true);
    store.close();
  });

  it('tells listeners of events only after they are committed', () => {
    const store = openStore();
    const heard: string[] = [];
    store.onAppend((events) => heard.push(...events.map((e) => e.kind)));
    store.transaction(() => {
      store.append({ kind: 'a', actor: 'system', actorId: 't' });
      store.append({ kind: 'b', actor: 'system', actorId: 't' });
      expect(heard).toEqual([]);
    });
    expect(heard).toEqual(['a', 'b']);
    expect(() =>
      store.transaction(() => {
        store.append({ kind: 'c', actor: 'system', actorId: 't' });
        throw new Error('no');
      }),
    ).toThrow();
    expect(heard).toEqual(['a', 'b']);
    store.close();
  });

  it('stores large content once as a blob, addressed by its SHA-256', () => {
    const store = openStore();
    const e1 = store.append({
      kind: 'terminal.output',
      actor: 'system',
      actorId: 'pty',
      blobs: ['hello world'],
    });
    const e2 = store.append({
      kind: 'terminal.output',
      actor: 'system',
      actorId: 'pty',
      blobs: ['hello world'],
    });
    expect(e1.blobs).toEqual(['b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9']);
    expect(e2.blobs).toEqual(e1.blobs);
    expect(store.getBlob(e1.blobs[0] as string)?.toString()).toBe('hello world');
    store.close();
  });

  it('finds events by full-text search, newest first, and survives FTS syntax in the query', () => {
    const store = openStore();
    store.append({
      kind: 'command.run',
      actor: 'agent',
      actorId: 'claude',
      payload: { command: 'npm test --watch' },
    });
    store.append({
      kind: 'command.run',
      actor: 'agent',
      actorId: 'claude',
      payload: { command: 'git push origin' },
    });
    store.append({
      kind: 'command.run',
      actor: 'agent',
      actorId: 'claude',
      payload: { command: 'npm run build' },
    });
    expect(store.search('npm').map((e) => e.payload.command)).toEqual([
      'npm run build',
      'npm test --watch',
    ]);
    expect(store.search('pus').map((e) => e.payload.command)).toEqual(['git push origin']);
    expect(store.search('"unbalanced AND (')).toEqual([]);
    expect(store.search('   ')).toEqual([]);
    store.close();
  });

  it('lists a session’s events whether or not the session index has caught up', () => {
    const home = tempDir();
    const store = openStore(home);
    for (let i = 0; i < 6; i++)
      store.append({ kind: `k${i}`, actor: 'system', actorId: 't', sessionId: i % 2 ? 'b' : 'a' });
    store.flushIndexes();
    for (let i = 6; i < 10; i++)
      store.append({ kind: `k${i}`, actor: 'system', actorId: 't', sessionId: i % 2 ? 'b' : 'a' });
    // A reader next to the writer sees the indexed part and the unindexed tail alike.
    const reader = AuditStore.open({ home, readonly: true });
    expect(reader.list({ sessionId: 'a' }).map((e) => e.kind)).toEqual([
      'k0',
      'k2',
      'k4',
      'k6',
      'k8',
    ]);
    expect(reader.list({ sessionId: 'b', order: 'desc', limit: 3 }).map((e) => e.kind)).toEqual([
      'k9',
      'k7',
      'k5',
    ]);
    expect(reader.list({ sessionId: 'b', afterSeq: 4, beforeSeq: 10 }).map((e) => e.seq)).toEqual([
      6, 8,
    ]);
    reader.close();
    expect(store.list({ sessionId: 'a' }).map((e) => e.kind)).toEqual([
      'k0',
      'k2',
      'k4',
      'k6',
      'k8',
    ]);
    store.close();
  });

  it('continues each session chain after a restart that left the session index behind', async () => {
    const home = tempDir();
    const { default: Database } = await import('better-sqlite3');
    let store = openStore(home);
    const first = store.append({ kind: 'x', actor: 'system', actorId: 't', sessionId: 's' });
    store.close();
    // As if the writer died before indexing: the watermark is back at 0.
    const db = new Database(paddockPaths(home).database);
    db.exec("DELETE FROM event_sessions; UPDATE meta SET value = '0' WHERE key = 'indexed_seq'");
    db.close();
    store = openStore(home);
    const second = store.append({ kind: 'x', actor: 'system', actorId: 't', sessionId: 's' });
    expect(second.sessionPrevHash).toBe(first.hash);
    expect(store.verify().ok).toBe(true);
    store.close();
  });

  it('creates the database and its directory readable by the owner only', () => {
    const home = tempDir();
    const store = openStore(home);
    store.append({ kind: 'x', actor: 'system', actorId: 't' });
    const paths = paddockPaths(home);
    expect(statSync(paths.database).mode & 0o777).toBe(0o600);
    expect(statSync(paths.checkpoint).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    store.close();
  });
});

describe('AuditStore: append-only', () => {
  it('refuses UPDATE and DELETE on events, and rewriting or deleting blobs', () => {
    const store = openStore();
    const e = store.append({ kind: 'x', actor: 'system', actorId: 't', blobs: ['data'] });
    const db = store.database;
    expect(() => db.prepare("UPDATE events SET kind = 'y' WHERE seq = 1").run()).toThrow(
      /append-only: UPDATE refused/,
    );
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only: DELETE refused/);
    expect(() => db.prepare("UPDATE blobs SET content = x'00'").run()).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM blobs').run()).toThrow(/never deleted/);
    expect(store.getBlob(e.blobs[0] as string)?.toString()).toBe('data');
    store.close();
  });

  it('refuses a second writer with a clear error naming the process that holds the store', () => {
    const home = tempDir();
    const store = openStore(home);
    expect(() => openStore(home)).toThrow(StoreError);
    expect(() => openStore(home)).toThrow(new RegExp(`pid ${process.pid}`));
    store.close();
    openStore(home).close();
  });

  it('takes over the lock of a process that died', async () => {
    const home = tempDir();
    openStore(home).close();
    const { writeFileSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    writeFileSync(
      paddockPaths(home).writerLock,
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        host: hostname(),
        startedAt: 'then',
        command: 'dead',
      }),
    );
    const store = openStore(home);
    expect(store.verify().ok).toBe(true);
    store.close();
    expect(existsSync(paddockPaths(home).writerLock)).toBe(false);
  });

  it('lets readers in while the writer works, and refuses writes through them', () => {
    const home = tempDir();
    const writer = openStore(home);
    writer.append({ kind: 'x', actor: 'system', actorId: 't' });
    const reader = AuditStore.open({ home, readonly: true });
    expect(reader.list().length).toBe(1);
    writer.append({ kind: 'y', actor: 'system', actorId: 't' });
    expect(reader.list().map((e) => e.kind)).toEqual(['x', 'y']);
    expect(() => reader.append({ kind: 'z', actor: 'system', actorId: 't' })).toThrow(/read-only/);
    reader.close();
    writer.close();
  });

  it('writes at most one checkpoint a second under load', () => {
    const home = tempDir();
    const store = AuditStore.open({ home, checkpointEvery: 5 });
    for (let i = 0; i < 50; i++) store.append({ kind: 'x', actor: 'system', actorId: 't' });
    // The one written at open is less than a second old: the next is due, but waits.
    expect(store.verify().checkpoint?.count).toBe(0);
    store.close();
    const reader = AuditStore.open({ home, readonly: true });
    expect(reader.verify().checkpoint?.count).toBe(50);
    reader.close();
  });

  it('checkpoints the head every N events and at close', () => {
    const home = tempDir();
    const store = AuditStore.open({ home, checkpointEvery: 5, checkpointMinIntervalMs: 0 });
    for (let i = 0; i < 12; i++) store.append({ kind: 'x', actor: 'system', actorId: 't' });
    expect(store.verify().checkpoint?.count).toBe(10);
    store.close();
    const reader = AuditStore.open({ home, readonly: true });
    expect(reader.verify()).toMatchObject({ ok: true, checkpoint: { count: 12 } });
    reader.close();
  });
});

describe('AuditStore: opening files that are not ours', () => {
  it('refuses a corrupt file with a clear error and leaves it untouched', async () => {
    const home = tempDir();
    const { writeFileSync, readFileSync } = await import('node:fs');
    const file = paddockPaths(home).database;
    writeFileSync(file, 'this is not a database at all, just some text\n'.repeat(100));
    const before = readFileSync(file);
    expect(() => openStore(home)).toThrow(/paddock\.db is not a SQLite database.*left untouched/);
    expect(readFileSync(file).equals(before)).toBe(true);
    // A damaged SQLite file (right header, garbage after it) is refused too.
    const damaged = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(8000, 0xab)]);
    writeFileSync(file, damaged);
    expect(() => openStore(home)).toThrow(/paddock\.db is damaged.*left untouched/);
    expect(readFileSync(file).equals(damaged)).toBe(true);
  });

  it('refuses a SQLite file of another application and leaves it untouched', async () => {
    const home = tempDir();
    const file = paddockPaths(home).database;
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')");
    foreign.close();
    const { readFileSync } = await import('node:fs');
    const before = readFileSync(file);
    const error = (() => {
      try {
        openStore(home);
      } catch (e) {
        return e as StoreError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(StoreError);
    expect(error?.code).toBe('foreign');
    expect(error?.message).toMatch(/does not belong to Paddock.*left untouched/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
