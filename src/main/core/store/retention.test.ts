import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../shared/audit';
import { tempDir } from '../../../test-support/temp';
import { paddockPaths } from '../home';
import { AuditStore, BlobWriter, findTombstones, pruneContent, type PruneOptions } from './index';

const JANUARY = new Date('2026-01-15T10:00:00.000Z');
const FEBRUARY = new Date('2026-02-01T00:00:00.000Z');
const MARCH = new Date('2026-03-15T10:00:00.000Z');

/** A store whose clock the test sets, and a writer on its blob file (as the recording thread). */
function storeWithClock(home = tempDir()) {
  const clock = { now: JANUARY };
  const store = AuditStore.open({ home, checkpointEvery: 1_000_000, now: () => clock.now });
  const writer = BlobWriter.open(home);
  return { home, clock, store, writer };
}

type Setup = ReturnType<typeof storeWithClock>;

/** A recorded chunk: content in the blob file, an event naming it. */
function record(setup: Setup, content: Buffer, sessionId = 'ses_0000000a'): AuditEvent {
  const [hash] = setup.writer.putMany([content]);
  return setup.store.append({
    kind: 'terminal.output',
    actor: 'system',
    actorId: 'recorder',
    sessionId,
    payload: { bytes: content.length },
    storedBlobs: [hash as string],
  });
}

/** An event with inline content (the log's own blob table), as `session.exec` writes one. */
function exec(setup: Setup, output: string): AuditEvent {
  return setup.store.append({
    kind: 'session.exec',
    actor: 'person',
    actorId: 'ada',
    sessionId: 'ses_0000000a',
    payload: { argv: ['make'] },
    blobs: [output],
  });
}

const prune = (store: AuditStore, options: Partial<PruneOptions> = {}) =>
  pruneContent(store, {
    before: FEBRUARY,
    reason: 'retention: older than 30 days',
    actor: 'system',
    actorId: 'retention',
    ...options,
  });

/** Edits a file the way an attacker with write access would: its triggers dropped first. */
function tamper(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  db.exec('DROP TRIGGER IF EXISTS blobs_refuse_rewrite');
  db.prepare(sql).run(...params);
  db.close();
}

const chunk = (size = 64 * 1024) => randomBytes(size);

describe('pruning old content', () => {
  it('drops the content only old events name, one tombstone each, and verify reports the drop', async () => {
    const setup = storeWithClock();
    const { store, clock } = setup;
    const oldChunks = [chunk(1000), chunk(2000)];
    const oldRecorded = oldChunks.map((content) => record(setup, content));
    clock.now = new Date('2026-01-20T08:00:00.000Z');
    const oldExec = exec(setup, 'make: all tests passed (January)');
    clock.now = MARCH;
    const recent = record(setup, chunk(500));
    const recentExec = exec(setup, 'make: all tests passed (March)');

    const report = await prune(store);

    expect(report).toMatchObject({
      before: FEBRUARY.toISOString(),
      blobs: 3,
      bytes: 1000 + 2000 + Buffer.byteLength('make: all tests passed (January)'),
      events: 3,
      oldest: JANUARY.toISOString(),
      newest: '2026-01-20T08:00:00.000Z',
      resumed: 0,
      kept: 0,
    });
    for (const event of [...oldRecorded, oldExec])
      expect(store.getBlob(event.blobs[0] as string)).toBeNull();
    for (const event of [recent, recentExec])
      expect(store.getBlob(event.blobs[0] as string)).not.toBeNull();

    // The tombstones name the blob, the reason, its bytes and the events whose content it was.
    const tombstones = store.list({ afterSeq: recentExec.seq });
    expect(tombstones.map((e) => e.kind)).toEqual([
      'blob.dropped',
      'blob.dropped',
      'blob.dropped',
      'audit.pruned',
    ]);
    expect(tombstones[0]).toMatchObject({
      actor: 'system',
      actorId: 'retention',
      payload: {
        hash: oldRecorded[0]?.blobs[0],
        reason: 'retention: older than 30 days',
        bytes: 1000,
        events: [oldRecorded[0]?.seq],
        before: FEBRUARY.toISOString(),
      },
    });
    expect(report.tombstones).toEqual({
      first: tombstones[0]?.seq,
      last: tombstones[2]?.seq,
    });
    expect(tombstones[3]?.payload).toMatchObject({ blobs: 3, events: 3, bytes: report.bytes });

    const verified = store.verify();
    expect(verified).toMatchObject({
      ok: true,
      problems: [],
      blobs: { referenced: 5, present: 2, dropped: 3 },
      dropped: [
        {
          reason: 'retention: older than 30 days',
          actor: 'system',
          actorId: 'retention',
          blobs: 3,
          bytes: report.bytes,
          events: 3,
          first: { seq: tombstones[0]?.seq, ts: MARCH.toISOString() },
          last: { seq: tombstones[2]?.seq, ts: MARCH.toISOString() },
        },
      ],
    });
    setup.writer.close();
    store.close();
  });

  it('keeps content a newer event names too: it is stored once', async () => {
    const setup = storeWithClock();
    const shared = chunk(4096);
    const old = record(setup, shared);
    exec(setup, 'same output, January and March');
    setup.clock.now = MARCH;
    const newer = record(setup, shared, 'ses_0000000b');
    exec(setup, 'same output, January and March');

    const report = await prune(setup.store);
    expect(report).toMatchObject({ blobs: 0, kept: 2, tombstones: null });
    expect(setup.store.getBlob(old.blobs[0] as string)).toEqual(shared);
    expect(newer.blobs).toEqual(old.blobs);
    expect(setup.store.verify()).toMatchObject({ ok: true, blobs: { dropped: 0 }, dropped: [] });
  });

  it('keeps content that an event appended while it pauses between batches names again', async () => {
    const setup = storeWithClock();
    const outputs = ['first January output', 'second January output', 'third January output'];
    const old = outputs.map((output) => exec(setup, output));
    setup.clock.now = MARCH;
    let pauses = 0;
    const report = await prune(setup.store, {
      batchSize: 1,
      pause: async () => {
        // Other work runs here: the third output, word for word, comes back in March.
        if (pauses++ === 0) exec(setup, 'third January output');
        await Promise.resolve();
      },
    });
    expect(report).toMatchObject({ blobs: 2, events: 2 });
    expect(setup.store.getBlob(old[0]?.blobs[0] as string)).toBeNull();
    expect(setup.store.getBlob(old[1]?.blobs[0] as string)).toBeNull();
    expect(setup.store.getBlob(old[2]?.blobs[0] as string)?.toString()).toBe(
      'third January output',
    );
    expect(setup.store.verify()).toMatchObject({ ok: true, blobs: { present: 1, dropped: 2 } });
  });

  it('is idempotent: a second prune drops nothing and writes nothing', async () => {
    const setup = storeWithClock();
    record(setup, chunk());
    exec(setup, 'old output');
    setup.clock.now = MARCH;
    expect((await prune(setup.store)).blobs).toBe(2);
    const head = setup.store.headInfo();
    const again = await prune(setup.store);
    expect(again).toMatchObject({ blobs: 0, bytes: 0, events: 0, tombstones: null, resumed: 0 });
    expect(setup.store.headInfo()).toEqual(head);
    expect(setup.store.verify()).toMatchObject({ ok: true, blobs: { dropped: 2 } });
  });

  it('makes the blob file smaller: a VACUUM when most goes, incremental steps when little does', async () => {
    const setup = storeWithClock();
    for (let i = 0; i < 300; i++) record(setup, chunk());
    setup.clock.now = MARCH;
    for (let i = 0; i < 20; i++) record(setup, chunk());
    const most = await prune(setup.store);
    const file = most.files.find((f) => f.name === 'paddock-blobs.db');
    expect(file?.space).toBe('vacuum');
    expect(file?.after).toBeLessThan((file?.before ?? 0) * 0.15);

    // A month on, the March chunks are old too, and April's outweigh them: handed back in steps.
    setup.clock.now = new Date('2026-04-15T10:00:00.000Z');
    for (let i = 0; i < 200; i++) record(setup, chunk());
    const some = await prune(setup.store, { before: new Date('2026-04-01T00:00:00.000Z') });
    const again = some.files.find((f) => f.name === 'paddock-blobs.db');
    expect(some.blobs).toBe(20);
    expect(again?.space).toBe('incremental-vacuum');
    expect((again?.before ?? 0) - (again?.after ?? 0)).toBeGreaterThan(20 * 64 * 1024 * 0.9);
    expect(setup.store.verify()).toMatchObject({ ok: true, blobs: { present: 200, dropped: 320 } });
  });

  it('still catches an altered blob after pruning, kept or dropped', async () => {
    const setup = storeWithClock();
    const dropped = record(setup, chunk(1000));
    setup.clock.now = MARCH;
    const kept = record(setup, chunk(1000));
    await prune(setup.store);
    setup.writer.close();
    setup.store.close();
    const { blobFile } = paddockPaths(setup.home);
    const verify = () => {
      const reader = AuditStore.open({ home: setup.home, readonly: true });
      try {
        return reader.verify();
      } finally {
        reader.close();
      }
    };
    expect(verify().ok).toBe(true);

    tamper(blobFile, 'UPDATE blobs SET content = ? WHERE hash = ?', chunk(1000), kept.blobs[0]);
    expect(verify().problems).toMatchObject([{ kind: 'blob-altered', blobHash: kept.blobs[0] }]);
    // Content put back where a tombstone says it was dropped is checked like any other.
    tamper(blobFile, 'UPDATE blobs SET content = ? WHERE hash = ?', chunk(1000), dropped.blobs[0]);
    expect(verify().problems.map((p) => p.blobHash)).toEqual([dropped.blobs[0], kept.blobs[0]]);
  });

  it('survives a crash between the tombstones and the blob file: the next prune finishes the drop', async () => {
    const setup = storeWithClock();
    const old = [record(setup, chunk(3000)), record(setup, chunk(3000))];
    const inline = exec(setup, 'old inline output');
    setup.clock.now = MARCH;
    await expect(
      prune(setup.store, {
        afterTombstones: () => {
          throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    setup.writer.close();
    setup.store.close();

    // Reopened: the tombstones are there; the log's own content went with them, the blob file's
    // content is still there. Nothing is gone without a tombstone.
    const store = AuditStore.open({ home: setup.home, now: () => MARCH });
    expect(store.getBlob(inline.blobs[0] as string)).toBeNull();
    for (const event of old) expect(store.getBlob(event.blobs[0] as string)).not.toBeNull();
    expect(store.verify()).toMatchObject({ ok: true, blobs: { present: 2, dropped: 1 } });
    const tombstonesBefore = store.list({ afterSeq: inline.seq }).length;
    expect(tombstonesBefore).toBe(3);

    const report = await prune(store);
    expect(report).toMatchObject({ blobs: 2, resumed: 2, tombstones: null });
    for (const event of old) expect(store.getBlob(event.blobs[0] as string)).toBeNull();
    // No second tombstone: only the summary was added.
    expect(store.list({ afterSeq: inline.seq }).map((e) => e.kind)).toEqual([
      'blob.dropped',
      'blob.dropped',
      'blob.dropped',
      'audit.pruned',
    ]);
    expect(store.verify()).toMatchObject({ ok: true, blobs: { present: 0, dropped: 3 } });
    store.close();
  });

  it('survives SIGKILL right after the tombstones commit', async () => {
    const setup = storeWithClock();
    const old = record(setup, chunk(5000));
    setup.clock.now = MARCH;
    record(setup, chunk(5000));
    setup.writer.close();
    setup.store.close();

    const fixture = join(__dirname, 'fixtures', 'prune-until-killed.ts');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fixture, setup.home, FEBRUARY.toISOString()],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const signal = await new Promise((resolve) => child.on('exit', (_code, s) => resolve(s)));
    expect(signal).toBe('SIGKILL');

    const store = AuditStore.open({ home: setup.home });
    expect(store.getBlob(old.blobs[0] as string)).not.toBeNull();
    expect(store.verify()).toMatchObject({ ok: true, problems: [] });
    expect(await prune(store)).toMatchObject({ blobs: 1, resumed: 1 });
    expect(store.getBlob(old.blobs[0] as string)).toBeNull();
    expect(store.verify()).toMatchObject({ ok: true, blobs: { dropped: 1 } });
    store.close();
  });

  it('stores dropped content again when the same bytes come back', async () => {
    const setup = storeWithClock();
    const bytes = chunk(2048);
    const old = record(setup, bytes);
    exec(setup, 'the same output every day');
    setup.clock.now = MARCH;
    await prune(setup.store);
    expect(setup.store.getBlob(old.blobs[0] as string)).toBeNull();

    const again = record(setup, bytes);
    const execAgain = exec(setup, 'the same output every day');
    expect(setup.store.getBlob(again.blobs[0] as string)).toEqual(bytes);
    expect(setup.store.getBlob(execAgain.blobs[0] as string)?.toString()).toBe(
      'the same output every day',
    );
    expect(setup.store.verify()).toMatchObject({ ok: true, blobs: { present: 2, dropped: 0 } });
  });

  it('declares content that retention dropped while the event naming it was on its way', () => {
    const setup = storeWithClock();
    const bytes = chunk(1000);
    const old = record(setup, bytes);
    // The recording thread stores the same bytes (nothing to do: they are there)...
    const [hash] = setup.writer.putMany([bytes]);
    // ...and before its event arrives, the old copy is dropped.
    setup.store.dropBlob(hash as string, 'retention', 'system', 'retention');
    const event = setup.store.append({
      kind: 'terminal.output',
      actor: 'system',
      actorId: 'recorder',
      sessionId: 'ses_0000000a',
      payload: {},
      storedBlobs: [hash as string],
    });
    expect(event.blobs).toEqual(old.blobs);
    expect(setup.store.get(event.seq + 1)).toMatchObject({
      kind: 'blob.dropped',
      actorId: 'store',
      payload: { hash, events: [event.seq] },
    });
    expect(setup.store.verify()).toMatchObject({ ok: true, blobs: { dropped: 1 } });
  });

  it('finds a blob gone after its tombstone, when a later event names it', async () => {
    const setup = storeWithClock();
    exec(setup, 'January output');
    setup.clock.now = MARCH;
    await prune(setup.store);
    const later = exec(setup, 'January output'); // stored again...
    setup.writer.close();
    setup.store.close();
    // ...and removed behind the store's back: the old tombstone does not cover the March event.
    tamper(
      paddockPaths(setup.home).database,
      'UPDATE blobs SET content = NULL WHERE hash = ?',
      later.blobs[0],
    );
    const reader = AuditStore.open({ home: setup.home, readonly: true });
    expect(reader.verify().problems).toMatchObject([
      {
        kind: 'blob-missing',
        blobHash: later.blobs[0],
        detail: expect.stringMatching(
          new RegExp(`event #${later.seq} names it after its tombstone`),
        ),
      },
    ]);
    reader.close();
  });

  it('tells who dropped content, when and why, for a replay that reaches it', async () => {
    const setup = storeWithClock();
    const old = record(setup, chunk(100));
    setup.clock.now = MARCH;
    await prune(setup.store, { actor: 'person', actorId: 'ada', reason: 'pruned by hand' });
    const found = findTombstones(setup.store, new Set([old.blobs[0] as string]), old.seq);
    expect(found.get(old.blobs[0] as string)).toMatchObject({
      actor: 'person',
      actorId: 'ada',
      reason: 'pruned by hand',
      ts: MARCH.toISOString(),
    });
  });

  it('batches its writes: 5,000 chunks in three transactions of tombstones', async () => {
    const setup = storeWithClock();
    const contents = Array.from({ length: 5000 }, (_, i) => Buffer.from(`chunk ${i}`));
    const hashes = setup.writer.putMany(contents);
    setup.store.appendMany(
      hashes.map((hash) => ({
        kind: 'terminal.output',
        actor: 'system' as const,
        actorId: 'recorder',
        sessionId: 'ses_0000000a',
        storedBlobs: [hash],
      })),
    );
    setup.clock.now = MARCH;
    const commits: number[] = [];
    setup.store.onAppend((events) => commits.push(events.length));
    const report = await prune(setup.store);
    expect(report).toMatchObject({ blobs: 5000, events: 5000 });
    expect(commits).toEqual([2000, 2000, 1000, 1]); // the last: audit.pruned
    expect(setup.store.verify()).toMatchObject({ ok: true, blobs: { dropped: 5000 } });
  });
});
