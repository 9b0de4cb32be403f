/**
 * The dashboard's current view as one CSV table (RFC 4180: CRLF line ends, a field quoted when it
 * holds a quote, comma or line break, quotes doubled): the totals, the days or weeks shown, then
 * projects, agents, models, sessions and budgets, one `section` column telling them apart, so a
 * spreadsheet can filter it. Labels come from the agent's side: one a spreadsheet would take for a
 * formula (`=HYPERLINK(…)`) is written with a leading `'`, as spreadsheets themselves do.
 */
import { USAGE_SOURCES, type CostGroup, type CostReport } from '../../../../shared/costs';
import { localDayKey, rangeInfo, type CostRange, type Granularity } from './report';

export type CsvValue = string | number | null;

export const CSV_COLUMNS = [
  'section',
  'key',
  'label',
  'calls',
  'cost_usd',
  'unpriced_calls',
  'metered_usd',
  'reported_usd',
  'estimated_usd',
  'input_tokens',
  'output_tokens',
  'cache_write_tokens',
  'cache_read_tokens',
  'limit_usd',
] as const;

/** A spreadsheet evaluates a cell that starts so (a tab or CR before one hides it). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A number as written: dollars to a millionth (no float noise like 0.30000000000000004). */
function numberField(value: number): string {
  if (!Number.isFinite(value)) return '';
  return String(Math.round(value * 1e6) / 1e6);
}

/** One field, quoted only when RFC 4180 needs it. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return numberField(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to CSV text, every line ended by CRLF. */
export function csvText(rows: ReadonlyArray<readonly CsvValue[]>): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

function groupRow(section: string, group: CostGroup): CsvValue[] {
  return [
    section,
    group.key,
    group.label,
    group.calls,
    group.costUsd,
    group.unpricedCalls,
    ...USAGE_SOURCES.map((source) => group.costBySource[source]),
    group.tokens.input,
    group.tokens.output,
    group.tokens.cacheWrite,
    group.tokens.cacheRead,
    null,
  ];
}

export interface CsvView {
  range: CostRange;
  granularity: Granularity;
}

/** The table for a report as the dashboard shows it. */
export function costsCsvRows(report: CostReport, view: CsvView): CsvValue[][] {
  const { totals } = report;
  const total: CostGroup = {
    key: rangeInfo(view.range).phrase,
    label: 'Total',
    calls: totals.calls,
    costUsd: totals.costUsd,
    unpricedCalls: totals.unpricedCalls,
    tokens: totals.tokens,
    costBySource: {
      metered: totals.bySource.metered.costUsd,
      reported: totals.bySource.reported.costUsd,
      estimated: totals.bySource.estimated.costUsd,
    },
  };
  const timeRows = view.granularity === 'day' ? report.byDay : report.byWeek;
  return [
    [...CSV_COLUMNS],
    groupRow('total', total),
    ...timeRows.map((group) => groupRow(view.granularity, group)),
    ...report.byProject.map((group) => groupRow('project', group)),
    ...report.byAgent.map((group) => groupRow('agent', group)),
    ...report.byModel.map((group) => groupRow('model', group)),
    ...report.bySession.map((group) => groupRow('session', group)),
    ...report.budgets.map((budget) => [
      'budget',
      `${budget.scope}:${budget.subject}`,
      budget.label,
      null,
      budget.spentUsd,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      budget.limitUsd,
    ]),
  ];
}

/** `paddock-costs-last-7-days-by-day-2026-12-05.csv`. */
export function csvFileName(report: CostReport, view: CsvView): string {
  const range = rangeInfo(view.range).phrase.replace(/^the /, '').replace(/ /g, '-');
  return `paddock-costs-${range}-by-${view.granularity}-${localDayKey(new Date(report.generatedAt))}.csv`;
}
