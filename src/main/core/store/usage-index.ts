/**
 * The usage index: `cost.usage` events as rows (see migration 006), filled by the derived indexes
 * after commit, and the sums and lookups budgets, imports and cost figures ask of it. A payload
 * out of shape is left out of the index (the event itself stays, and verify still covers it).
 */
import type { JsonObject, JsonValue } from '../../../shared/audit';
import {
  addSpend as add,
  USAGE_EVENT,
  USAGE_SOURCES,
  type SpendTotals,
  type TokenCounts,
  type UsageSource,
} from '../../../shared/costs';

export type { SpendTotals };
import type { Db } from './database';

export interface UsageRow {
  seq: number;
  session_id: string | null;
  at: string;
  source: string;
  provider: string;
  model: string;
  input: number;
  output: number;
  cache_write: number;
  cache_read: number;
  cost_usd: number | null;
  request_id: string | null;
  message_id: string | null;
}

export interface SpendFilter {
  /** Only these sessions (an empty list matches nothing). */
  sessionIds?: readonly string[];
  /** Calls at or after this time (ISO 8601), and before `until`. */
  since?: string;
  until?: string;
  source?: UsageSource;
}

/** What usage rows can be grouped by: a session (null: none), a model, a source, a day. */
export type UsageGroupKey = 'session' | 'model' | 'source' | 'day';

export interface UsageGrouping {
  by: readonly UsageGroupKey[];
  /**
   * For `day`: where each day starts, in order (ISO times, as the index holds them: local
   * midnights, say); a day runs to the next start, so the last entry only ends the day before it.
   * A call in none of them is in no group.
   */
  days?: readonly string[];
}

/** The sums of one group, with the values of the keys it was grouped by. */
export interface UsageGroup extends SpendTotals {
  session?: string | null;
  model?: string;
  source?: string;
  /** The start of the group's day, from `days`. */
  day?: string;
  /** The earliest and the latest call time in the group (as written: ISO, unless a payload was not). */
  firstAt: string;
  lastAt: string;
}

/** A call already on the record, found by the provider's request id or the message id. */
export interface KnownCall {
  seq: number;
  sessionId: string | null;
  source: string;
  costUsd: number | null;
}

const count = (value: JsonValue | undefined): number | null =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
const text = (value: JsonValue | undefined): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

/** The index row for an event, or null when it is no usage event or its payload is out of shape. */
export function usageRowOf(
  seq: number,
  sessionId: string | null,
  kind: string,
  payload: JsonValue,
): UsageRow | null {
  if (kind !== USAGE_EVENT || !payload || typeof payload !== 'object' || Array.isArray(payload))
    return null;
  const record = payload as JsonObject;
  const tokens = record.tokens;
  if (!tokens || typeof tokens !== 'object' || Array.isArray(tokens)) return null;
  const [input, output, cacheWrite, cacheRead] = ['input', 'output', 'cacheWrite', 'cacheRead'].map(
    (key) => count(tokens[key]),
  );
  const source = text(record.source);
  const provider = text(record.provider);
  const model = text(record.model);
  const at = text(record.at);
  const cost = record.costUsd;
  if (
    input == null ||
    output == null ||
    cacheWrite == null ||
    cacheRead == null ||
    !source ||
    !(USAGE_SOURCES as readonly string[]).includes(source) ||
    !provider ||
    !model ||
    !at ||
    !(cost === null || (typeof cost === 'number' && Number.isFinite(cost) && cost >= 0))
  )
    return null;
  return {
    seq,
    session_id: sessionId,
    at,
    source,
    provider,
    model,
    input,
    output,
    cache_write: cacheWrite,
    cache_read: cacheRead,
    cost_usd: cost,
    request_id: text(record.requestId),
    message_id: text(record.messageId),
  };
}

export class UsageIndex {
  private readonly insertRow;
  private readonly byRequest;
  private readonly byMessage;
  private readonly tailEvents;

  constructor(private readonly db: Db) {
    this.insertRow = db.readonly
      ? null
      : db.prepare(
          `INSERT OR IGNORE INTO usage (seq, session_id, at, source, provider, model, input, output,
             cache_write, cache_read, cost_usd, request_id, message_id)
           VALUES (@seq, @session_id, @at, @source, @provider, @model, @input, @output,
             @cache_write, @cache_read, @cost_usd, @request_id, @message_id)`,
        );
    const known = 'SELECT seq, session_id, source, cost_usd FROM usage WHERE';
    this.byRequest = db.prepare(`${known} request_id = ? ORDER BY seq`);
    this.byMessage = db.prepare(`${known} message_id = ? ORDER BY seq`);
    this.tailEvents = db.prepare(
      'SELECT seq, session_id, kind, payload FROM events WHERE seq > ? AND kind = ? ORDER BY seq',
    );
  }

  /** Adds the row for an event being indexed (inside the derived indexes' transaction). */
  add(row: UsageRow): void {
    this.insertRow?.run(row);
  }

  /** Sums over the indexed rows and, for a read-only store, the events not indexed yet. */
  spend(filter: SpendFilter, indexedSeq: number): SpendTotals {
    const totals: SpendTotals = {
      calls: 0,
      costUsd: 0,
      unpricedCalls: 0,
      tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
    };
    if (filter.sessionIds?.length === 0) return totals;
    const { where, params } = whereOf(filter);
    const sums = this.db
      .prepare(
        `SELECT count(*) AS calls, total(cost_usd) AS cost, count(*) - count(cost_usd) AS unpriced,
           total(input) AS input, total(output) AS output, total(cache_write) AS cache_write,
           total(cache_read) AS cache_read
         FROM usage ${where}`,
      )
      .get(params) as {
      calls: number;
      cost: number;
      unpriced: number;
      input: number;
      output: number;
      cache_write: number;
      cache_read: number;
    };
    add(totals, {
      calls: sums.calls,
      costUsd: sums.cost,
      unpricedCalls: sums.unpriced,
      tokens: {
        input: sums.input,
        output: sums.output,
        cacheWrite: sums.cache_write,
        cacheRead: sums.cache_read,
      },
    });
    for (const row of this.unindexed(indexedSeq))
      if (matches(row, filter)) add(totals, totalsOf(row));
    return totals;
  }

  /**
   * Sums over the indexed rows a filter selects, one per group (and, for a read-only store, the
   * events not indexed yet). The sums are SQL's: no payload is read for an indexed call. By day,
   * one query a day, over the time index: each sorts only its day's calls.
   */
  groups(filter: SpendFilter, grouping: UsageGrouping, indexedSeq: number): UsageGroup[] {
    if (filter.sessionIds?.length === 0) return [];
    const days = grouping.by.includes('day') ? (grouping.days ?? []) : null;
    if (days && days.length < 2) return [];
    const { where, params } = whereOf(filter);
    const keys = grouping.by.filter((key) => key !== 'day');
    const dayClause = `${where ? `${where} AND` : 'WHERE'} at >= @dayStart AND at < @dayEnd`;
    const statement = this.db.prepare(
      `SELECT ${keys.map((key) => `${key === 'session' ? 'session_id AS session' : key}, `).join('')}
         count(*) AS calls, total(cost_usd) AS costUsd, count(*) - count(cost_usd) AS unpricedCalls,
         total(input) AS input, total(output) AS output, total(cache_write) AS cacheWrite,
         total(cache_read) AS cacheRead, min(at) AS firstAt, max(at) AS lastAt
       FROM usage ${days ? dayClause : where}${keys.length ? ` GROUP BY ${keys.join(', ')}` : ''}`,
    );
    type Row = Omit<UsageGroup, 'tokens'> & TokenCounts;
    const rows: Array<{ row: Row; day?: string }> = [];
    if (!days) for (const row of statement.all(params) as Row[]) rows.push({ row });
    else
      for (let i = 0; i + 1 < days.length; i++) {
        const day = days[i] as string;
        const bounds = { ...params, dayStart: day, dayEnd: days[i + 1] };
        for (const row of statement.all(bounds) as Row[]) rows.push({ row, day });
      }
    const groups = new Map<string, UsageGroup>();
    const keyOf = (group: Partial<UsageGroup>) =>
      JSON.stringify(grouping.by.map((key) => group[key]));
    for (const { row, day } of rows) {
      const { input, output, cacheWrite, cacheRead, ...sums } = row;
      if (sums.calls === 0) continue;
      const group = { ...sums, ...(day ? { day } : {}) };
      groups.set(keyOf(group), { ...group, tokens: { input, output, cacheWrite, cacheRead } });
    }
    for (const row of this.unindexed(indexedSeq)) {
      const day = days ? dayOf(row.at, days) : undefined;
      if (!matches(row, filter) || day === null) continue;
      const keys: Partial<UsageGroup> = { ...(day ? { day } : {}) };
      for (const key of grouping.by)
        if (key === 'session') keys.session = row.session_id;
        else if (key !== 'day') keys[key] = row[key];
      const group = groups.get(keyOf(keys)) ?? {
        ...keys,
        calls: 0,
        costUsd: 0,
        unpricedCalls: 0,
        tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
        firstAt: row.at,
        lastAt: row.at,
      };
      add(group, totalsOf(row));
      if (row.at < group.firstAt) group.firstAt = row.at;
      if (row.at > group.lastAt) group.lastAt = row.at;
      groups.set(keyOf(keys), group);
    }
    return [...groups.values()];
  }

  /** Calls on the record with this request id or message id (either may be null). */
  known(requestId: string | null, messageId: string | null, indexedSeq: number): KnownCall[] {
    const rows = [
      ...(requestId ? (this.byRequest.all(requestId) as UsageRow[]) : []),
      ...(messageId ? (this.byMessage.all(messageId) as UsageRow[]) : []),
      ...this.unindexed(indexedSeq).filter(
        (row) =>
          (requestId !== null && row.request_id === requestId) ||
          (messageId !== null && row.message_id === messageId),
      ),
    ];
    const seen = new Set<number>();
    return rows
      .filter((row) => !seen.has(row.seq) && seen.add(row.seq))
      .map((row) => ({
        seq: row.seq,
        sessionId: row.session_id,
        source: row.source,
        costUsd: row.cost_usd,
      }));
  }

  /** Usage events the index does not hold yet (only a read-only store has any when asked). */
  private unindexed(indexedSeq: number): UsageRow[] {
    const rows = this.tailEvents.all(indexedSeq, USAGE_EVENT) as Array<{
      seq: number;
      session_id: string | null;
      kind: string;
      payload: string;
    }>;
    return rows.flatMap((row) => {
      let payload: JsonValue;
      try {
        payload = JSON.parse(row.payload) as JsonValue;
      } catch {
        return [];
      }
      const usage = usageRowOf(row.seq, row.session_id, row.kind, payload);
      return usage ? [usage] : [];
    });
  }
}

function whereOf(filter: SpendFilter): { where: string; params: Record<string, string> } {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  if (filter.sessionIds) {
    const names = filter.sessionIds.map((id, i) => {
      params[`s${i}`] = id;
      return `@s${i}`;
    });
    clauses.push(`session_id IN (${names.join(', ')})`);
  }
  if (filter.since) {
    clauses.push('at >= @since');
    params.since = filter.since;
  }
  if (filter.until) {
    clauses.push('at < @until');
    params.until = filter.until;
  }
  if (filter.source) {
    clauses.push('source = @source');
    params.source = filter.source;
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function matches(row: UsageRow, filter: SpendFilter): boolean {
  return (
    (!filter.sessionIds ||
      (row.session_id !== null && filter.sessionIds.includes(row.session_id))) &&
    (!filter.since || row.at >= filter.since) &&
    (!filter.until || row.at < filter.until) &&
    (!filter.source || row.source === filter.source)
  );
}

/** One row's figures as totals (an unpriced call counts as a call, never as $0). */
function totalsOf(row: UsageRow): SpendTotals {
  return {
    calls: 1,
    costUsd: row.cost_usd ?? 0,
    unpricedCalls: row.cost_usd === null ? 1 : 0,
    tokens: {
      input: row.input,
      output: row.output,
      cacheWrite: row.cache_write,
      cacheRead: row.cache_read,
    },
  };
}

/** The start of the day a time falls in, as SQL compares them; null when in none. */
function dayOf(at: string, days: readonly string[]): string | null {
  let [low, high] = [0, days.length - 1];
  if (!(at >= (days[0] as string) && at < (days[high] as string))) return null;
  // days[low] <= at < days[high]
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (at >= (days[mid] as string)) low = mid;
    else high = mid;
  }
  return days[low] as string;
}
