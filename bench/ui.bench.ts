/**
 * Twenty sessions at once, through the real UI: a built host runs 20 fake agents, each printing
 * ~1 MB/s for 30 s, plus a bash session; Chromium shows the Sessions screen while Playwright
 * switches between the printing terminals every two seconds and types into bash.
 *
 * Measured: the renderer's long tasks (PerformanceObserver, over the whole run), keystroke to echo
 * in bash's terminal (keydown to the character on screen, both timed in the page), and whether
 * every recording is complete (each agent's bytes, counted by the recorder, against what it
 * printed).
 *
 * BENCH_UI_SESSIONS and BENCH_UI_SECONDS change the load (defaults 20 and 30).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { launchChromium, startHost, type Host } from '../e2e/host';
import { AuditStore } from '../src/main/core/store';
import { FAKE_AGENT_PRESET } from '../src/test-support/fixtures/fake-agent-preset';
import { percentile, progress, type BenchResult } from './lib';

const SESSIONS = Number(process.env.BENCH_UI_SESSIONS ?? 20);
const SECONDS = Number(process.env.BENCH_UI_SECONDS ?? 30);
/** 1,280 lines of 80 bytes; the pty makes each `\n` a `\r\n`. */
const STEP_BYTES = 102_400;
const STEP_LINES = 1_280;
const STEPS = SECONDS * 10;
const KEYSTROKES = 40;

/** Prints STEP_BYTES every 100 ms, then waits a little (node-pty may drop a tail at exit). */
const SCRIPT = [
  ...Array.from({ length: STEPS }, () => [
    { type: 'printBytes', count: STEP_BYTES },
    { type: 'wait', ms: 100 },
  ]).flat(),
  { type: 'wait', ms: 1000 },
];

export async function run(): Promise<BenchResult[]> {
  const repo = repository();
  const host = await startHost(undefined, { FAKE_AGENT_SCRIPT: JSON.stringify(SCRIPT) });
  const { browser, close } = await launchChromium();
  try {
    host.cli(['settings', 'set', 'agents.custom', JSON.stringify([FAKE_AGENT_PRESET])]);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('crash', () => progress('the page crashed'));
    page.on('pageerror', (error) => progress(`page error: ${error.message}`));
    await page.goto(host.url);
    await page.locator('html[data-ready="true"]').waitFor();
    await observeLongTasks(page);
    const shell = startSession(host, repo, 'shell');
    progress(`starting ${SESSIONS} sessions printing ~1 MB/s for ${SECONDS} s`);
    const printing = Array.from({ length: SESSIONS }, () => startSession(host, repo, 'fake'));
    const started = Date.now();
    const echoes = await driveUi(page, printing, shell, started);
    progress('waiting for the agents to finish');
    await waitForExits(host, printing);
    const longTasks = await page.evaluate(() => window.__longTasks ?? []);
    host.cli(['session', 'stop', shell]);
    await host.stop();
    return results(longTasks, echoes, completeness(host.home, printing));
  } finally {
    await close();
    await host.stop();
    rmSync(host.home, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  }
}

declare global {
  interface Window {
    __longTasks?: number[];
  }
}

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-bench-ui-'));
  execFileSync('git', ['init', '-q', dir]);
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  const git = ['-C', dir, '-c', 'user.name=Bench', '-c', 'user.email=bench@example.com'];
  execFileSync('git', [...git, 'add', '-A']);
  execFileSync('git', [...git, 'commit', '-q', '-m', 'init']);
  return dir;
}

function startSession(host: Host, repo: string, agent: string): string {
  const started = host.cli(['session', 'start', '--project', repo, '--agent', agent, '--detach']);
  if (started.code !== 0) throw new Error(`session start failed: ${started.stderr}`);
  return started.stdout.trim();
}

async function observeLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks?.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** Switches terminals every 2 s; types into bash between switches. Returns echo times (ms). */
async function driveUi(page: Page, printing: string[], shell: string, started: number) {
  const echoes: number[] = [];
  let turn = 0;
  while (Date.now() - started < SECONDS * 1000) {
    const id = printing[turn++ % printing.length] as string;
    await page.locator(`[data-testid="session-row"][data-id="${id}"] button`).click();
    await page.locator('[data-testid="terminal"] .xterm-rows').waitFor();
    await page.waitForTimeout(1000);
    await page.locator(`[data-testid="session-row"][data-id="${shell}"] button`).click();
    await page.locator(`[data-testid="terminal"][data-session="${shell}"] .xterm-rows`).waitFor();
    echoes.push(...(await typeAndTime(page, 2)));
  }
  progress(`${turn} terminal switches; ${echoes.length} keystrokes timed so far`);
  echoes.push(...(await typeAndTime(page, KEYSTROKES)));
  return echoes;
}

/**
 * In the page: arms a timer that resolves `window.__echo` with the time from the next keydown to
 * `target` appearing in the terminal (NaN after 5 s). A string, so tsx leaves it as written (it
 * would add helpers the page does not have).
 */
const ARM_ECHO_TIMER = `(target) => {
  const rows = document.querySelector('[data-testid="terminal"] .xterm-rows');
  let down = 0;
  window.__echo = new Promise((resolve) => {
    window.addEventListener('keydown', () => { down = performance.now(); }, { capture: true, once: true });
    const observer = new MutationObserver(() => {
      const text = (rows && rows.textContent) || '';
      if (down && text.includes(target)) { observer.disconnect(); resolve(performance.now() - down); }
    });
    observer.observe(rows, { childList: true, subtree: true, characterData: true });
    setTimeout(() => { observer.disconnect(); resolve(NaN); }, 5000);
  });
}`;

/** Types letters into the focused terminal; each timed from keydown to its echo on screen. */
async function typeAndTime(page: Page, count: number): Promise<number[]> {
  await page.locator('[data-testid="terminal"] textarea').focus();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const letter = String.fromCharCode(97 + (i % 26));
    await page.evaluate(`(${ARM_ECHO_TIMER})(${JSON.stringify(typedSoFar(i) + letter)})`);
    await page.keyboard.press(letter);
    const ms = (await page.evaluate('window.__echo')) as number;
    if (Number.isNaN(ms)) progress(`  no echo of ${letter} within 5 s`);
    else times.push(ms);
  }
  // Clear the line for the next round.
  await page.keyboard.press('Control+U');
  return times;
}

/** What the prompt line holds before the i-th letter of a round. */
function typedSoFar(i: number): string {
  return Array.from({ length: i }, (_, j) => String.fromCharCode(97 + (j % 26))).join('');
}

async function waitForExits(host: Host, ids: string[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const list = JSON.parse(host.cli(['session', 'list', '--json']).stdout) as Array<{
      id: string;
      state: string;
    }>;
    if (ids.every((id) => list.find((s) => s.id === id)?.state === 'exited')) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error('The agents did not finish within two minutes.');
}

/** Every agent's recording holds every byte it printed (the recorder's own count). */
function completeness(home: string, ids: string[]): { complete: number; bytes: number } {
  const store = AuditStore.open({ home, readonly: true });
  try {
    const expected = STEPS * (STEP_BYTES + STEP_LINES);
    let complete = 0;
    let bytes = 0;
    for (const id of ids) {
      const closed = store
        .list({ sessionId: id, limit: 10_000, order: 'desc' })
        .find((event) => event.kind === 'terminal.closed');
      const output = closed?.payload.output as { bytes: number; recordedBytes: number } | undefined;
      const printed = (output?.bytes ?? 0) - bannerBytes(store, id);
      if (output && printed === expected && output.recordedBytes === output.bytes) complete++;
      else progress(`  ${id}: ${printed} of ${expected} bytes recorded`);
      bytes += output?.recordedBytes ?? 0;
    }
    return { complete, bytes };
  } finally {
    store.close();
  }
}

/** The fake agent's banner: the bytes of its first chunk before the first line of x's. */
function bannerBytes(store: AuditStore, id: string): number {
  const first = store
    .list({ sessionId: id, limit: 100 })
    .find((event) => event.kind === 'terminal.output');
  const blob = first ? store.getBlob(first.blobs[0] ?? '') : null;
  return blob ? blob.indexOf('x'.repeat(79)) : 0;
}

function results(
  longTasks: number[],
  echoes: number[],
  recordings: { complete: number; bytes: number },
): BenchResult[] {
  const over100 = longTasks.filter((ms) => ms > 100);
  return [
    {
      name: 'renderer long tasks over 100 ms',
      value: over100.length,
      unit: 'count',
      note: `target 0; ${longTasks.length} long tasks (> 50 ms) in all`,
    },
    { name: 'longest renderer task', value: Math.max(0, ...longTasks), unit: 'ms' },
    {
      name: 'keystroke → echo, p50',
      value: percentile(echoes, 50),
      unit: 'ms',
      note: `${echoes.length} keys in bash`,
    },
    {
      name: 'keystroke → echo, p95',
      value: percentile(echoes, 95),
      unit: 'ms',
      note: 'target < 100',
    },
    {
      name: 'complete recordings',
      value: recordings.complete,
      unit: `of ${SESSIONS}`,
      note: `${(recordings.bytes / 1e6).toFixed(0)} MB recorded`,
    },
  ];
}
