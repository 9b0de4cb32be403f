/**
 * The dashboard's sections rendered to HTML in Node (no DOM; the chart itself needs a browser and
 * is left to the end-to-end test): the figures shown are the report's, the unpriced calls are
 * called out, budgets draw as their state says, and everything from the agent's side is escaped.
 */
process.env.TZ = 'UTC';

import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { textOf } from '../../test-support';

vi.mock('../../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: { on: () => () => undefined },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const { CostDashboard } = await import('./CostDashboard');
const { EmptyCosts } = await import('./EmptyCosts');
const { CALLS, reportOf } = await import('./fixtures');
const { formatUsd } = await import('./format');
const { spendSeries } = await import('./report');

const HOSTILE = 'rm -rf \u202e/gnp.exe <img src=x onerror=alert(1)>';

function render(report: ReturnType<typeof reportOf>) {
  return renderToStaticMarkup(
    <CostDashboard
      report={report}
      series={spendSeries(report, 'day')}
      granularity="day"
      onGranularity={() => undefined}
      onDrawn={() => undefined}
    />,
  );
}

const budgets = [
  { scope: 'day' as const, subject: '2026-12-05', label: 'Today', limitUsd: 1, spentUsd: 0.3 },
  { scope: 'project' as const, subject: '/home/ada/app', label: 'app', limitUsd: 4, spentUsd: 3.3 },
  { scope: 'session' as const, subject: 'ses_0000000d', label: 'Task', limitUsd: 2, spentUsd: 2.8 },
];
const report = reportOf(CALLS, { budgets, today: { spentUsd: 0.3001, forecastUsd: 1.2 } });

describe('the cost dashboard', () => {
  it('shows the report’s totals, today and where the figures come from', () => {
    const html = render(report);
    const text = textOf(html);
    expect(html).toContain(`data-testid="costs-total">${formatUsd(report.totals.costUsd)}<`);
    expect(text).toContain('9 calls · 2 unpriced');
    expect(text).toContain('$0.3001');
    expect(text).toContain('$1.20 by midnight');
    expect(text).toMatch(/Metered\$4\.47\d*%4 calls/);
    expect(text).toContain('Cache read180,000');
  });

  it('calls out unpriced calls as unknown, with the models and how to price them', () => {
    const text = textOf(render(report));
    expect(text).toContain('2 calls of models without a price: their cost is unknown, not $0.');
    expect(text).toContain('claude-unknown-9 2 calls');
    expect(text).toContain(`paddock settings set costs.prices '{"claude-unknown-9":`);
    const priced = reportOf(CALLS.filter((call) => call.costUsd !== null));
    expect(render(priced)).not.toContain('costs-unpriced');
  });

  it('draws a bar per budget in its state, with today’s forecast on the day bar', () => {
    const html = render(report);
    const states = [...html.matchAll(/data-scope="(\w+)" data-state="(\w+)"/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(states).toEqual([
      ['day', 'ok'],
      ['project', 'warn'],
      ['session', 'over'],
    ]);
    expect(html.match(/data-testid="costs-budget-forecast"/g)).toHaveLength(1);
    expect(textOf(html)).toContain('Forecast by midnight: $1.20 — past the limit');
  });

  it('ranks projects, agents, models and sessions; only Paddock sessions open', () => {
    const html = render(report);
    expect(html).toMatch(/data-testid="costs-projects".*\/home\/ada\/site.*\/home\/ada\/app/s);
    const sessions = [...html.matchAll(/data-testid="costs-session"><(\w+)/g)].map((m) => m[1]);
    expect(sessions).toEqual(['button', 'button', 'button', 'button']);
  });

  it('shows what the agent named escaped, never as markup', () => {
    const hostile = reportOf([
      { ...(CALLS[0] as (typeof CALLS)[0]), model: HOSTILE, costUsd: null, task: HOSTILE },
    ]);
    const html = render(hostile);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('\u202e');
    expect(html).toContain('&lt;U+202E&gt;');
    // The command to price it does not carry the name into a shell.
    expect(textOf(html)).toContain(`costs.prices '{"MODEL":`);
  });

  it('says how usage arrives when there is none', () => {
    const text = textOf(renderToStaticMarkup(<EmptyCosts range="all" onAllTime={() => {}} />));
    expect(text).toContain('No model call is on the record yet.');
    expect(text).toContain('Brokered sessions.');
    expect(text).toContain('paddock costs import');
    const week = textOf(renderToStaticMarkup(<EmptyCosts range="7d" onAllTime={() => {}} />));
    expect(week).toContain('No model call in the last 7 days.');
    expect(week).toContain('Show all time');
  });
});
