/** Local days are this process's: UTC here, so the days named below are the same on any machine. */
process.env.TZ = 'UTC';

import { describe, expect, it } from 'vitest';
import { CALLS, reportOf } from './fixtures';
import {
  budgetBars,
  budgetState,
  labelKeys,
  mondayOf,
  priceCommand,
  rangeSince,
  rankedRows,
  sourceSlices,
  spendSeries,
  tokenSlices,
} from './report';

const report = reportOf(CALLS, { since: '2026-11-06T00:00:00.000Z' });
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-9);

describe('time ranges', () => {
  it('start at local midnight, today counted as one of the days', () => {
    const now = new Date('2026-12-05T15:30:00.000Z');
    expect(rangeSince('7d', now)).toBe('2026-11-29T00:00:00.000Z');
    expect(rangeSince('30d', now)).toBe('2026-11-06T00:00:00.000Z');
    expect(rangeSince('90d', now)).toBe('2026-09-07T00:00:00.000Z');
    expect(rangeSince('all', now)).toBeUndefined();
  });

  it('group weeks by the Monday they start on', () => {
    expect(mondayOf('2026-12-05')).toBe('2026-11-30'); // a Saturday
    expect(mondayOf('2026-11-30')).toBe('2026-11-30'); // a Monday
    expect(mondayOf('2026-12-06')).toBe('2026-11-30'); // a Sunday
    expect(mondayOf('2027-01-01')).toBe('2026-12-28'); // across a year
  });
});

describe('the spend series', () => {
  it('has a bar for every day of the range, quiet days empty, oldest first', () => {
    const series = spendSeries(report, 'day');
    expect(series).toHaveLength(30);
    expect(series[0]?.key).toBe('2026-11-06');
    expect(series.at(-1)?.key).toBe('2026-12-05');
    expect(series.find((point) => point.key === '2026-11-17')).toMatchObject({
      costUsd: 0,
      calls: 0,
    });
  });

  it('adds up to the report’s totals, by day and by week, for each source', () => {
    for (const granularity of ['day', 'week'] as const) {
      const series = spendSeries(report, granularity);
      close(sum(series.map((p) => p.metered + p.reported + p.estimated)), report.totals.costUsd);
      close(sum(series.map((p) => p.costUsd)), report.totals.costUsd);
      expect(sum(series.map((p) => p.calls))).toBe(report.totals.calls);
      expect(sum(series.map((p) => p.unpricedCalls))).toBe(report.totals.unpricedCalls);
      for (const source of ['metered', 'reported', 'estimated'] as const)
        close(sum(series.map((p) => p[source])), report.totals.bySource[source].costUsd);
    }
  });

  it('has a bar a week, keyed by Mondays, from the range’s first week to this one', () => {
    const series = spendSeries(report, 'week');
    expect(series.map((point) => point.key)).toEqual([
      '2026-11-02',
      '2026-11-09',
      '2026-11-16',
      '2026-11-23',
      '2026-11-30',
    ]);
    expect(series[2]).toMatchObject({ calls: 3, metered: 1.67, reported: 0.1 });
  });

  it('for all time starts at the first call, and leaves a stray old day unfilled', () => {
    expect(spendSeries(reportOf(CALLS), 'day')[0]?.key).toBe('2026-11-16');
    const stray = reportOf([
      ...CALLS,
      { ...(CALLS[0] as (typeof CALLS)[0]), at: '1970-01-02T00:00:00Z' },
    ]);
    expect(spendSeries(stray, 'day')).toHaveLength(stray.byDay.length);
  });

  it('keeps calls whose day could not be told, last', () => {
    const unknown = {
      ...report,
      byDay: [...report.byDay, { ...report.byDay[0], key: '(unknown day)' }],
    };
    const series = spendSeries(unknown as typeof report, 'day');
    expect(series).toHaveLength(31);
    expect(series.at(-1)?.key).toBe('(unknown day)');
  });

  it('draws nothing when nothing was called', () => {
    expect(spendSeries(reportOf([]), 'day')).toEqual([]);
    expect(spendSeries(reportOf([]), 'week')).toEqual([]);
  });
});

describe('bar labels', () => {
  it('show at most so many, every n-th back from the last', () => {
    const days = (n: number) => Array.from({ length: n }, (_, i) => `d${i}`);
    expect(labelKeys(days(7), 12)).toEqual(days(7));
    expect(labelKeys(days(12), 12)).toHaveLength(12);
    expect(labelKeys(days(30), 12)).toEqual([
      'd2',
      'd5',
      'd8',
      'd11',
      'd14',
      'd17',
      'd20',
      'd23',
      'd26',
      'd29',
    ]);
    expect(labelKeys(days(120), 12)).toHaveLength(12);
    expect(labelKeys(days(120), 12).at(-1)).toBe('d119');
    expect(labelKeys([], 12)).toEqual([]);
  });
});

describe('shares', () => {
  it('give each source its spend, calls and part of the total', () => {
    const slices = sourceSlices(report);
    expect(slices.map((slice) => slice.kind)).toEqual(['metered', 'reported', 'estimated']);
    expect(slices.map((slice) => slice.calls)).toEqual([4, 4, 1]);
    close(slices[0]?.value ?? NaN, 0.42 + 1.25 + 2.5 + 0.3);
    close(sum(slices.map((slice) => slice.fraction)), 1);
  });

  it('give each token kind its count', () => {
    const slices = tokenSlices(report.totals.tokens);
    expect(slices.map((slice) => [slice.kind, slice.value])).toEqual([
      ['input', 4500],
      ['output', 450],
      ['cacheWrite', 36000],
      ['cacheRead', 180000],
    ]);
    close(sum(slices.map((slice) => slice.fraction)), 1);
    expect(tokenSlices({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0 })[0]?.fraction).toBe(0);
  });
});

describe('ranked lists', () => {
  it('put the most expensive first, with bars against the first', () => {
    const { rows, more } = rankedRows(report.byModel, 2);
    expect(rows.map((row) => row.key)).toEqual(['claude-sonnet-4-5', 'claude-opus-4-8']);
    expect(rows[0]?.bar).toBe(1);
    close(rows[1]?.bar ?? NaN, 1.55 / 3.0201);
    expect(more).toBe(2);
  });

  it('measure unpriced-only rows by their calls, never as free bars of nothing', () => {
    const unpriced = reportOf(CALLS.filter((call) => call.costUsd === null));
    const { rows } = rankedRows(unpriced.byModel, 5);
    expect(rows).toEqual([expect.objectContaining({ key: 'claude-unknown-9', bar: 1 })]);
  });
});

describe('budget bars', () => {
  it('turn amber from 80% and red past 100%', () => {
    expect(budgetState(0.5, 1)).toBe('ok');
    expect(budgetState(0.79, 1)).toBe('ok');
    expect(budgetState(0.8, 1)).toBe('warn');
    expect(budgetState(1, 1)).toBe('warn');
    expect(budgetState(1.01, 1)).toBe('over');
  });

  it('match the budgets, the day first, the forecast on today’s only', () => {
    const bars = budgetBars(
      [
        { scope: 'session', subject: 'ses_0000000d', label: 'Task', limitUsd: 5, spentUsd: 2.8 },
        { scope: 'project', subject: '/home/ada/app', label: 'app', limitUsd: 2, spentUsd: 2.5 },
        { scope: 'day', subject: '2026-12-05', label: 'Today', limitUsd: 1, spentUsd: 0.3 },
      ],
      { spentUsd: 0.3, forecastUsd: 0.9 },
      '2026-12-05',
    );
    expect(bars.map((bar) => [bar.scope, bar.state])).toEqual([
      ['day', 'ok'],
      ['project', 'over'],
      ['session', 'ok'],
    ]);
    expect(bars[0]).toMatchObject({ spentAt: 0.3, limitAt: 1, used: 0.3 });
    expect(bars[0]?.forecast).toEqual({ usd: 0.9, at: 0.9, state: 'warn' });
    // Past the limit the bar stretches: the limit mark moves in, the spend fills the bar.
    expect(bars[1]).toMatchObject({ spentAt: 1, limitAt: 0.8, used: 1.25, forecast: null });
    expect(bars[2]?.forecast).toBeNull();
  });

  it('scale a forecast past the limit onto the bar', () => {
    const [bar] = budgetBars(
      [{ scope: 'day', subject: '2026-12-05', label: 'Today', limitUsd: 1, spentUsd: 0.5 }],
      { spentUsd: 0.5, forecastUsd: 2 },
      '2026-12-05',
    );
    expect(bar).toMatchObject({ state: 'ok', spentAt: 0.25, limitAt: 0.5 });
    expect(bar?.forecast).toEqual({ usd: 2, at: 1, state: 'over' });
  });
});

describe('the hint for unpriced models', () => {
  it('names a plain model in a command that sets its price', () => {
    const command = priceCommand('claude-unknown-9');
    expect(command).toBe(
      `paddock settings set costs.prices '{"claude-unknown-9":{"input_cost_per_token":0.000003,"output_cost_per_token":0.000015}}'`,
    );
  });

  it('never pastes a name that could break out of the shell quotes', () => {
    for (const hostile of ["x'; rm -rf ~; '", 'a b', '$(id)', 'm\u202e', ''])
      expect(priceCommand(hostile)).toContain(`'{"MODEL":`);
    expect(priceCommand(undefined)).toContain(`'{"MODEL":`);
  });
});
