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

/** One row of a cost breakdown: a day, a week, a project, a session, an agent or a model. */
export interface CostGroup {
  /** What it groups by: `2026-12-05` (a local day, or the Monday a week starts), a project path, a session id, an agent preset, a model. */
  key: string;
  /** How a person reads it (a session's task, a project's name); the key when there is nothing better. */
  label: string;
  calls: number;
  /** Dollars over the priced calls only. */
  costUsd: number;
  unpricedCalls: number;
  tokens: TokenCounts;
  /** Dollars by where the figures came from. */
  costBySource: Record<UsageSource, number>;
}

/** Adds `more` into `into`; a sign of -1 takes it away. */
export function addSpend(into: SpendTotals, more: SpendTotals, sign = 1): void {
  into.calls += sign * more.calls;
  into.costUsd += sign * more.costUsd;
  into.unpricedCalls += sign * more.unpricedCalls;
  into.tokens.input += sign * more.tokens.input;
  into.tokens.output += sign * more.tokens.output;
  into.tokens.cacheWrite += sign * more.tokens.cacheWrite;
  into.tokens.cacheRead += sign * more.tokens.cacheRead;
}

/** The same for cost groups, their dollars by source too. */
export function addCostGroup(into: CostGroup, more: CostGroup, sign = 1): void {
  addSpend(into, more, sign);
  for (const source of USAGE_SOURCES) into.costBySource[source] += sign * more.costBySource[source];
}

/** A group with nothing in it yet, to add calls to. */
export function emptyCostGroup(key: string, label: string): CostGroup {
  return {
    key,
    label,
    calls: 0,
    costUsd: 0,
    unpricedCalls: 0,
    tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
    costBySource: { metered: 0, reported: 0, estimated: 0 },
  };
}

/** A limit and how much of it is used, as the dashboard draws it. */
export interface BudgetUse {
  scope: 'session' | 'project' | 'day';
  /** What it is the limit of: a session id, a project path, or the day (`2026-12-05`). */
  subject: string;
  label: string;
  limitUsd: number;
  spentUsd: number;
}

/** Everything the cost dashboard shows, for a time range. */
export interface CostReport {
  generatedAt: string;
  since: string | null;
  until: string | null;
  totals: SpendTotals & {
    bySource: Record<UsageSource, { calls: number; costUsd: number }>;
  };
  /** Oldest first, every day in the range that has calls (local days). */
  byDay: CostGroup[];
  /** Oldest first, keyed by the Monday each week starts. */
  byWeek: CostGroup[];
  /** Most expensive first. */
  byProject: CostGroup[];
  /** Most expensive first, at most 50. */
  bySession: CostGroup[];
  byAgent: CostGroup[];
  byModel: CostGroup[];
  /** Models the price table does not know, with how many calls each: their cost is unknown. */
  unpricedModels: Array<{ model: string; calls: number }>;
  /** The limits that are set (settings and the person's policy), with what they have used. */
  budgets: BudgetUse[];
  /** Today's spend so far, and at the rate since local midnight, what it comes to by midnight. */
  today: { spentUsd: number; forecastUsd: number };
}
