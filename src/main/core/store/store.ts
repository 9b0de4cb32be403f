/**
 * The audit store: one SQLite file, one writer, an append-only hash-chained event log.
 *
 * Durability: WAL with synchronous=FULL. `append`, `appendMany` and `transaction` return only after
 * SQLite has committed and fsynced the WAL, so an event the store has returned survives kill -9 and
 * power loss. Callers that write many events at once should use `appendMany` (or `transaction`):
 * one fsync for the whole batch.
 */
import type { Statement } from 'better-sqlite3';
import {
  GENESIS_HASH,
  type Actor,
  type AuditEvent,
  type JsonObject,
  type VerifyReport,
} from '../../../shared/audit';
import { ensurePrivateDir, paddockPaths, type PaddockPaths } from '../home';
import { canonicalJson } from './canonical-json';
import { attachBlobFile } from './blob-file';
import { PUT_BLOB } from './blob-table';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { openDatabase, type Db } from './database';
import { blobList, eventDigest, GENESIS_DIGEST, sha256Hex, type Digest } from './event-hash';
import { hexOf, rowToEvent, type EventRow } from './event-row';
import { DerivedIndexes } from './derived-indexes';
import type { SearchFilters } from './event-search';
import type { KnownCall, SpendFilter, SpendTotals, UsageGroup, UsageGrouping } from './usage-index';
import { verifyChain } from './verify';
import { acquireWriterLock, type WriterLock } from './writer-lock';

export interface AppendInput {
  kind: string;
  actor: Actor;
  actorId: string;
  sessionId?: string | null;
  payload?: JsonObject;
  /** Large content (terminal output, diffs) stored once in the blob table and referenced by hash. */
  blobs?: Array<Uint8Array | string>;
  /**
   * Hashes of content already in the blob file (written by a `BlobWriter`, see blob-file.ts),
   * referenced after `blobs`. Appending refuses a hash whose content is not stored.
   */
  storedBlobs?: readonly string[];
}

export interface StoreOptions {
  /** The Paddock home directory (see core/home). */
  home: string;
  /** Open for reading only: no lock, no migration, no checkpoints. */
  readonly?: boolean;
  /** Write a checkpoint after this many new events (and at open and close)... */
  checkpointEvery?: number;
  /** ...but not more often than this (default 1 s). */
  checkpointMinIntervalMs?: number;
  now?: () => Date;
  /** Shown to a second process that finds the writer lock taken. */
  lockCommand?: string;
}

export interface EventQuery {
  afterSeq?: number;
  beforeSeq?: number;
  sessionId?: string;
  limit?: number;
  /** Oldest first (the default) or newest first. */
  order?: 'asc' | 'desc';
}

interface Head {
  seq: number;
  digest: Digest;
}

type AppendListener = (events: AuditEvent[]) => void;

/**
 * Rewrites an event's payload before it is hashed and written (the composition root sets one that
 * takes the vault's secrets out). It must return JSON, and may return the payload it was given.
 */
export type PayloadFilter = (payload: JsonObject) => JsonObject;

const MAX_LIMIT = 10_000;

export class AuditStore {
  readonly paths: PaddockPaths;
  readonly readonly: boolean;
  private head: Head;
  private readonly sessionHeads = new Map<string, Digest>();
  private clock = { ms: -1, iso: '' };
  private checkpointedSeq: number;
  private checkpointedAt = 0;
  private readonly listeners = new Set<AppendListener>();
  private unannounced: AuditEvent[] = [];
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly indexes: DerivedIndexes;
  private readonly storeId: string;
  private closed = false;
  private checkpointFrozen = false;
  private payloadFilter: PayloadFilter | null = null;

  static open(options: StoreOptions): AuditStore {
    const paths = paddockPaths(options.home);
    if (options.readonly)
      return new AuditStore(
        openDatabase(paths.database, { readonly: true, backupDir: paths.backups }),
        paths,
        null,
        options,
      );
    ensurePrivateDir(paths.home);
    ensurePrivateDir(paths.backups);
    const lock = acquireWriterLock(paths.writerLock, options.lockCommand);
    try {
      const db = openDatabase(paths.database, { backupDir: paths.backups, now: options.now });
      return new AuditStore(db, paths, lock, options);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  private constructor(
    private readonly db: Db,
    paths: PaddockPaths,
    private readonly lock: WriterLock | null,
    private readonly options: StoreOptions,
  ) {
    this.paths = paths;
    this.readonly = lock === null;
    attachBlobFile(db, paths.blobFile);
    this.statements = prepareStatements(db);
    this.indexes = new DerivedIndexes(db);
    this.storeId = this.statements.storeId.get() as string;
    this.head = this.loadHead();
    this.checkpointedSeq = this.head.seq;
    if (!this.readonly) this.checkpointAtOpen();
  }

  /** The database handle, for sibling services that keep their own tables in this file. */
  get database(): Db {
    return this.db;
  }

  append(input: AppendInput): AuditEvent {
    return this.appendMany([input])[0] as AuditEvent;
  }

  appendMany(inputs: readonly AppendInput[]): AuditEvent[] {
    return this.transaction(() => inputs.map((input) => this.insert(input)));
  }

  /**
   * Runs `work` in one transaction: everything it appends (and any row a sibling service writes
   * through `database`) commits together or not at all. Listeners hear of the events after commit.
   */
  transaction<T>(work: () => T): T {
    this.assertWritable();
    const outermost = !this.db.inTransaction;
    let result: T;
    try {
      result = this.db.transaction(work)();
    } catch (error) {
      // The chain head we keep in memory may describe rows that were just rolled back.
      this.sessionHeads.clear();
      this.head = this.loadHead();
      if (outermost) this.unannounced = [];
      throw error;
    }
    if (outermost) this.afterCommit();
    return result;
  }

  /**
   * Every event appended from now on (by `append`, `appendMany`, in a `transaction`, a blob's
   * tombstone) has its payload passed through `filter` before it is hashed and written: the chain
   * covers what the filter returns, the store never holds what it took out, and the event returned
   * and announced carries the filtered payload. A filter that throws fails the append, and the
   * transaction it is in: nothing is written rather than the payload unfiltered. Blobs are content,
   * not payload: they are not filtered. `null` removes the filter.
   */
  setPayloadFilter(filter: PayloadFilter | null): void {
    this.payloadFilter = filter;
  }

  /** Stores content once, by its SHA-256 (again, if it was dropped), and returns the hash. */
  putBlob(content: Uint8Array | string): string {
    this.assertWritable();
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const hash = sha256Hex(bytes);
    this.statements.insertBlob.run(hash, bytes.byteLength, bytes);
    return hash;
  }

  /** The content, or null when it never existed or was dropped. */
  getBlob(hash: string): Buffer | null {
    const row = this.statements.getBlob.get(hash) as { content: Buffer | null } | undefined;
    return row?.content ?? null;
  }

  /** Drops a blob's content and appends the tombstone that declares it: the chain still verifies. */
  dropBlob(hash: string, reason: string, actor: Actor, actorId: string): AuditEvent {
    const tombstone = (): AuditEvent =>
      this.insert({ kind: 'blob.dropped', actor, actorId, payload: { hash, reason } });
    const inLog = this.transaction(() =>
      this.statements.dropBlob.run(hash).changes > 0 ? tombstone() : null,
    );
    if (inLog) return inLog;
    if (!this.statements.hasStoredBlob.get(hash))
      throw new Error(`No blob with content to drop: ${hash}`);
    // Two files commit apart: the tombstone first, so a crash between leaves content with a
    // tombstone (dropped again next time), never a blob gone without one.
    const event = this.transaction(tombstone);
    this.statements.dropStoredBlob.run(hash);
    return event;
  }

  list(query: EventQuery = {}): AuditEvent[] {
    const params = {
      after: query.afterSeq ?? 0,
      before: query.beforeSeq ?? Number.MAX_SAFE_INTEGER,
      limit: Math.min(Math.max(query.limit ?? 100, 1), MAX_LIMIT),
    };
    const desc = query.order === 'desc';
    if (query.sessionId === undefined) {
      const statement = desc ? this.statements.listDesc : this.statements.listAsc;
      return (statement.all(params) as EventRow[]).map(rowToEvent);
    }
    // Session membership is a derived index: what it does not hold yet is read from the log itself.
    this.indexes.catchUp();
    const statement = desc ? this.statements.sessionListDesc : this.statements.sessionListAsc;
    const sessionParams = {
      ...params,
      session: query.sessionId,
      indexed: this.indexes.indexedSeq(),
    };
    return (statement.all(sessionParams) as EventRow[]).map(rowToEvent);
  }

  /** By position in the chain, or by id ('<store id>-<seq>'). */
  get(idOrSeq: string | number): AuditEvent | null {
    if (typeof idOrSeq === 'string') {
      const event = this.get(Number(idOrSeq.slice(idOrSeq.lastIndexOf('-') + 1)) || 0);
      return event?.id === idOrSeq ? event : null;
    }
    const row = this.statements.bySeq.get(idOrSeq) as EventRow | undefined;
    return row ? rowToEvent(row) : null;
  }

  /**
   * Full-text search over event text and what commands printed, newest first, narrowed by the
   * filters. Every word must match (the last may be a prefix); no words: the filters alone.
   */
  search(text: string, limit = 50, filters: SearchFilters = {}): AuditEvent[] {
    const seqs = this.indexes.search(text, Math.min(Math.max(limit, 1), MAX_LIMIT), filters);
    return seqs.map((seq) => this.get(seq)).filter((event): event is AuditEvent => event !== null);
  }

  /** Totals of the `cost.usage` events a filter selects (sessions, time range, source). */
  spend(filter: SpendFilter = {}): SpendTotals {
    this.indexes.catchUp();
    return this.indexes.usage.spend(filter, this.indexes.indexedSeq());
  }

  /** Sums of the `cost.usage` events a filter selects, one per group (session, model, source, day). */
  usageGroups(filter: SpendFilter, grouping: UsageGrouping): UsageGroup[] {
    this.indexes.catchUp();
    return this.indexes.usage.groups(filter, grouping, this.indexes.indexedSeq());
  }

  /** Calls already on the record under this request id or message id. */
  knownCalls(ids: { requestId: string | null; messageId: string | null }): KnownCall[] {
    this.indexes.catchUp();
    return this.indexes.usage.known(ids.requestId, ids.messageId, this.indexes.indexedSeq());
  }

  /**
   * Brings the derived indexes (search, session membership) up to date now. It also catches up by itself soon after each commit,
   * and before every search; this is for callers that want the work done at a time they choose.
   */
  flushIndexes(): void {
    this.indexes.catchUp();
  }

  headInfo(): { seq: number; hash: string } {
    return { seq: this.head.seq, hash: this.head.digest.hex };
  }

  verify(): VerifyReport {
    // The checkpoint is read before the snapshot: it can only describe rows the snapshot holds.
    const checkpoint = readCheckpoint(this.paths.checkpoint);
    return this.db.transaction(() => verifyChain(this.db, checkpoint))();
  }

  /** Hears of every event after it is committed. Returns the unsubscribe function. */
  onAppend(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.indexes.stop();
    if (!this.readonly) {
      this.indexes.catchUp();
      this.writeCheckpointNow();
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
    this.db.close();
    this.lock?.release();
  }

  private insert(input: AppendInput): AuditEvent {
    const seq = this.head.seq + 1;
    const sessionId = input.sessionId ?? null;
    const given = input.payload ?? {};
    // Before anything is hashed or written; a throw rolls the transaction back.
    const payload = this.payloadFilter === null ? given : this.payloadFilter(given);
    const payloadJson = canonicalJson(payload);
    const blobs = (input.blobs ?? []).map((content) => this.putBlob(content));
    const droppedOnArrival: string[] = [];
    for (const hash of input.storedBlobs ?? []) {
      const stored = this.statements.storedBlob.get(hash) as { present: number } | undefined;
      if (!stored)
        throw new Error(
          `Blob ${hash} is not in the blob file: an event may only name stored content.`,
        );
      // Retention dropped this content (an older event's, the same bytes) after the recording
      // thread found it stored and before this event arrived: see declareDroppedOnArrival.
      if (!stored.present) droppedOnArrival.push(hash);
      blobs.push(hash);
    }
    const prev = this.head.digest;
    const sessionPrev = sessionId === null ? null : this.sessionHead(sessionId);
    const fields = {
      id: `${this.storeId}-${seq}`,
      ts: this.now(),
      session_id: sessionId,
      kind: input.kind,
      actor: input.actor,
      actor_id: input.actorId,
      blobs,
      prev_hash: prev.hex,
      session_prev_hash: sessionPrev?.hex ?? null,
    };
    const digest = eventDigest(fields, payloadJson);
    this.statements.insertEvent.run(
      seq,
      fields.id,
      fields.ts,
      sessionId,
      fields.kind,
      fields.actor,
      fields.actor_id,
      payloadJson,
      blobList(blobs),
      prev.bytes,
      sessionPrev?.bytes ?? null,
      digest.bytes,
    );
    this.head = { seq, digest };
    if (sessionId !== null) this.sessionHeads.set(sessionId, digest);
    const event: AuditEvent = {
      seq,
      id: fields.id,
      ts: fields.ts,
      sessionId,
      kind: fields.kind,
      actor: fields.actor,
      actorId: fields.actor_id,
      payload,
      blobs,
      prevHash: fields.prev_hash,
      sessionPrevHash: fields.session_prev_hash,
      hash: digest.hex,
    };
    this.unannounced.push(event);
    if (droppedOnArrival.length > 0) this.declareDroppedOnArrival(event, droppedOnArrival);
    return event;
  }

  /**
   * Content that a recorded event names but that retention dropped while the event was on its way
   * from the recording thread (it stores a chunk that is already there by doing nothing, and
   * retention may drop the older copy before the event naming the new one is appended). The bytes
   * are gone; refusing the event would stop the recording for good. So the event is kept and a
   * tombstone right after it declares its content dropped: the record says what happened, and
   * `verify` finds no blob missing without a tombstone.
   */
  private declareDroppedOnArrival(event: AuditEvent, hashes: readonly string[]): void {
    for (const hash of hashes)
      this.insert({
        kind: 'blob.dropped',
        actor: 'system',
        actorId: 'store',
        payload: {
          hash,
          reason: 'retention dropped this content as the event naming it was being recorded',
          events: [event.seq],
        },
      });
  }

  /** ISO time, formatted once per millisecond: a batch shares most of its timestamps. */
  private now(): string {
    if (this.options.now) return this.options.now().toISOString();
    const ms = Date.now();
    if (ms !== this.clock.ms) this.clock = { ms, iso: new Date(ms).toISOString() };
    return this.clock.iso;
  }

  private sessionHead(sessionId: string): Digest {
    let digest = this.sessionHeads.get(sessionId);
    if (digest === undefined) {
      const lookup = { session: sessionId, indexed: this.indexes.indexedSeq() };
      const row = (this.statements.sessionTailHead.get(lookup) ??
        this.statements.sessionIndexedHead.get(lookup)) as Pick<EventRow, 'hash'> | undefined;
      digest = row ? toDigest(row.hash) : GENESIS_DIGEST;
      this.sessionHeads.set(sessionId, digest);
    }
    return digest;
  }

  private loadHead(): Head {
    const row = this.statements.head.get() as Pick<EventRow, 'seq' | 'hash'> | undefined;
    return row ? { seq: row.seq, digest: toDigest(row.hash) } : { seq: 0, digest: GENESIS_DIGEST };
  }

  private afterCommit(): void {
    const events = this.unannounced;
    this.unannounced = [];
    const due = this.head.seq - this.checkpointedSeq >= (this.options.checkpointEvery ?? 1000);
    // At most one checkpoint (one more fsync) a second under load; open and close always write one.
    const minInterval = this.options.checkpointMinIntervalMs ?? 1000;
    if (due && Date.now() - this.checkpointedAt >= minInterval) this.writeCheckpointNow();
    if (events.length === 0) return;
    this.indexes.schedule();
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (error) {
        // A listener's failure must not look like a failed append: the events are committed.
        console.error('paddock: an audit listener failed:', error);
      }
    }
  }

  /**
   * A checkpoint that the chain no longer reaches means rows were cut while Paddock was not
   * running. Overwriting it would bless the cut, so the old checkpoint is kept (verify goes on
   * failing until a person restores a backup) and the finding goes on the record.
   */
  private checkpointAtOpen(): void {
    const read = readCheckpoint(this.paths.checkpoint);
    if (read.state === 'ok') {
      const { count, head } = read.checkpoint;
      const row = this.statements.bySeq.get(count) as Pick<EventRow, 'hash'> | undefined;
      const reached = count === 0 ? GENESIS_HASH : row && hexOf(row.hash);
      if (reached !== head) {
        this.checkpointFrozen = true;
        this.append({
          kind: 'store.checkpoint-mismatch',
          actor: 'system',
          actorId: 'store',
          payload: {
            checkpoint: { ...read.checkpoint },
            events: this.head.seq,
            action: 'kept the old checkpoint; run `paddock audit verify`',
          },
        });
        return;
      }
    }
    this.writeCheckpointNow();
  }

  private writeCheckpointNow(): void {
    if (this.checkpointFrozen) return;
    writeCheckpoint(this.paths.checkpoint, {
      version: 1,
      seq: this.head.seq,
      count: this.head.seq,
      head: this.head.digest.hex,
      writtenAt: new Date().toISOString(),
    });
    this.checkpointedSeq = this.head.seq;
    this.checkpointedAt = Date.now();
  }

  private assertWritable(): void {
    if (this.closed) throw new Error('The audit store is closed.');
    if (this.readonly) throw new Error('This audit store was opened read-only.');
  }
}

const LIST =
  'SELECT * FROM events WHERE seq > @after AND seq < @before ORDER BY seq $order LIMIT @limit';
/** The indexed part of a session, then the tail the index does not hold yet. */
const SESSION_LIST = `SELECT * FROM (
    SELECT e.* FROM event_sessions s JOIN events e ON e.seq = s.seq
     WHERE s.session_id = @session AND s.seq > @after AND s.seq < @before AND s.seq <= @indexed
    UNION ALL
    SELECT * FROM events WHERE seq > max(@after, @indexed) AND seq < @before AND session_id = @session
  ) ORDER BY seq $order LIMIT @limit`;

function prepareStatements(db: Db) {
  const writable = !db.readonly;
  const prepareWrite = (sql: string): Statement | null => (writable ? db.prepare(sql) : null);
  return {
    head: db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1'),
    listAsc: db.prepare(LIST.replace('$order', 'ASC')),
    listDesc: db.prepare(LIST.replace('$order', 'DESC')),
    sessionListAsc: db.prepare(SESSION_LIST.replace('$order', 'ASC')),
    sessionListDesc: db.prepare(SESSION_LIST.replace('$order', 'DESC')),
    sessionTailHead: db.prepare(
      'SELECT hash FROM events WHERE seq > @indexed AND session_id = @session ORDER BY seq DESC LIMIT 1',
    ),
    sessionIndexedHead: db.prepare(
      'SELECT e.hash FROM event_sessions s JOIN events e ON e.seq = s.seq WHERE s.session_id = @session AND s.seq <= @indexed ORDER BY s.seq DESC LIMIT 1',
    ),
    bySeq: db.prepare('SELECT * FROM events WHERE seq = ?'),
    storeId: db.prepare("SELECT value FROM meta WHERE key = 'store_id'").pluck(),
    getBlob: db.prepare(
      'SELECT content FROM all_blobs WHERE hash = ? ORDER BY content IS NULL LIMIT 1',
    ),
    hasStoredBlob: db.prepare(
      'SELECT 1 FROM blob_file.blobs WHERE hash = ? AND content IS NOT NULL',
    ),
    storedBlob: db.prepare(
      'SELECT content IS NOT NULL AS present FROM blob_file.blobs WHERE hash = ?',
    ),
    insertEvent: prepareWrite(
      'INSERT INTO events (seq, id, ts, session_id, kind, actor, actor_id, payload, blobs, prev_hash, session_prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ) as Statement,
    insertBlob: prepareWrite(PUT_BLOB('main.blobs')) as Statement,
    dropBlob: prepareWrite(
      'UPDATE main.blobs SET content = NULL WHERE hash = ? AND content IS NOT NULL',
    ) as Statement,
    dropStoredBlob: prepareWrite(
      'UPDATE blob_file.blobs SET content = NULL WHERE hash = ? AND content IS NOT NULL',
    ) as Statement,
  };
}

function toDigest(value: Uint8Array | string): Digest {
  return { hex: hexOf(value), bytes: Buffer.from(typeof value === 'string' ? value : value) };
}
