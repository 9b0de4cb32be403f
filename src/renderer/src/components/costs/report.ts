/**
 * What the cost dashboard draws, worked out from a CostReport without a DOM: the time ranges, the
 * spend series (by day or by week, stacked by source, with the quiet days filled in), the shares by
 * source and by token kind, the ranked lists, the budget bars and the hint for unpriced models.
 * Every figure drawn is the report's own: nothing here adds a cost the report does not hold.
 */
import {
  USAGE_SOURCES,
  type BudgetUse,
  type CostGroup,
  type CostReport,
  type TokenCounts,
  type UsageSource,
} from '../../../../shared/costs';

// ---- Time ranges ----

export type CostRange = '7d' | '30d' | '90d' | 'all';
export type Granularity = 'day' | 'week';

export interface RangeInfo {
  value: CostRange;
  label: string;
  /** How the range is said in a sentence and a file name: `the last 7 days`. */
  phrase: string;
  /** Local days it covers, today included; null for all time. */
  days: number | null;
  /** Its key on the Costs screen. */
  key: string;
}

export const RANGES: readonly RangeInfo[] = [
  { value: '7d', label: '7 days', phrase: 'the last 7 days', days: 7, key: '1' },
  { value: '30d', label: '30 days', phrase: 'the last 30 days', days: 30, key: '2' },
  { value: '90d', label: '90 days', phrase: 'the last 90 days', days: 90, key: '3' },
  { value: 'all', label: 'All', phrase: 'all time', days: null, key: '4' },
];

export function rangeInfo(range: CostRange): RangeInfo {
  return RANGES.find((info) => info.value === range) ?? (RANGES[0] as RangeInfo);
}

/**
 * Where a range starts: local midnight `days - 1` days before `now` (so "7 days" is today and the
 * six before it, as the report's local days count them), as the ISO time `costs.report` takes.
 */
export function rangeSince(range: CostRange, now: Date): string | undefined {
  const { days } = rangeInfo(range);
  if (days === null) return undefined;
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  return start.toISOString();
}

// ---- Day keys (`2026-12-05`), counted in UTC so no daylight-saving shift moves them ----

const DAY_MS = 86_400_000;
const pad = (value: number) => String(value).padStart(2, '0');

function keyDays(key: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!match) return null;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS;
}

function daysKey(days: number): string {
  const date = new Date(days * DAY_MS);
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The local day an instant falls on: `2026-12-05`. */
export function localDayKey(at: Date): string {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** The Monday a day's week starts on (the key of the report's `byWeek`). */
export function mondayOf(key: string): string {
  const days = keyDays(key);
  if (days === null) return key;
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  return daysKey(days - ((days + 3) % 7));
}

// ---- The spend series ----

export interface SpendPoint {
  /** The day, or the Monday its week starts. */
  key: string;
  metered: number;
  reported: number;
  estimated: number;
  costUsd: number;
  calls: number;
  unpricedCalls: number;
}

/** Past this many bars the gaps are not filled: a stray old timestamp must not draw 20,000 days. */
const MAX_FILLED = 1_500;

function point(group: CostGroup): SpendPoint {
  return {
    key: group.key,
    metered: group.costBySource.metered,
    reported: group.costBySource.reported,
    estimated: group.costBySource.estimated,
    costUsd: group.costUsd,
    calls: group.calls,
    unpricedCalls: group.unpricedCalls,
  };
}

const quiet = (key: string): SpendPoint => ({
  key,
  metered: 0,
  reported: 0,
  estimated: 0,
  costUsd: 0,
  calls: 0,
  unpricedCalls: 0,
});

/**
 * One bar a day (or a week), oldest first, stacked by source: the report's groups, with the days
 * (weeks) between them that had no call as empty bars, from the start of the range (or the first
 * call, for all time) to the day the report was made. The bars add up to the report's totals.
 */
export function spendSeries(report: CostReport, granularity: Granularity): SpendPoint[] {
  const groups = granularity === 'day' ? report.byDay : report.byWeek;
  const align = (key: string) => (granularity === 'day' ? key : mondayOf(key));
  const step = granularity === 'day' ? 1 : 7;
  const known = new Map(groups.map((group) => [group.key, point(group)]));
  // A group whose day could not be told (the report keeps it apart) goes last, as it is.
  const undated = groups.filter((group) => keyDays(group.key) === null).map(point);
  const days = groups.flatMap((group) => keyDays(group.key) ?? []);
  const start = report.since ? keyDays(align(localDayKey(new Date(report.since)))) : null;
  const end = keyDays(align(localDayKey(new Date(report.until ?? report.generatedAt))));
  const from = Math.min(start ?? Infinity, ...days);
  const to = Math.max(end ?? -Infinity, ...days);
  if (!Number.isFinite(from) || !Number.isFinite(to) || (to - from) / step > MAX_FILLED)
    return groups.map(point);
  const series: SpendPoint[] = [];
  for (let day = from; day <= to; day += step) {
    const key = daysKey(day);
    series.push(known.get(key) ?? quiet(key));
  }
  return [...series, ...undated];
}

/**
 * The bars to label, at most `most`, every n-th counted back from the last (today's always has
 * one). Handed to Recharts as the axis's ticks, so it measures no label to choose (measuring each
 * one lays out the page again).
 */
export function labelKeys(keys: readonly string[], most: number): string[] {
  const every = Math.max(1, Math.ceil(keys.length / Math.max(1, most)));
  return keys.filter((_, index) => (keys.length - 1 - index) % every === 0);
}

// ---- Shares ----

export const SOURCE_LABELS: Readonly<Record<UsageSource, string>> = {
  metered: 'Metered',
  reported: 'Reported',
  estimated: 'Estimated',
};

export const SOURCE_HELP: Readonly<Record<UsageSource, string>> = {
  metered: 'counted by Paddock’s broker from the provider’s answer',
  reported: 'read from the agent’s own files (transcripts, session logs)',
  estimated: 'worked out by Paddock from what it saw',
};

export interface Slice<K extends string> {
  kind: K;
  label: string;
  value: number;
  /** Of the whole, 0..1 (0 when the whole is nothing). */
  fraction: number;
}

function slices<K extends string>(
  parts: ReadonlyArray<[K, string, number]>,
  whole = parts.reduce((sum, [, , value]) => sum + value, 0),
): Array<Slice<K>> {
  return parts.map(([kind, label, value]) => ({
    kind,
    label,
    value,
    fraction: whole > 0 ? value / whole : 0,
  }));
}

/** The spend by where its figures came from, with the calls of each. */
export function sourceSlices(
  report: CostReport,
): Array<Slice<UsageSource> & { calls: number; help: string }> {
  const { bySource, costUsd } = report.totals;
  return slices(
    USAGE_SOURCES.map((source) => [source, SOURCE_LABELS[source], bySource[source].costUsd]),
    costUsd,
  ).map((slice) => ({
    ...slice,
    calls: bySource[slice.kind].calls,
    help: SOURCE_HELP[slice.kind],
  }));
}

export type TokenKind = keyof TokenCounts;

export const TOKEN_LABELS: Readonly<Record<TokenKind, string>> = {
  input: 'Input',
  output: 'Output',
  cacheWrite: 'Cache write',
  cacheRead: 'Cache read',
};

export function tokenSlices(tokens: TokenCounts): Array<Slice<TokenKind>> {
  const kinds = Object.keys(TOKEN_LABELS) as TokenKind[];
  return slices(kinds.map((kind) => [kind, TOKEN_LABELS[kind], tokens[kind]]));
}

// ---- Ranked lists ----

export interface RankedRow {
  key: string;
  label: string;
  costUsd: number;
  calls: number;
  unpricedCalls: number;
  /** The bar's length, 0..1: of the most expensive row (of the most called, when none is priced). */
  bar: number;
}

/** The `limit` most expensive groups, and how many more there are. */
export function rankedRows(
  groups: readonly CostGroup[],
  limit: number,
): { rows: RankedRow[]; more: number } {
  const ranked = [...groups].sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls);
  const maxCost = Math.max(0, ...ranked.map((group) => group.costUsd));
  const maxCalls = Math.max(0, ...ranked.map((group) => group.calls));
  const rows = ranked.slice(0, limit).map((group) => ({
    key: group.key,
    label: group.label || group.key,
    costUsd: group.costUsd,
    calls: group.calls,
    unpricedCalls: group.unpricedCalls,
    bar: maxCost > 0 ? group.costUsd / maxCost : maxCalls > 0 ? group.calls / maxCalls : 0,
  }));
  return { rows, more: Math.max(0, ranked.length - limit) };
}

// ---- Budgets ----

/** A limit is amber from here (where the notification comes), red past it. */
export const WARN_AT = 0.8;

export type BudgetState = 'ok' | 'warn' | 'over';

export function budgetState(spent: number, limit: number): BudgetState {
  if (!(limit > 0)) return spent > 0 ? 'over' : 'ok';
  const used = spent / limit;
  return used > 1 ? 'over' : used >= WARN_AT ? 'warn' : 'ok';
}

export interface BudgetBar {
  scope: BudgetUse['scope'];
  subject: string;
  label: string;
  limitUsd: number;
  spentUsd: number;
  /** Spent of the limit (1 = all of it). */
  used: number;
  state: BudgetState;
  /** Where on the bar, 0..1, the spend ends and the limit stands (the bar stretches past the limit to show an overrun). */
  spentAt: number;
  limitAt: number;
  /** Today's day limit only: what today comes to by midnight at the rate so far. */
  forecast: { usd: number; at: number; state: BudgetState } | null;
}

const SCOPE_ORDER: Readonly<Record<BudgetUse['scope'], number>> = {
  day: 0,
  project: 1,
  session: 2,
};

/**
 * A bar per limit, the day first: red past 100%, amber from 80%; on today's day limit the forecast
 * for midnight is marked too. `todayKey` is the local day the report was made on.
 */
export function budgetBars(
  budgets: readonly BudgetUse[],
  today: CostReport['today'],
  todayKey: string,
): BudgetBar[] {
  return [...budgets]
    .sort((a, b) => SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] || b.spentUsd - a.spentUsd)
    .map((budget) => {
      const isToday = budget.scope === 'day' && budget.subject === todayKey;
      const forecastUsd = isToday ? Math.max(today.forecastUsd, budget.spentUsd) : null;
      const scale = Math.max(budget.limitUsd, budget.spentUsd, forecastUsd ?? 0) || 1;
      return {
        scope: budget.scope,
        subject: budget.subject,
        label: budget.label || budget.subject,
        limitUsd: budget.limitUsd,
        spentUsd: budget.spentUsd,
        used: budget.limitUsd > 0 ? budget.spentUsd / budget.limitUsd : Infinity,
        state: budgetState(budget.spentUsd, budget.limitUsd),
        spentAt: budget.spentUsd / scale,
        limitAt: budget.limitUsd / scale,
        forecast:
          forecastUsd === null
            ? null
            : {
                usd: forecastUsd,
                at: forecastUsd / scale,
                state: budgetState(forecastUsd, budget.limitUsd),
              },
      };
    });
}

// ---- Unpriced models ----

/** A model name that can stand in a shell command as it is (no quote, space or `$` to break out). */
const PLAIN_MODEL = /^[A-Za-z0-9._:@/-]{1,128}$/;

/**
 * The command that prices a model, for the warning about unpriced calls. The model's name comes
 * from the agent's side: one that could break out of the quotes is not pasted in, `MODEL` stands
 * for it.
 */
export function priceCommand(model: string | undefined): string {
  const name = model && PLAIN_MODEL.test(model) ? model : 'MODEL';
  const entry = { input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5 };
  return `paddock settings set costs.prices '${JSON.stringify({ [name]: entry })}'`;
}
