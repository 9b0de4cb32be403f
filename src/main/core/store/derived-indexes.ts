/**
 * Indexes derived from the event log: full-text (FTS5, contentless, rowid = events.seq), session
 * membership (event_sessions) and model usage (usage, one row per `cost.usage` event). They are filled after commit in small batches, not inside
 * every append, so the chain stays as fast as it can be; a crash only leaves work to catch up on
 * (the watermark in meta says how far they got). Queries first catch up, or (read-only) cover the
 * unindexed tail directly, so they always see every committed event.
 */
import type { JsonValue } from '../../../shared/audit';
import type { Db } from './database';
import { hasFilters, searchSeqs, type SearchFilters } from './event-search';
import { eventText } from './event-text';
import { UsageIndex, usageRowOf } from './usage-index';

const BATCH = 2_000;

interface PendingRow {
  seq: number;
  session_id: string | null;
  kind: string;
  actor_id: string;
  payload: string;
  blobs: string;
}

export class DerivedIndexes {
  private scheduled = false;
  private stopped = false;
  private readonly watermark;
  private readonly pending;
  private readonly writes;
  private readonly blob;
  readonly usage: UsageIndex;

  constructor(private readonly db: Db) {
    this.usage = new UsageIndex(db);
    this.watermark = db
      .prepare("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'indexed_seq'")
      .pluck();
    this.pending = db.prepare(
      'SELECT seq, session_id, kind, actor_id, payload, blobs FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.blob = db
      .prepare('SELECT content FROM all_blobs WHERE hash = ? ORDER BY content IS NULL LIMIT 1')
      .pluck();
    this.writes = db.readonly
      ? null
      : {
          text: db.prepare('INSERT INTO events_fts (rowid, body) VALUES (?, ?)'),
          session: db.prepare('INSERT INTO event_sessions (session_id, seq) VALUES (?, ?)'),
          watermark: db.prepare("UPDATE meta SET value = ? WHERE key = 'indexed_seq'"),
        };
  }

  /** The last event both indexes hold. Read from the file: another process may be the writer. */
  indexedSeq(): number {
    return Number(this.watermark.get() ?? 0);
  }

  /** Indexes what was committed, soon, without holding up the caller. */
  schedule(): void {
    if (this.scheduled || this.stopped || !this.writes) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped && this.indexBatch() === BATCH) this.schedule();
    });
  }

  /** Indexes everything committed so far, now (a no-op for a read-only store). */
  catchUp(): void {
    if (!this.writes) return;
    while (this.indexBatch() === BATCH);
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Seqs of matching events, newest first. Every word must match; the last may be the start of a
   * word. Whole words are tried first: a prefix query must collect every match before it can sort,
   * which is slow for a prefix most events share, and whole words answer most searches.
   */
  search(text: string, limit: number, filters: SearchFilters = {}): number[] {
    this.catchUp();
    const words = text.split(/\s+/).filter(Boolean).map(quote);
    if (words.length === 0)
      return hasFilters(filters) ? searchSeqs(this.db, null, filters, limit) : [];
    const whole = searchSeqs(this.db, words.join(' '), filters, limit);
    if (whole.length >= limit) return whole;
    // Every whole-word match is also a prefix match: this answer includes the first one.
    return searchSeqs(this.db, `${words.join(' ')}*`, filters, limit);
  }

  /** An event's searchable text, with what it printed when it is output (see OUTPUT_KINDS). */
  private textOf(row: PendingRow, payload: JsonValue): string {
    const text = eventText(row.kind, row.actor_id, payload);
    if (!OUTPUT_KINDS.has(row.kind)) return text;
    const printed = blobHashes(row.blobs)
      .map((hash) => this.blob.get(hash) as Buffer | null | undefined)
      .filter((content): content is Buffer => !!content)
      .map((content) => outputText(content))
      .join('\n');
    return printed ? `${text}\n${printed}` : text;
  }

  /** Returns how many events it indexed. */
  private indexBatch(): number {
    const writes = this.writes;
    if (!writes) return 0;
    const rows = this.pending.all(this.indexedSeq(), BATCH) as PendingRow[];
    if (rows.length === 0) return 0;
    this.db.transaction(() => {
      for (const row of rows) {
        const payload = parsePayload(row.payload);
        writes.text.run(row.seq, this.textOf(row, payload));
        if (row.session_id !== null) writes.session.run(row.session_id, row.seq);
        const usage = usageRowOf(row.seq, row.session_id, row.kind, payload);
        if (usage) this.usage.add(usage);
      }
      writes.watermark.run(String(rows.at(-1)?.seq));
    })();
    return rows.length;
  }
}

/** Events whose blob is something printed: a terminal's output, a command's (redacted already). */
const OUTPUT_KINDS = new Set(['terminal.output', 'session.exec']);
/** How much of one event's output is searchable (a chunk is 64 KiB at most). */
const MAX_OUTPUT_TEXT = 256 * 1024;
/** CSI and OSC sequences and other escapes: colour and cursor moves are not words. */
// eslint-disable-next-line no-control-regex -- escape sequences are exactly what is removed
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

function outputText(content: Buffer): string {
  return content
    .subarray(0, MAX_OUTPUT_TEXT)
    .toString('utf8')
    .replace(ESCAPES, '')
    .replace(CONTROLS, ' ');
}

function blobHashes(column: string): string[] {
  try {
    const hashes = JSON.parse(column) as unknown;
    return Array.isArray(hashes)
      ? hashes.filter((hash): hash is string => typeof hash === 'string')
      : [];
  } catch {
    return [];
  }
}

/** One FTS5 string token: the person's text never becomes query syntax. */
function quote(word: string): string {
  return `"${word.replace(/"/g, '""')}"`;
}

function parsePayload(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text; // a damaged row is still searchable by its text; verify reports the damage
  }
}
