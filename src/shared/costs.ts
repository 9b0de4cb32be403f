/**
 * What model calls cost, as every process sees it. One `cost.usage` audit event per model call:
 * metered by the broker (it saw the response), reported by an agent's own files (Claude Code
 * transcripts, Codex session logs, imported), or estimated (a count Paddock worked out itself).
 * No Node, no DOM here.
 */

export const USAGE_EVENT = 'cost.usage';

/** Where a figure comes from; where two sources cover the same call, metered wins. */
export const USAGE_SOURCES = ['metered', 'reported', 'estimated'] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

export type ModelProvider = 'anthropic' | 'openai';

/** Token counts of one call, by kind. Input excludes cache reads and writes (Anthropic's sense). */
export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/** Totals over a set of calls. */
export interface SpendTotals {
  calls: number;
  /** Dollars over the priced calls only. */
  costUsd: number;
  /** Calls of models the price table does not know: their cost is unknown, not zero. */
  unpricedCalls: number;
  tokens: TokenCounts;
}

/** The payload of a `cost.usage` event. */
export interface UsageRecord {
  source: UsageSource;
  provider: ModelProvider;
  /** The model the provider says answered (or the request named, when the answer did not say). */
  model: string;
  tokens: TokenCounts;
  /** US dollars at the price table's rates; null when the model is not in the table (unpriced). */
  costUsd: number | null;
  /** The price table entry used (`claude-sonnet-4-5`), or null when unpriced. */
  pricedAs: string | null;
  /** The provider's request id (`request-id` / `x-request-id` header, or a transcript's `requestId`). */
  requestId: string | null;
  /** The response's message id (`msg_…`, `chatcmpl-…`, `resp_…`). */
  messageId: string | null;
  /** When the call was made (ISO 8601). For imports, the transcript's time, not the import's. */
  at: string;
  /** Request start to the end of the response, when metered. */
  latencyMs: number | null;
  /** Where an imported figure was read from (a file), for a person who checks it. */
  origin?: string;
}
