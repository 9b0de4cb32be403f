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
import type { Statement } from 'better-sqlite3';
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
  /** The UTC hour the call is summed into (`2026-03-09T14`), or null for an irregular time. */
  hour: string | null;
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
    hour: hourOf(at),
  };
}

/** Times as `Date#toISOString` writes them: these, and only these, compare as text in time order. */
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HOUR_START = ':00:00.000Z';
const HOUR_MS = 3_600_000;

/** The UTC hour a call is summed into, or null when its time is not canonical. */
export function hourOf(at: string): string | null {
  return CANONICAL_TIME.test(at) ? at.slice(0, 13) : null;
}

/** The hour after `hour` (both as `2026-03-09T14`). */
function nextHour(hour: string): string {
  return new Date(Date.parse(`${hour}${HOUR_START}`) + HOUR_MS).toISOString().slice(0, 13);
}

/** A time range over the calls' `at`, either end open. */
interface TimeRange {
  from?: string;
  to?: string;
}

/**
 * How a range is read: the whole hours inside it from `usage_hours` (null: none), and the rest
 * (the part-hours at its ends) from `usage`. A bound that is not a canonical time cannot be
 * matched to hours, so such a range is read from `usage` whole.
 */
export function splitByHours(
  since?: string,
  until?: string,
): { hours: TimeRange | null; rest: TimeRange[] } {
  const whole = { rest: [{ ...(since ? { from: since } : {}), ...(until ? { to: until } : {}) }] };
  if ((since && !hourOf(since)) || (until && !hourOf(until))) return { hours: null, ...whole };
  const first =
    since && (since.endsWith(HOUR_START) ? since.slice(0, 13) : nextHour(since.slice(0, 13)));
  const end = until?.slice(0, 13);
  if (first && end && first >= end) return { hours: null, ...whole };
  const rest: TimeRange[] = [];
  if (since && first && since < `${first}${HOUR_START}`)
    rest.push({ from: since, to: `${first}${HOUR_START}` });
  if (until && end && `${end}${HOUR_START}` < until)
    rest.push({ from: `${end}${HOUR_START}`, to: until });
  return { hours: { ...(first ? { from: first } : {}), ...(end ? { to: end } : {}) }, rest };
}

/** What a grouped sum is keyed by in SQL (a day is a range, not a column). */
type KeyColumn = Exclude<UsageGroupKey, 'day'>;
type SumRow = Omit<UsageGroup, 'tokens' | 'day'> & TokenCounts;

/** The most statements kept prepared: each shape of query (keys, filters, edges) is one. */
const STATEMENTS_KEPT = 64;

export class UsageIndex {
  private readonly insertRow;
  private readonly addToHour;
  private readonly byRequest;
  private readonly byMessage;
  private readonly tailEvents;
  private readonly anyIrregular;
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {
    this.insertRow = db.readonly
      ? null
      : db.prepare(
          `INSERT OR IGNORE INTO usage (seq, session_id, at, source, provider, model, input, output,
             cache_write, cache_read, cost_usd, request_id, message_id, hour)
           VALUES (@seq, @session_id, @at, @source, @provider, @model, @input, @output,
             @cache_write, @cache_read, @cost_usd, @request_id, @message_id, @hour)`,
        );
    this.addToHour = db.readonly
      ? null
      : db.prepare(
          `INSERT INTO usage_hours (hour, session_key, model, source, calls, priced, cost_usd, input,
             output, cache_write, cache_read, first_at, last_at)
           VALUES (@hour, coalesce(@session_id, ''), @model, @source, 1, @cost_usd IS NOT NULL,
             coalesce(@cost_usd, 0), @input, @output, @cache_write, @cache_read, @at, @at)
           ON CONFLICT DO UPDATE SET calls = calls + 1, priced = priced + excluded.priced,
             cost_usd = cost_usd + excluded.cost_usd, input = input + excluded.input,
             output = output + excluded.output, cache_write = cache_write + excluded.cache_write,
             cache_read = cache_read + excluded.cache_read,
             first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
        );
    const known = 'SELECT seq, session_id, source, cost_usd FROM usage WHERE';
    this.byRequest = db.prepare(`${known} request_id = ? ORDER BY seq`);
    this.byMessage = db.prepare(`${known} message_id = ? ORDER BY seq`);
    this.anyIrregular = db.prepare(
      'SELECT 1 FROM usage INDEXED BY usage_irregular WHERE hour IS NULL LIMIT 1',
    );
    this.tailEvents = db.prepare(
      'SELECT seq, session_id, kind, payload FROM events WHERE seq > ? AND kind = ? ORDER BY seq',
    );
  }

  /** Adds the row for an event being indexed (inside the derived indexes' transaction). */
  add(row: UsageRow): void {
    // A call indexed already (INSERT OR IGNORE changed nothing) is in its hour already.
    if (this.insertRow?.run(row).changes === 1 && row.hour !== null) this.addToHour?.run(row);
  }

  /** Sums over the indexed rows and, for a read-only store, the events not indexed yet. */
  spend(filter: SpendFilter, indexedSeq: number): SpendTotals {
    const [sums] = this.groups(filter, { by: [] }, indexedSeq);
    return sums
      ? {
          calls: sums.calls,
          costUsd: sums.costUsd,
          unpricedCalls: sums.unpricedCalls,
          tokens: sums.tokens,
        }
      : {
          calls: 0,
          costUsd: 0,
          unpricedCalls: 0,
          tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
        };
  }

  /**
   * Sums over the indexed rows a filter selects, one per group (and, for a read-only store, the
   * events not indexed yet). The sums are SQL's: whole hours from `usage_hours`, the part-hours at
   * a range's ends and irregular times from `usage`; no payload is read for an indexed call. By
   * day, one query a day.
   */
  groups(filter: SpendFilter, grouping: UsageGrouping, indexedSeq: number): UsageGroup[] {
    if (filter.sessionIds?.length === 0) return [];
    const days = grouping.by.includes('day') ? (grouping.days ?? []) : null;
    if (days && days.length < 2) return [];
    const keys = grouping.by.filter((key): key is KeyColumn => key !== 'day');
    const irregular = this.anyIrregular.get() !== undefined;
    const rows: Array<{ row: SumRow; day?: string }> = days
      ? this.sumsByDay(filter, keys, days, irregular)
      : this.sums(filter, keys, irregular).map((row) => ({ row }));
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

  /**
   * One filter's sums by `keys`: the whole hours from `usage_hours`, the calls around them and
   * those at irregular times from `usage`, each part summed by SQL and the parts added here (one
   * statement over their union would have to sort; the hours alone are stored in group order).
   * `irregular`: whether any call has an irregular time (most stores have none).
   */
  private sums(filter: SpendFilter, keys: readonly KeyColumn[], irregular: boolean): SumRow[] {
    const { hours, rest } = splitByHours(filter.since, filter.until);
    const parts = [
      ...(hours ? [this.part(HOURS, filter, keys, hours)] : []),
      // The ends take canonical times only: irregular ones are read on their own, over the whole range.
      ...rest.map((range) =>
        this.part(CALLS, filter, keys, range, hours ? 'hour IS NOT NULL' : null),
      ),
      ...(hours && irregular
        ? [this.part(IRREGULAR_CALLS, filter, keys, { from: filter.since, to: filter.until })]
        : []),
    ];
    const rows = parts.flatMap(({ statement, params }) =>
      (statement.all(params) as SumRow[]).map((row) => ({ row })),
    );
    return mergeSums(rows, keys).map(({ row }) => row);
  }

  /**
   * Sums by day: when every day starts and ends on a whole hour (any time zone but a few), one
   * statement over the hours joined to the days; otherwise a statement a day, each split into
   * hours and the part-hours at its ends.
   */
  private sumsByDay(
    filter: SpendFilter,
    keys: readonly KeyColumn[],
    days: readonly string[],
    irregular: boolean,
  ): Array<{ row: SumRow; day: string }> {
    const ranges: Array<{ day: string; from: string; to: string }> = [];
    for (let i = 0; i + 1 < days.length; i++) {
      const [day, end] = [days[i] as string, days[i + 1] as string];
      const from = filter.since && filter.since > day ? filter.since : day;
      const to = filter.until && filter.until < end ? filter.until : end;
      if (from < to) ranges.push({ day, from, to });
    }
    const onHours = ranges.every(
      ({ from, to }) =>
        hourOf(from) && from.endsWith(HOUR_START) && hourOf(to) && to.endsWith(HOUR_START),
    );
    if (!onHours)
      return ranges.flatMap(({ day, from, to }) =>
        this.sums({ ...filter, since: from, until: to }, keys, irregular).map((row) => ({
          row,
          day,
        })),
      );
    if (ranges.length === 0) return [];
    const params: Record<string, string> = {};
    const values = ranges.map(({ day, from, to }, i) => {
      Object.assign(params, { [`d${i}`]: day, [`f${i}`]: from, [`t${i}`]: to });
      return `(@d${i}, @f${i}, @t${i}, substr(@f${i}, 1, 13), substr(@t${i}, 1, 13))`;
    });
    const withDays = `WITH days (day, from_at, to_at, from_hour, to_hour) AS (VALUES ${values.join(', ')})`;
    const parts: Array<{ table: SummedTable; join: string }> = [
      { table: HOURS, join: 'hour >= days.from_hour AND hour < days.to_hour' },
      ...(irregular
        ? [{ table: IRREGULAR_CALLS, join: 'at >= days.from_at AND at < days.to_at' }]
        : []),
    ];
    const out: Array<{ row: SumRow; day: string }> = [];
    for (const { table, join } of parts) {
      const from = table.index ? `${table.name} INDEXED BY ${table.index}` : table.name;
      const sql = sumSql(table, keys, {
        prefix: withDays,
        day: 'days.day',
        from: `days JOIN ${from} ON ${join}`,
        clauses: commonClauses(filter, params, table.session),
      });
      for (const { day, ...row } of this.statement(sql).all(params) as Array<
        SumRow & { day: string }
      >)
        out.push({ row, day });
    }
    return mergeSums(out, keys);
  }

  /** The statement summing one table over a time range, by `keys`, under the filter. */
  private part(
    table: SummedTable,
    filter: SpendFilter,
    keys: readonly KeyColumn[],
    range: TimeRange,
    clause: string | null = null,
  ): { statement: Statement; params: Record<string, string> } {
    const params: Record<string, string> = {};
    const clauses = [...commonClauses(filter, params, table.session), ...(clause ? [clause] : [])];
    if (range.from) {
      clauses.push(`${table.time} >= @from`);
      params.from = range.from;
    }
    if (range.to) {
      clauses.push(`${table.time} < @to`);
      params.to = range.to;
    }
    // Read by time where there is a time to read by: grouping by session would otherwise lead
    // SQLite to walk the session index over every call to skip sorting a few.
    const from =
      table.index && (range.from || range.to || table.where)
        ? `${table.name} INDEXED BY ${table.index}`
        : table.name;
    return { statement: this.statement(sumSql(table, keys, { from, clauses })), params };
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= STATEMENTS_KEPT) this.statements.clear();
      this.statements.set(sql, (statement = this.db.prepare(sql)));
    }
    return statement;
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

/** The filter's clauses other than time (sessions, source), with their parameters. */
function commonClauses(
  filter: SpendFilter,
  params: Record<string, string>,
  sessionColumn: string,
): string[] {
  const clauses: string[] = [];
  if (filter.sessionIds) {
    const names = filter.sessionIds.map((id, i) => {
      params[`s${i}`] = id;
      return `@s${i}`;
    });
    clauses.push(`${sessionColumn} IN (${names.join(', ')})`);
  }
  if (filter.source) {
    clauses.push('source = @source');
    params.source = filter.source;
  }
  return clauses;
}

/** A table sums are read from: its name, its session column, and its sums as SumRow names them. */
interface SummedTable {
  name: string;
  /** The column sessions are filtered and grouped by, and the session id it holds. */
  session: string;
  sessionValue: string;
  /** The column a time range is over. */
  time: string;
  /** A clause every row read must meet, and the index that finds those rows (with a range too). */
  where?: string;
  index?: string;
  sums: string;
}

const HOURS: SummedTable = {
  name: 'usage_hours',
  // Grouped by session_key itself, the order the rows are stored in; '' is no session.
  session: 'session_key',
  sessionValue: "nullif(session_key, '')",
  time: 'hour',
  sums: `total(calls) AS calls, total(cost_usd) AS costUsd, total(calls) - total(priced) AS unpricedCalls,
    total(input) AS input, total(output) AS output, total(cache_write) AS cacheWrite,
    total(cache_read) AS cacheRead, min(first_at) AS firstAt, max(last_at) AS lastAt`,
};

const CALLS: SummedTable = {
  name: 'usage',
  session: 'session_id',
  sessionValue: 'session_id',
  time: 'at',
  index: 'usage_by_time',
  sums: `count(*) AS calls, total(cost_usd) AS costUsd, count(*) - count(cost_usd) AS unpricedCalls,
    total(input) AS input, total(output) AS output, total(cache_write) AS cacheWrite,
    total(cache_read) AS cacheRead, min(at) AS firstAt, max(at) AS lastAt`,
};

/** Calls at irregular times: never summed by the hour. */
const IRREGULAR_CALLS: SummedTable = {
  ...CALLS,
  where: 'hour IS NULL',
  index: 'usage_irregular',
};

/** One row per (day and) keys: the sums of a range's parts (hours, part-hours, irregular calls) added. */
function mergeSums<T extends { row: SumRow; day?: string }>(
  rows: readonly T[],
  keys: readonly KeyColumn[],
): T[] {
  const merged = new Map<string, T>();
  for (const entry of rows) {
    if (entry.row.calls === 0) continue; // an empty part's sums (no keys: one row, of nothing)
    const key = JSON.stringify([entry.day, ...keys.map((name) => entry.row[name])]);
    const seen = merged.get(key);
    if (!seen) merged.set(key, entry);
    else addSums(seen.row, entry.row);
  }
  return [...merged.values()];
}

/** Adds `more` into `sums` (one group's sums from two parts of a range). */
function addSums(sums: SumRow, more: SumRow): void {
  for (const name of [
    'calls',
    'costUsd',
    'unpricedCalls',
    'input',
    'output',
    'cacheWrite',
    'cacheRead',
  ] as const)
    sums[name] += more[name];
  if (more.firstAt < sums.firstAt) sums.firstAt = more.firstAt;
  if (more.lastAt > sums.lastAt) sums.lastAt = more.lastAt;
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

/**
 * The statement summing `table` by `keys` (and first by `day`, a column of what `from` joins),
 * under `clauses` and the table's own condition. `prefix` goes before it (a WITH clause).
 */
function sumSql(
  table: SummedTable,
  keys: readonly KeyColumn[],
  query: { from: string; clauses: readonly string[]; prefix?: string; day?: string },
): string {
  const selected = keys.map((key) =>
    key === 'session' ? `${table.sessionValue} AS session, ` : `${key}, `,
  );
  const grouped = [
    ...(query.day ? [query.day] : []),
    ...keys.map((key) => (key === 'session' ? table.session : key)),
  ];
  const where = [...query.clauses, ...(table.where ? [table.where] : [])];
  return `${query.prefix ?? ''} SELECT ${query.day ? `${query.day} AS day, ` : ''}${selected.join('')} ${table.sums}
    FROM ${query.from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ${grouped.length ? `GROUP BY ${grouped.join(', ')}` : ''}`;
}
