/**
 * The headless host's cold start to a served first paint in Chromium, median of 5: from spawning
 * `paddock serve` (built) on a fresh PADDOCK_HOME to the first contentful paint of its page, and to
 * the app being ready (frame rendered and the first call answered). Chromium is started once,
 * before timing: it is the person's browser, not part of Paddock's start.
 */
import { rmSync } from 'node:fs';
import { launchChromium, startHost } from '../e2e/host';
import { type BenchResult, percentile, progress } from './lib';

const RUNS = 5;

export async function run(): Promise<BenchResult[]> {
  const { browser, close } = await launchChromium();
  const samples = { ready: [] as number[], paint: [] as number[], app: [] as number[] };
  try {
    for (let i = 0; i < RUNS; i++) {
      // A tab is open before the clock starts: opening one is the browser's cost, not Paddock's.
      const page = await browser.newPage();
      const started = performance.now();
      const host = await startHost();
      try {
        samples.ready.push(performance.now() - started);
        const navigating = performance.now();
        await page.goto(host.url);
        await page.waitForSelector('html[data-ready="true"]');
        samples.app.push(performance.now() - started);
        const fcp = await page.evaluate(
          () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
        );
        samples.paint.push(navigating - started + fcp);
      } finally {
        await page.close();
        await host.stop();
        rmSync(host.home, { recursive: true, force: true });
      }
      progress(
        `run ${i + 1}/${RUNS}: host ${samples.ready.at(-1)?.toFixed(0)} ms, first paint ${samples.paint.at(-1)?.toFixed(0)} ms, app ready ${samples.app.at(-1)?.toFixed(0)} ms`,
      );
    }
  } finally {
    await close();
  }
  const median = (values: number[]) => percentile(values, 50);
  return [
    {
      name: 'cold start: host serving (spawn → URL printed)',
      value: median(samples.ready),
      unit: 'ms',
      note: `median of ${RUNS}`,
    },
    {
      name: 'cold start: served first contentful paint',
      value: median(samples.paint),
      unit: 'ms',
      note: `median of ${RUNS}, from spawn`,
    },
    {
      name: 'cold start: app ready (frame + first call answered)',
      value: median(samples.app),
      unit: 'ms',
      note: `median of ${RUNS}, from spawn`,
    },
  ];
}
