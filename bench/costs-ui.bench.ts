/**
 * The cost dashboard over 100,000 model calls, through the real UI: the calls are written as
 * `cost.usage` events into a store (before the host starts, with the store's own appendMany),
 * then a built host serves it and Chromium opens the Costs screen.
 *
 * Measured in the page, with performance marks: from navigation (the hash set to #/costs, with the
 * app loaded but no report read yet) to the dashboard drawn (`data-ready`: the report for the range
 * is on the page and the chart's bars exist), and how much of it was the host's reply; then
 * switching to all time (key 4), and from days to weeks (key w). Each figure over ROUNDS rounds,
 * the page reloaded before each.
 *
 * BENCH_COSTS_UI_EVENTS and BENCH_COSTS_UI_ROUNDS change the load (defaults 100,000 and 5).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { launchChromium, startHost } from '../e2e/host';
import { openBenchPage, reloadOnSessions } from './ui-page';
import { AuditStore, type AppendInput } from '../src/main/core/store';
import { USAGE_EVENT, type UsageRecord, type UsageSource } from '../src/shared/costs';
import { percentile, progress, type BenchResult } from './lib';

const EVENTS = Number(process.env.BENCH_COSTS_UI_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_COSTS_UI_ROUNDS ?? 5);
const DAYS = 120;
const SCREENSHOT = join(__dirname, '..', 'test-results', 'screenshots', 'costs-dashboard-100k.png');
const BATCH = 10_000;
const SESSIONS = 300;
/** Per-token prices, roughly: [input, output]; null is a model the price table does not know. */
const MODELS: Array<[string, [number, number] | null]> = [
  ['claude-sonnet-4-5', [3e-6, 1.5e-5]],
  ['claude-opus-4-8', [5e-6, 2.5e-5]],
  ['claude-haiku-4-5', [1e-6, 5e-6]],
  ['gpt-5', [1.25e-6, 1e-5]],
  ['gpt-5-mini', [2.5e-7, 2e-6]],
  ['claude-unknown-9', null],
];

/** A cheap, repeatable stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function usageEvent(index: number, next: () => number, now: number): AppendInput {
  const [model, price] = MODELS[Math.floor(next() * MODELS.length)] as (typeof MODELS)[number];
  const roll = next();
  const source: UsageSource = roll < 0.7 ? 'metered' : roll < 0.95 ? 'reported' : 'estimated';
  const tokens = {
    input: Math.floor(next() * 20_000),
    output: Math.floor(next() * 4_000),
    cacheWrite: Math.floor(next() * 10_000),
    cacheRead: Math.floor(next() * 80_000),
  };
  const session = Math.floor(next() * (SESSIONS + SESSIONS / 4));
  const record: UsageRecord = {
    source,
    provider: model.startsWith('gpt') ? 'openai' : 'anthropic',
    model,
    tokens,
    costUsd: price ? tokens.input * price[0] + tokens.output * price[1] : null,
    pricedAs: price ? model : null,
    requestId: `req_bench_${index}`,
    messageId: `msg_bench_${index}`,
    at: new Date(now - next() * DAYS * 86_400_000).toISOString(),
    latencyMs: source === 'metered' ? Math.floor(next() * 30_000) : null,
  };
  return {
    kind: USAGE_EVENT,
    actor: 'system',
    actorId: 'bench',
    // A fifth of the calls made outside Paddock (no session).
    sessionId: session < SESSIONS ? `ses_${session.toString(16).padStart(8, '0')}` : null,
    payload: record as unknown as AppendInput['payload'],
  };
}

function seed(home: string): number {
  const started = Date.now();
  const store = AuditStore.open({ home });
  try {
    const next = random(15);
    for (let first = 0; first < EVENTS; first += BATCH) {
      const count = Math.min(BATCH, EVENTS - first);
      store.appendMany(
        Array.from({ length: count }, (_, i) => usageEvent(first + i, next, started)),
      );
    }
  } finally {
    store.close();
  }
  return Date.now() - started;
}

declare global {
  interface Window {
    __costsTiming?: Promise<{ total: number; reply: number } | null>;
  }
}

/**
 * In the page: marks `bench:start`, runs `act` (a string of code, so tsx leaves it as written) and
 * resolves `window.__costsTiming` with the time from the mark to the dashboard being ready again,
 * and how long the report took to arrive. Done is the screen's own `costs:ready` mark (set when
 * `data-ready` turns true: the report for the range on the page, the chart drawn) after the start.
 */
const ARM = `(act) => {
  const ready = () => document.querySelector('[data-testid="costs"][data-ready="true"]');
  performance.clearMarks('costs:ready');
  performance.mark('bench:start');
  const start = performance.now();
  window.__costsTiming = new Promise((resolve) => {
    const check = () => {
      const mark = performance.getEntriesByName('costs:ready').at(-1);
      if (ready() && mark && mark.startTime > start) {
        const requested = performance.getEntriesByName('costs:requested').at(-1);
        const received = performance.getEntriesByName('costs:received').at(-1);
        const reply = requested && received && requested.startTime >= start
          ? received.startTime - requested.startTime : 0;
        return resolve({ total: mark.startTime - start, reply });
      }
      if (performance.now() - start > 30000) return resolve(null);
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
  if (act === 'hash') location.hash = '#/costs';
}`;

async function timed(page: Page, act: 'hash' | string): Promise<{ total: number; reply: number }> {
  await page.evaluate(`(${ARM})(${JSON.stringify(act)})`);
  if (act !== 'hash') await page.keyboard.press(act);
  const timing = (await page.evaluate('window.__costsTiming')) as {
    total: number;
    reply: number;
  } | null;
  if (!timing) throw new Error(`The dashboard was not ready within 30 s (${act}).`);
  return timing;
}

export async function run(): Promise<BenchResult[]> {
  const home = mkdtempSync(join(tmpdir(), 'paddock-bench-costs-ui-'));
  progress(`writing ${EVENTS.toLocaleString('en-US')} cost.usage events over ${DAYS} days`);
  const seedMs = seed(home);
  const host = await startHost(home);
  const { browser, close } = await launchChromium();
  const open: number[] = [];
  const openReply: number[] = [];
  const allTime: number[] = [];
  const allReply: number[] = [];
  const weeks: number[] = [];
  try {
    const page = await openBenchPage(browser, host);
    for (let round = 0; round < ROUNDS + 1; round++) {
      // A fresh page on the Sessions screen: nothing of the Costs screen read or drawn yet.
      await reloadOnSessions(page);
      const opened = await timed(page, 'hash');
      const all = await timed(page, '4');
      const week = await timed(page, 'w');
      if (round === 0) {
        // The first round loads the chart's code and warms the host: reported apart.
        progress(`first open ${opened.total.toFixed(0)} ms (reply ${opened.reply.toFixed(0)} ms)`);
        continue;
      }
      open.push(opened.total);
      openReply.push(opened.reply);
      allTime.push(all.total);
      allReply.push(all.reply);
      weeks.push(week.total);
    }
    // What the figures were taken on: all time, by week (left so by the last round).
    await page.setViewportSize({ width: 1400, height: 1500 });
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    progress(`screenshot: ${SCREENSHOT}`);
  } finally {
    await close();
    await host.stop();
    rmSync(home, { recursive: true, force: true });
  }
  const note = `${EVENTS.toLocaleString('en-US')} calls over ${DAYS} days; p50 of ${ROUNDS} rounds`;
  return [
    { name: 'seeding the store (appendMany)', value: seedMs, unit: 'ms', note },
    {
      name: 'open Costs (30 days) → drawn, p50',
      value: percentile(open, 50),
      unit: 'ms',
      note: 'target < 500; navigation to the chart drawn',
    },
    { name: 'open Costs (30 days) → drawn, max', value: Math.max(...open), unit: 'ms' },
    { name: '  of which the host’s reply, p50', value: percentile(openReply, 50), unit: 'ms' },
    {
      name: 'switch to all time → drawn, p50',
      value: percentile(allTime, 50),
      unit: 'ms',
      note: `${DAYS} daily bars`,
    },
    { name: '  of which the host’s reply, p50', value: percentile(allReply, 50), unit: 'ms' },
    { name: 'days → weeks → drawn, p50', value: percentile(weeks, 50), unit: 'ms' },
  ];
}
