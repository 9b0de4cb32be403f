/**
 * Retention: dropping the content of old blobs, keeping every event and the chain.
 *
 * What content is referenced: an event names content only in its `blobs` column, by SHA-256 —
 * inline content (`AppendInput.blobs`, kept in the log's own `blobs` table: command output, diffs)
 * and recorded chunks (`AppendInput.storedBlobs`, kept in the blob file) alike. No payload names a
 * blob, except the tombstones (`blob.dropped`), which name what is already gone.
 *
 * What goes: content that only events older than `before` name. Content is stored once per hash,
 * so a blob that a newer event names too stays (`kept`). Every blob dropped gets a tombstone:
 * `blob.dropped` {hash, reason, bytes, events: the seqs of the events whose content it was,
 * before}, so `verify` tells the drop from a loss and a timeline can mark those events. After the
 * tombstones, an `audit.pruned` event sums up the run (the report below).
 *
 * Batches: a transaction of up to `batchSize` (2,000) tombstones, with the drops in the log's own
 * file, then one transaction of the same blobs' drops in the blob file: two fsyncs a batch, ~100
 * for 100,000 recorded chunks. Between batches the event loop runs (terminals keep being read and
 * recorded); events appended meanwhile that name a blob of the next batch keep it.
 *
 * Crash safety, the argument: the log's drops commit in the same transaction as their tombstones,
 * so those can never part. The blob file is another file and commits apart, always after the
 * tombstones that declare its drops: a crash in between leaves content that has a tombstone and
 * is still there, which `verify` accepts (present, matching its hash) and the next prune drops
 * without a second tombstone (`resumed`: its tombstone is newer than every event naming it). The
 * reverse order could leave content gone without a tombstone: a broken chain. Content gone with a
 * tombstone that an event *after* the tombstone names is missing all the same (`verify` takes a
 * tombstone to cover the events before it), and dropped content is stored again when the same
 * bytes come back (blob-table.ts).
 *
 * Space: see `giveBackSpace`.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Actor, JsonObject, PruneFile, PruneReport } from '../../../shared/audit';
import type { Db } from './database';
import type { AppendInput, AuditStore } from './store';

export interface PruneOptions {
  /** Content that only events older than this name is dropped. */
  before: Date;
  /** Said by every tombstone, and by `verify`. */
  reason: string;
  actor: Actor;
  actorId: string;
  /** Tombstones a transaction (default 2,000). */
  batchSize?: number;
  /** Lets other work run between batches and vacuum steps (default: one turn of the event loop). */
  pause?: () => Promise<void>;
  /** Tests: runs once a batch's tombstones are committed, before its content leaves the blob file. */
  afterTombstones?: () => void;
}

/** A tombstone, as `findTombstones` reads it back. */
export interface Tombstone {
  seq: number;
  ts: string;
  actor: Actor;
  actorId: string;
  reason: string;
}

interface Reference {
  /** Seqs of the events older than `before` that name the blob. */
  seqs: number[];
  oldest: string;
  newest: string;
  /** The last event naming it, old or not. */
  lastSeq: number;
  /** A newer event names it too. */
  recent: boolean;
}

interface Candidate {
  hash: string;
  size: number;
  inLog: boolean;
  inFile: boolean;
  ref: Reference;
  /** A tombstone newer than every event naming it exists already (an interrupted prune). */
  declared: boolean;
}

const BATCH = 2_000;
/** Pages an incremental vacuum step gives back (8 MiB of 4 KiB pages): a short hold on the file. */
const VACUUM_STEP_PAGES = 2_048;
/** A full VACUUM holds the blob file ~20 ms per MiB it keeps: up to this, well under 5 s. */
const FULL_VACUUM_MAX_KEPT = 128 * 1024 * 1024;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One prune at a time per store: a second one waits, then finds what the first left. */
const running = new WeakMap<AuditStore, Promise<unknown>>();

/** Drops the content only events older than `options.before` name; see the top of this file. */
export function pruneContent(store: AuditStore, options: PruneOptions): Promise<PruneReport> {
  const previous = running.get(store) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => prune(store, options));
  running.set(store, run);
  return run;
}

async function prune(store: AuditStore, options: PruneOptions): Promise<PruneReport> {
  const started = performance.now();
  const db = store.database;
  const pause = options.pause ?? nextTurn;
  const before = options.before.toISOString();
  const sizes = fileSizes(store);
  const { candidates, kept, scannedSeq } = plan(store, before);
  const statements = {
    dropInLog: db.prepare(
      'UPDATE main.blobs SET content = NULL WHERE hash = ? AND content IS NOT NULL',
    ),
    dropInFile: db.prepare(
      'UPDATE blob_file.blobs SET content = NULL WHERE hash = ? AND content IS NOT NULL',
    ),
  };
  const dropped: Candidate[] = [];
  const tombstones: number[] = [];
  // What was appended since the plan (while other work ran) may name this content again: it stays.
  const renamed = new Set<string>();
  let seen = scannedSeq;
  const batchSize = Math.max(1, options.batchSize ?? BATCH);
  for (let at = 0; at < candidates.length; at += batchSize) {
    if (at > 0) await pause();
    seen = addNamedAfter(db, seen, renamed);
    const batch = candidates.slice(at, at + batchSize).filter((c) => !renamed.has(c.hash));
    if (batch.length === 0) continue;
    store.transaction(() => {
      for (const c of batch) if (c.inLog) statements.dropInLog.run(c.hash);
      const written = store.appendMany(
        batch.filter((c) => !c.declared).map((c) => tombstoneOf(c, options, before)),
      );
      for (const event of written) tombstones.push(event.seq);
    });
    options.afterTombstones?.();
    // Only now, its tombstones durable, does the content leave the blob file.
    db.transaction(() => {
      for (const c of batch) if (c.inFile) statements.dropInFile.run(c.hash);
    })();
    dropped.push(...batch);
  }
  const files = await giveBackSpace(store, sizes, dropped, pause);
  const report = summarize(options, before, dropped, tombstones, kept, files, started);
  if (dropped.length > 0)
    store.append({
      kind: 'audit.pruned',
      actor: options.actor,
      actorId: options.actorId,
      payload: JSON.parse(JSON.stringify(report)) as JsonObject,
    });
  return report;
}

/** Every blob that old events name, whether it still has content, and whether newer ones name it. */
function plan(store: AuditStore, before: string) {
  const db = store.database;
  const refs = new Map<string, Reference>();
  const rows = db.prepare("SELECT seq, ts, blobs FROM events WHERE blobs <> '[]' ORDER BY seq");
  for (const row of rows.iterate() as IterableIterator<{
    seq: number;
    ts: string;
    blobs: string;
  }>) {
    for (const hash of JSON.parse(row.blobs) as string[]) {
      let ref = refs.get(hash);
      if (!ref)
        refs.set(
          hash,
          (ref = { seqs: [], oldest: row.ts, newest: row.ts, lastSeq: 0, recent: false }),
        );
      ref.lastSeq = row.seq;
      if (row.ts >= before) {
        ref.recent = true;
        continue;
      }
      if (ref.seqs.length === 0 || row.ts < ref.oldest) ref.oldest = row.ts;
      if (ref.seqs.length === 0 || row.ts > ref.newest) ref.newest = row.ts;
      ref.seqs.push(row.seq);
    }
  }
  const scannedSeq = store.headInfo().seq;
  const lastTombstone = new Map<string, number>();
  const tombstoneRows = db.prepare(
    "SELECT seq, json_extract(payload, '$.hash') AS hash FROM events WHERE kind = 'blob.dropped'",
  );
  for (const { seq, hash } of tombstoneRows.iterate() as IterableIterator<{
    seq: number;
    hash: unknown;
  }>)
    if (typeof hash === 'string') lastTombstone.set(hash, seq);

  const inLog = db
    .prepare('SELECT size FROM main.blobs WHERE hash = ? AND content IS NOT NULL')
    .pluck();
  const inFile = db
    .prepare('SELECT size FROM blob_file.blobs WHERE hash = ? AND content IS NOT NULL')
    .pluck();
  const candidates: Candidate[] = [];
  let kept = 0;
  for (const [hash, ref] of refs) {
    if (ref.seqs.length === 0) continue;
    const logSize = inLog.get(hash) as number | undefined;
    const fileSize = inFile.get(hash) as number | undefined;
    if (logSize === undefined && fileSize === undefined) continue; // gone already
    if (ref.recent) {
      kept++;
      continue;
    }
    candidates.push({
      hash,
      size: logSize ?? fileSize ?? 0,
      inLog: logSize !== undefined,
      inFile: fileSize !== undefined,
      ref,
      declared: (lastTombstone.get(hash) ?? 0) > ref.lastSeq,
    });
  }
  // Oldest content first: a prune cut short has dropped the oldest.
  candidates.sort((a, b) => (a.ref.seqs[0] as number) - (b.ref.seqs[0] as number));
  return { candidates, kept, scannedSeq };
}

/** Adds the hashes events after `seq` name to `named`; returns the last seq read. */
function addNamedAfter(db: Db, seq: number, named: Set<string>): number {
  let last = seq;
  const rows = db
    .prepare("SELECT seq, blobs FROM events WHERE seq > ? AND blobs <> '[]' ORDER BY seq")
    .iterate(seq) as IterableIterator<{ seq: number; blobs: string }>;
  for (const row of rows) {
    for (const hash of JSON.parse(row.blobs) as string[]) named.add(hash);
    last = row.seq;
  }
  return last;
}

function tombstoneOf(c: Candidate, options: PruneOptions, before: string): AppendInput {
  return {
    kind: 'blob.dropped',
    actor: options.actor,
    actorId: options.actorId,
    payload: { hash: c.hash, reason: options.reason, bytes: c.size, events: c.ref.seqs, before },
  };
}

/**
 * Giving the space back. The blob file (terminal recordings, nearly all the bytes) is in
 * incremental auto-vacuum mode (blob-file.ts). Measured on a 1.26 GB file of 64 KiB chunks
 * (4 KiB pages): with 10% of it dropped, `incremental_vacuum` in steps took 1.3 s, a VACUUM 24 s
 * (it rewrites all that stays, and holds the file meanwhile); with 90% dropped, the steps took 17 s
 * and a VACUUM 2.5 s. So: steps of 8 MiB, between which recordings write and the event loop runs;
 * a VACUUM only when more is freed than kept and what is kept is small (≤ 128 MiB: it holds the
 * file for ~2.5 s at most, under the recording thread's 5 s busy timeout). The log's own file is
 * not vacuumed: its freed pages (command output, diffs) are reused by the events that follow, and
 * a VACUUM would rewrite every event and hold the writer all along.
 */
async function giveBackSpace(
  store: AuditStore,
  sizes: Map<string, number>,
  dropped: readonly Candidate[],
  pause: () => Promise<void>,
): Promise<PruneFile[]> {
  const db = store.database;
  const pragma = (name: string) => db.pragma(`blob_file.${name}`, { simple: true }) as number;
  let space: PruneFile['space'] = 'none';
  if (dropped.some((c) => c.inFile) && pragma('auto_vacuum') === 2) {
    const free = pragma('freelist_count');
    const kept = (pragma('page_count') - free) * pragma('page_size');
    if (free > 0 && free * pragma('page_size') > kept && kept <= FULL_VACUUM_MAX_KEPT) {
      db.exec('VACUUM blob_file');
      space = 'vacuum';
    } else {
      space = 'incremental-vacuum';
      for (let left = free; left > 0;) {
        db.pragma(`blob_file.incremental_vacuum(${VACUUM_STEP_PAGES})`);
        const now = pragma('freelist_count');
        if (now >= left) break;
        left = now;
        await pause();
      }
    }
    // The pages went through the write-ahead log: back into the file, and the log emptied.
    db.pragma('blob_file.wal_checkpoint(TRUNCATE)');
  }
  const after = fileSizes(store);
  const inLog = dropped.some((c) => c.inLog);
  return [...sizes].map(([name, before]) => ({
    name,
    before,
    after: after.get(name) ?? 0,
    space: name === basename(store.paths.database) ? (inLog ? 'reuse' : 'none') : space,
  }));
}

/** Each file with its write-ahead log, in bytes. */
function fileSizes(store: AuditStore): Map<string, number> {
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return new Map(
    [store.paths.database, store.paths.blobFile].map((file) => [
      basename(file),
      size(file) + size(`${file}-wal`),
    ]),
  );
}

function summarize(
  options: PruneOptions,
  before: string,
  dropped: readonly Candidate[],
  tombstones: readonly number[],
  kept: number,
  files: PruneFile[],
  started: number,
): PruneReport {
  const events = new Set<number>();
  let oldest: string | null = null;
  let newest: string | null = null;
  let bytes = 0;
  for (const c of dropped) {
    bytes += c.size;
    for (const seq of c.ref.seqs) events.add(seq);
    if (oldest === null || c.ref.oldest < oldest) oldest = c.ref.oldest;
    if (newest === null || c.ref.newest > newest) newest = c.ref.newest;
  }
  return {
    before,
    reason: options.reason,
    blobs: dropped.length,
    bytes,
    events: events.size,
    oldest,
    newest,
    tombstones:
      tombstones.length > 0
        ? { first: tombstones[0] as number, last: tombstones.at(-1) as number }
        : null,
    resumed: dropped.filter((c) => c.declared).length,
    kept,
    files,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * The latest tombstone of each of `hashes` written after event `afterSeq`: who dropped that
 * content, when and why (for a replay that reaches content that is gone). One pass over the
 * events after `afterSeq`.
 */
export function findTombstones(
  store: AuditStore,
  hashes: ReadonlySet<string>,
  afterSeq = 0,
): Map<string, Tombstone> {
  const found = new Map<string, Tombstone>();
  if (hashes.size === 0) return found;
  const rows = store.database
    .prepare(
      "SELECT seq, ts, actor, actor_id, json_extract(payload, '$.hash') AS hash, json_extract(payload, '$.reason') AS reason FROM events WHERE seq > ? AND kind = 'blob.dropped' ORDER BY seq",
    )
    .iterate(afterSeq) as IterableIterator<{
    seq: number;
    ts: string;
    actor: Actor;
    actor_id: string;
    hash: unknown;
    reason: unknown;
  }>;
  for (const row of rows)
    if (typeof row.hash === 'string' && hashes.has(row.hash))
      found.set(row.hash, {
        seq: row.seq,
        ts: row.ts,
        actor: row.actor,
        actorId: row.actor_id,
        reason: typeof row.reason === 'string' ? row.reason : '',
      });
  return found;
}
