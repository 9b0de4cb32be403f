/**
 * The Costs screen through the real UI, seeded the real way: Claude Code transcripts (written by
 * the import tests' generator) over several days, two models (one the price table does not know),
 * in a Paddock session's agent home and outside Paddock, imported with `paddock costs import`, and
 * a day budget set with `paddock settings set`. What the screen shows is checked against sums done
 * here with the price table, for each time range; then the week view, the CSV, the click through
 * to a session, the keys and a live re-read.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { PriceTable } from '../src/main/core/costs';
import { claudeAssistantLines, fakeUuid } from '../src/main/core/costs/import/fixtures/transcripts';
import type { TokenCounts } from '../src/shared/costs';
import { CSV_COLUMNS } from '../src/renderer/src/components/costs/csv';
import {
  formatCalls,
  formatCount,
  formatDay,
  formatUsd,
} from '../src/renderer/src/components/costs/format';
import {
  localDayKey,
  mondayOf,
  rangeSince,
  type CostRange,
} from '../src/renderer/src/components/costs/report';
import { expect, ROOT, test } from './support';

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const PRICED = 'claude-sonnet-4-5';
const UNPRICED = 'claude-unknown-9';
const TASK = 'Fix the flaky cost test';

interface Call {
  model: string;
  tokens: TokenCounts;
  at: Date;
  /** Content blocks: Claude Code repeats the message's usage on a line for each. */
  blocks?: number;
}

const tokens = (input: number, output: number, cacheWrite = 0, cacheRead = 0) => ({
  input,
  output,
  cacheWrite,
  cacheRead,
});

/** Noon `days` local days ago; for today, halfway from midnight to now (always past, always today). */
function daysAgo(days: number, now: Date): Date {
  if (days === 0) {
    const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
    return new Date(midnight + (now.getTime() - midnight) / 2);
  }
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - days, 12);
}

/** One transcript file of `calls` (one Claude Code conversation) in `dir`. */
function writeTranscript(dir: string, name: string, calls: Call[]): void {
  mkdirSync(dir, { recursive: true });
  const context = { sessionId: fakeUuid(), cwd: '/work/app' };
  const lines = calls.flatMap((call) =>
    claudeAssistantLines(context, {
      messageId: `msg_${fakeUuid().replace(/-/g, '')}`,
      requestId: `req_${fakeUuid().replace(/-/g, '')}`,
      model: call.model,
      ...call.tokens,
      at: call.at.toISOString(),
      blocks: call.blocks ?? 1,
    }),
  );
  writeFileSync(join(dir, `${name}.jsonl`), `${lines.join('\n')}\n`);
}

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-e2e-costs-repo-'));
  const git = ['-C', dir, '-c', 'user.name=Ada', '-c', 'user.email=ada@example.com'];
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  writeFileSync(join(dir, 'README.md'), '# costs\n');
  execFileSync('git', [...git, 'add', '-A']);
  execFileSync('git', [...git, 'commit', '-q', '-m', 'init']);
  return dir;
}

/** What the calls of a range add up to, at the bundled price table's rates. */
function expected(calls: Call[], range: CostRange, now: Date) {
  const since = rangeSince(range, now);
  const inRange = calls.filter((call) => !since || call.at.getTime() >= Date.parse(since));
  const prices = PriceTable.bundled();
  let costUsd = 0;
  let unpriced = 0;
  for (const call of inRange) {
    const priced = prices.cost(call.model, call.tokens);
    if (priced) costUsd += priced.costUsd;
    else unpriced += 1;
  }
  const sum = (kind: keyof TokenCounts) => inRange.reduce((n, call) => n + call.tokens[kind], 0);
  return {
    costUsd,
    calls: inRange.length,
    unpriced,
    cacheRead: sum('cacheRead'),
    days: new Set(inRange.map((call) => localDayKey(call.at))).size,
  };
}

const dashboard = (page: Page) => page.locator('[data-testid="costs"][data-ready="true"]');

async function expectTotals(page: Page, want: ReturnType<typeof expected>) {
  await expect(dashboard(page)).toHaveCount(1);
  await expect(page.getByTestId('costs-total')).toHaveText(formatUsd(want.costUsd));
  await expect(page.getByTestId('costs-calls')).toHaveText(formatCalls(want.calls));
}

/**
 * The Costs screen scrolls inside the viewport: a tall one shows all of it in one picture. With
 * `hover`, the pointer rests on it (a bar, for its tooltip).
 */
async function screenshot(page: Page, name: string, hover?: Locator) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 1500 });
  if (hover) await hover.hover();
  else await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOTS, name) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the Costs screen shows what imported transcripts cost, by range, day and week, with budgets, CSV and live updates', async ({
  page,
  host,
}) => {
  test.setTimeout(90_000);
  const now = new Date();
  const repo = repository();
  const outside = mkdtempSync(join(tmpdir(), 'paddock-e2e-claude-'));
  try {
    // A Paddock session whose agent home holds a transcript counts for that session.
    const started = host.cli([
      ...['session', 'start', '--project', repo],
      ...['--agent', 'shell', '--task', TASK, '--detach'],
    ]);
    expect(started.code).toBe(0);
    const sessionId = started.stdout.trim();
    expect(sessionId).toMatch(/^ses_[0-9a-f]{8}$/);
    const inSession: Call[] = [
      { model: PRICED, tokens: tokens(20_000, 50_000, 10_000, 100_000), at: daysAgo(0, now) },
      { model: UNPRICED, tokens: tokens(1_000, 500), at: daysAgo(0, now) },
      { model: PRICED, tokens: tokens(5_000, 2_000, 0, 10_000), at: daysAgo(1, now) },
      { model: PRICED, tokens: tokens(8_000, 4_000, 0, 50_000), at: daysAgo(2, now), blocks: 3 },
    ];
    const outsideCalls: Call[] = [
      { model: PRICED, tokens: tokens(1_000, 1_000), at: daysAgo(3, now) },
      { model: PRICED, tokens: tokens(100_000, 20_000), at: daysAgo(9, now), blocks: 2 },
      { model: UNPRICED, tokens: tokens(3_000, 700), at: daysAgo(9, now) },
      { model: PRICED, tokens: tokens(10_000, 10_000), at: daysAgo(40, now) },
    ];
    const sessionDir = join(host.home, 'sessions', sessionId, 'home', '.claude', 'projects', 'app');
    writeTranscript(sessionDir, 'conversation', inSession);
    writeTranscript(join(outside, 'work-app'), 'conversation', outsideCalls);
    const imported = host.cli([
      ...['costs', 'import', '--claude', sessionDir],
      ...['--claude', outside, '--json'],
    ]);
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toMatchObject({ added: 8 });
    expect(host.cli(['settings', 'set', 'costs.budgets', JSON.stringify({ day: 1 })]).stderr).toBe(
      '',
    );
    const calls = [...inSession, ...outsideCalls];

    await page.goto(host.url);
    await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
    await page.keyboard.press('g');
    await page.keyboard.press('c');
    await expect(page).toHaveURL(/#\/costs$/);

    // 30 days by default: everything but the call 40 days ago.
    const month = expected(calls, '30d', now);
    await expectTotals(page, month);
    expect(month.calls).toBe(7);
    await expect(page.getByTestId('costs-unpriced')).toContainText(
      `${month.unpriced} calls of models without a price: their cost is unknown, not $0.`,
    );
    await expect(page.getByTestId('costs-unpriced')).toContainText(UNPRICED);
    await expect(page.getByTestId('costs-unpriced')).toContainText(
      `paddock settings set costs.prices '{"${UNPRICED}":`,
    );
    await expect(page.getByTestId('costs-tokens')).toContainText(formatCount(month.cacheRead));
    // All of it reported by the agent's files: nothing metered here.
    await expect(page.getByTestId('costs-sources').locator('[data-kind="reported"]')).toContainText(
      `${formatUsd(month.costUsd)}100%${formatCalls(month.calls)}`,
    );
    await expect(page.getByTestId('costs-models')).toContainText(PRICED);
    await expect(page.getByTestId('costs-models')).toContainText(`${UNPRICED}`);

    // The day budget: today's spend against $1, amber past 80%, with the forecast drawn on it.
    const today = expected(
      calls.filter((call) => localDayKey(call.at) === localDayKey(now)),
      'all',
      now,
    );
    const budget = page.getByTestId('costs-budget');
    await expect(budget).toHaveCount(1);
    await expect(budget).toHaveAttribute('data-scope', 'day');
    await expect(budget).toHaveAttribute('data-state', today.costUsd > 1 ? 'over' : 'warn');
    await expect(budget).toContainText(`${formatUsd(today.costUsd)} of $1.00`);
    await expect(budget).toContainText('Forecast by midnight');
    await expect(page.getByTestId('costs-today')).toHaveText(formatUsd(today.costUsd));

    // A bar a day for 30 days, drawn.
    const chart = page.getByTestId('costs-chart');
    await expect(chart).toHaveAttribute('data-bars', '30');
    expect(await chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThanOrEqual(
      month.days - 1,
    );
    await screenshot(page, 'costs-dashboard.png');

    // w: by week.
    await page.keyboard.press('w');
    await expect(page.getByRole('button', { name: 'By week', pressed: true })).toBeVisible();
    await expect(chart).not.toHaveAttribute('data-bars', '30');
    await expect(dashboard(page)).toHaveCount(1);
    // This week's bar: its tooltip gives its figures.
    const thisWeek = expected(
      calls.filter((call) => mondayOf(localDayKey(call.at)) === mondayOf(localDayKey(now))),
      '30d',
      now,
    );
    await screenshot(
      page,
      'costs-dashboard-week.png',
      chart.locator('.recharts-bar-rectangle').last(),
    );
    await chart.locator('.recharts-bar-rectangle').last().hover();
    const tooltip = chart.locator('.costs-tooltip');
    await expect(tooltip).toContainText(`Week of ${formatDay(mondayOf(localDayKey(now)))}`);
    await expect(tooltip).toContainText(`Total${formatUsd(thisWeek.costUsd)}`);
    await expect(tooltip).toContainText(
      formatCalls(thisWeek.calls) + (thisWeek.unpriced ? ` · ${thisWeek.unpriced} unpriced` : ''),
    );

    // The CSV of this view (e): the totals, the weeks adding up to them, every model.
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('e')]);
    expect(download.suggestedFilename()).toBe(
      `paddock-costs-last-30-days-by-week-${localDayKey(now)}.csv`,
    );
    const csv = readFileSync(await download.path(), 'utf8');
    const rows = csv.split('\r\n').map((line) => line.split(','));
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const at = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const total = rows.find((row) => row[0] === 'total') ?? [];
    expect(Number(total[at('calls')])).toBe(month.calls);
    expect(Number(total[at('cost_usd')])).toBeCloseTo(month.costUsd, 5);
    expect(Number(total[at('unpriced_calls')])).toBe(month.unpriced);
    expect(Number(total[at('reported_usd')])).toBeCloseTo(month.costUsd, 5);
    const weeks = rows.filter((row) => row[0] === 'week');
    const sum = (name: (typeof CSV_COLUMNS)[number]) =>
      weeks.reduce((n, row) => n + Number(row[at(name)]), 0);
    expect(sum('calls')).toBe(month.calls);
    expect(sum('cost_usd')).toBeCloseTo(month.costUsd, 5);
    expect(sum('cache_read_tokens')).toBe(month.cacheRead);
    expect(rows.filter((row) => row[0] === 'model').map((row) => row[1])).toEqual(
      expect.arrayContaining([PRICED, UNPRICED]),
    );
    await page.keyboard.press('d');
    await expect(chart).toHaveAttribute('data-bars', '30');

    // 1 to 4: the ranges, each with its own sums.
    for (const [key, range] of [
      ['1', '7d'],
      ['3', '90d'],
      ['4', 'all'],
    ] as const) {
      await page.keyboard.press(key);
      await expectTotals(page, expected(calls, range, now));
    }
    await page.keyboard.press('1');
    await expectTotals(page, expected(calls, '7d', now));
    await expect(chart).toHaveAttribute('data-bars', '7');

    // Live: a call recorded while the screen is open shows without a reload.
    writeTranscript(join(outside, 'later'), 'conversation', [
      { model: PRICED, tokens: tokens(2_000, 3_000), at: daysAgo(0, now) },
    ]);
    const later = host.cli(['costs', 'import', '--claude', join(outside, 'later'), '--json']);
    expect(JSON.parse(later.stdout)).toMatchObject({ added: 1 });
    calls.push({ model: PRICED, tokens: tokens(2_000, 3_000), at: daysAgo(0, now) });
    await expectTotals(page, expected(calls, '7d', now));

    // ? lists the Costs keys.
    await page.keyboard.press('?');
    const shortcuts = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(shortcuts.locator('table', { hasText: 'Export the view as CSV' })).toContainText(
      'Last 7 days',
    );
    await page.keyboard.press('Escape');

    // The most expensive session opens in the Sessions screen.
    const top = page.getByTestId('costs-session').filter({ hasText: TASK });
    await expect(top).toContainText(sessionId);
    await top.getByRole('button').click();
    await expect(page).toHaveURL(/#\/sessions$/);
    await expect(page.getByTestId('session-detail').locator('#session-title')).toHaveText(TASK);
  } finally {
    rmSync(repo, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test('the Costs screen says how usage arrives before there is any, and when it cannot read', async ({
  page,
  host,
}) => {
  await page.goto(`${host.url}`);
  await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
  await page.keyboard.press('Alt+4');
  await expect(dashboard(page)).toHaveCount(1);
  await expect(page.getByTestId('costs-empty')).toContainText('No model call in the last 30 days.');
  await page.keyboard.press('4');
  await expect(page.getByTestId('costs-empty')).toContainText(
    'No model call is on the record yet.',
  );
  await expect(page.getByTestId('costs-empty')).toContainText('paddock costs import');
  await expect(page.getByTestId('costs-export')).toBeEnabled();
  // With the host gone a re-read fails, and says so (the last figures stay).
  await host.stop();
  await page.keyboard.press('r');
  await expect(page.getByTestId('costs-status')).toContainText('Could not read the costs:');
  await expect(page.getByTestId('costs-empty')).toBeVisible();
});
