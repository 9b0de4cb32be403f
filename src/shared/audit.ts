/**
 * Audit records as every process sees them. The store in main writes them; the renderer, the CLI
 * and the end-to-end tests read them through the contract. No Node, no DOM here.
 */

/** Who caused an event. `agent` means reported by the agent, never observed by Paddock. */
export const ACTORS = ['agent', 'person', 'policy', 'system'] as const;
export type Actor = (typeof ACTORS)[number];

/** The hash chain starts from this value. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON values, as stored in an event's payload. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One row of the append-only, hash-chained event log. */
export interface AuditEvent {
  /** Position in the global chain, from 1. */
  seq: number;
  id: string;
  /** ISO 8601 time, UTC, milliseconds. */
  ts: string;
  sessionId: string | null;
  /** Dotted name: `doctor.ran`, `settings.changed`, `blob.dropped`, ... */
  kind: string;
  actor: Actor;
  /** The person's name, the rule or classifier id, or the component that acted. */
  actorId: string;
  payload: JsonObject;
  /** SHA-256 of each large payload (terminal output, diffs) kept in the blob table. */
  blobs: string[];
  prevHash: string;
  /** Hash of the previous event of the same session (GENESIS_HASH for its first, null outside sessions). */
  sessionPrevHash: string | null;
  hash: string;
}

/** How a broken chain or blob is classified by `verify`. */
export const BREAK_KINDS = [
  'edited',
  'deleted',
  'reordered',
  'truncated',
  'session-link',
  'blob-altered',
  'blob-swapped',
  'blob-missing',
  'checkpoint-missing',
  'checkpoint-invalid',
] as const;
export type BreakKind = (typeof BREAK_KINDS)[number];

export interface ChainBreak {
  kind: BreakKind;
  /** The event where the break shows, when there is one. */
  seq: number | null;
  eventId: string | null;
  blobHash?: string;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  sessions: number;
  head: string;
  blobs: { referenced: number; present: number; dropped: number };
  checkpoint: { seq: number; count: number; head: string; writtenAt: string } | null;
  /** In the order found; the first is the first broken link. Capped at 100. */
  problems: ChainBreak[];
  durationMs: number;
  /**
   * Content dropped on purpose (retention, redaction), as its intact tombstones declare it: one
   * entry per who and why, oldest first. Capped at 100 entries.
   */
  dropped: DroppedContent[];
}

/** Tombstones (`blob.dropped` events) of one actor and one reason, summed. */
export interface DroppedContent {
  reason: string;
  actor: Actor;
  actorId: string;
  /** Tombstones, one per blob dropped. */
  blobs: number;
  /** Content bytes, as the tombstones declare them (tombstones from before retention do not). */
  bytes: number;
  /** Events whose content it was, as the tombstones name them. */
  events: number;
  /** The first and the last of these tombstones. */
  first: { seq: number; ts: string };
  last: { seq: number; ts: string };
}

/**
 * What a prune dropped (`paddock audit prune`, or the `audit.retentionDays` setting): the content
 * of blobs that only events older than `before` name. Events are never removed; each blob dropped
 * gets a tombstone, a `blob.dropped` event {hash, reason, bytes, events (their seqs), before}.
 */
export interface PruneReport {
  before: string;
  reason: string;
  /** Blobs whose content was dropped, one tombstone each (or one already written, see resumed). */
  blobs: number;
  /** Content bytes dropped. */
  bytes: number;
  /** Events whose content it was. They stay, naming the content by its hash. */
  events: number;
  /** When the oldest and the newest of those events were written. */
  oldest: string | null;
  newest: string | null;
  /** Seqs of the first and the last tombstone written. */
  tombstones: { first: number; last: number } | null;
  /** Of `blobs`: content an interrupted prune had declared dropped but not yet removed. */
  resumed: number;
  /** Blobs that old events name but a newer event names too: content is stored once, so they stay. */
  kept: number;
  /** Each file (with its write-ahead log) on disk before and after, and how space went back. */
  files: PruneFile[];
  durationMs: number;
}

export interface PruneFile {
  name: string;
  before: number;
  after: number;
  /**
   * `incremental-vacuum`: freed pages handed back a few at a time; `vacuum`: the file rewritten;
   * `reuse`: freed pages stay in the file for what is written next; `none`: nothing was freed.
   */
  space: 'incremental-vacuum' | 'vacuum' | 'reuse' | 'none';
}
