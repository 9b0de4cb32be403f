/**
 * The full-text index over event text (FTS5, contentless, rowid = events.seq). It is derived data,
 * so it is filled after commit in small batches rather than inside every append: the chain stays
 * as fast as it can be, and a crash only leaves work to catch up on (the watermark in meta says how
 * far the index got). A search first catches up, so it always sees every committed event.
 */
import type { Db } from './database';
import { eventText } from './event-text';
import type { JsonValue } from '../../../shared/audit';

const BATCH = 2_000;

export class SearchIndex {
  private indexedSeq: number;
  private scheduled = false;
  private stopped = false;
  private readonly pending;
  private readonly insert;
  private readonly saveWatermark;
  private readonly exact;

  constructor(private readonly db: Db) {
    this.indexedSeq = Number(
      (db.prepare("SELECT value FROM meta WHERE key = 'fts_indexed_seq'").pluck().get() as
        string | undefined) ?? 0,
    );
    this.pending = db.prepare(
      'SELECT seq, kind, actor_id, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.exact = db
      .prepare('SELECT rowid FROM events_fts WHERE events_fts MATCH ? ORDER BY rowid DESC LIMIT ?')
      .pluck();
    this.insert = db.readonly
      ? null
      : db.prepare('INSERT INTO events_fts (rowid, body) VALUES (?, ?)');
    this.saveWatermark = db.readonly
      ? null
      : db.prepare("UPDATE meta SET value = ? WHERE key = 'fts_indexed_seq'");
  }

  /** Indexes what was committed, soon, without holding up the caller. */
  schedule(): void {
    if (this.scheduled || this.stopped || !this.insert) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped && this.indexBatch() === BATCH) this.schedule();
    });
  }

  /** Indexes everything committed so far, now. */
  catchUp(): void {
    if (!this.insert) return;
    while (this.indexBatch() === BATCH);
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Newest first. Every word must match; the last may be the start of a word. Whole words are tried
   * first: a prefix query must collect every match before it can sort, which is slow for a prefix
   * that most events share, and whole words answer most searches.
   */
  search(text: string, limit: number): number[] {
    this.catchUp();
    const words = text.split(/\s+/).filter(Boolean).map(quote);
    if (words.length === 0) return [];
    const whole = this.exact.all(words.join(' '), limit) as number[];
    if (whole.length >= limit) return whole;
    // Every whole-word match is also a prefix match: this answer includes the first one.
    return this.exact.all(`${words.join(' ')}*`, limit) as number[];
  }

  /** Returns how many events it indexed. */
  private indexBatch(): number {
    const rows = this.pending.all(this.indexedSeq, BATCH) as Array<{
      seq: number;
      kind: string;
      actor_id: string;
      payload: string;
    }>;
    if (rows.length === 0) return 0;
    const insert = this.insert;
    const save = this.saveWatermark;
    if (!insert || !save) return 0;
    this.db.transaction(() => {
      for (const row of rows)
        insert.run(row.seq, eventText(row.kind, row.actor_id, parsePayload(row.payload)));
      save.run(String(rows.at(-1)?.seq));
    })();
    this.indexedSeq = rows.at(-1)?.seq ?? this.indexedSeq;
    return rows.length;
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
