/**
 * What an import of usage the broker did not meter (Claude Code transcripts, Codex session files)
 * reports back: the `costs.import` call's result, and `paddock costs import --json`. The records
 * themselves are `cost.usage` events (see costs.ts). No Node, no DOM here.
 */
import type { ModelProvider, TokenCounts } from './costs';

/** Which agent wrote a directory tree of transcripts. */
export type TranscriptKind = 'claude' | 'codex';

/** A directory tree that was read, and the Paddock session whose agent home it is (null: the person's own). */
export interface ImportedSource {
  kind: TranscriptKind;
  dir: string;
  sessionId: string | null;
  files: number;
}

/** A sum of calls: their tokens and what they cost (the priced ones). */
export interface UsageTotal {
  tokens: TokenCounts;
  costUsd: number;
}

/**
 * Calls the broker metered that the transcripts also reported, in one Paddock session: metered
 * wins, and this says by how much the two disagree (`difference` = metered − reported).
 */
export interface MeteredComparison {
  /** The Paddock session of the metered events (null for events outside a session). */
  sessionId: string | null;
  calls: number;
  metered: UsageTotal;
  reported: UsageTotal;
  difference: UsageTotal;
}

export interface UsageImportSummary {
  /** Transcript files read, their lines and bytes, and how long the import took. */
  files: number;
  lines: number;
  bytes: number;
  seconds: number;
  /** Distinct model calls the transcripts report (each message id + request id, or Codex turn, once). */
  calls: number;
  /** New `cost.usage` events written. */
  added: number;
  /** Calls an earlier import already wrote. */
  duplicates: number;
  /** Calls the broker already metered: not added (metered wins); see `sessions`. */
  alreadyMetered: number;
  /** Entries that repeat a call counted once: Claude Code's line per content block, resumed copies, Codex's re-sent counts. */
  repeats: number;
  /** Lines that are not a JSON object, or a usage entry whose fields are not what the agent writes: skipped. */
  malformed: number;
  /** Lines over the reader's limit (16 MiB), skipped unread: no usage entry is that long. */
  longLines: number;
  /** Files that could not be read (named with the error); the others were imported. */
  unreadable: Array<{ path: string; error: string }>;
  /** Models the price table does not know, among the calls added (written with costUsd null). */
  unpriced: Array<{ provider: ModelProvider; model: string; calls: number }>;
  /** Per Paddock session, the metered calls the transcripts also reported. */
  sessions: MeteredComparison[];
  sources: ImportedSource[];
}
