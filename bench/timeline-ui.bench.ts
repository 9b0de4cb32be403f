/**
 * A session's timeline over 100,000 events, through the real UI: one session (a project and a
 * session row, then its events) is written into a store before the host starts, with the store's
 * own appendMany: mostly `terminal.output` chunks (each naming a blob), and every so often a
 * prompt the agent reported, a tool it used, an approval asked and decided, a command with its
 * output, a connection, a masked secret, a model call's cost, a gate run. A built host serves it
 * and Chromium opens the Sessions screen with that session selected.
 *
 * Measured in the page: from the key that opens the timeline (`l`) to the first entries painted
 * (the frame after the one in which they appeared), and to every page read (`data-loaded`). Each
 * over ROUNDS rounds, the page reloaded before each, after one round to warm the host up.
 *
 * BENCH_TIMELINE_UI_EVENTS and BENCH_TIMELINE_UI_ROUNDS change the load (defaults 100,000 and 5).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { launchChromium, startHost } from '../e2e/host';
import { openBenchPage, reloadOnSessions } from './ui-page';
import type { JsonObject } from '../src/shared/audit';
import { ProjectsService } from '../src/main/core/projects';
import { SessionRecords } from '../src/main/core/sessions/session-records';
import { AuditStore, type AppendInput } from '../src/main/core/store';
import { percentile, progress, type BenchResult } from './lib';

const EVENTS = Number(process.env.BENCH_TIMELINE_UI_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_TIMELINE_UI_ROUNDS ?? 5);
const BATCH = 10_000;
const SESSION = 'ses_be7c4000';
const SCREENSHOT = join(__dirname, '..', 'test-results', 'screenshots', 'timeline-100k.png');
const PERSON = { actor: 'person', actorId: 'ada' } as const;
const SYSTEM = { actor: 'system', actorId: 'bench' } as const;
const AGENT = { actor: 'agent', actorId: 'claude' } as const;

/** Every `EVERY`th event is one of these, in turn; the others are output chunks. */
const EVERY = 12;
const OTHERS: Array<(i: number) => Omit<AppendInput, 'sessionId'>> = [
  (i) => ({
    kind: 'agent.reported.prompt',
    ...AGENT,
    payload: { reportedByAgent: true, detail: `step ${i}: fix the flaky test` },
  }),
  (i) => ({
    kind: 'agent.reported.tool-used',
    ...AGENT,
    payload: { reportedByAgent: true, detail: i % 2 ? 'Bash' : 'Edit' },
  }),
  (i) => ({
    kind: 'approval.requested',
    ...SYSTEM,
    payload: { id: `apr_${i}`, kind: 'command', subject: `Bash(npm test -- ${i})`, risk: 'medium' },
  }),
  (i) => ({
    kind: 'approval.decided',
    ...PERSON,
    payload: { id: `apr_${i}`, allow: true, scope: 'once', reason: '', waitedMs: 4200 },
  }),
  (i) => ({
    kind: 'session.exec',
    ...PERSON,
    payload: { argv: ['npm', 'test'], exitCode: i % 3 ? 0 : 1, durationMs: 2300 },
    blobs: [Buffer.from(`PASS src/a.test.ts (${i})\n`)],
  }),
  (i) => ({
    kind: 'network.connection',
    ...SYSTEM,
    payload: {
      host: i % 2 ? 'registry.npmjs.org' : 'evil.example',
      port: 443,
      decision: i % 2 ? 'allowed' : 'denied',
      rule: i % 2 ? 'allowed by Network(registry.npmjs.org)' : 'no rule allows evil.example',
      bytesUp: 100,
      bytesDown: 2000,
      durationMs: 40,
    },
  }),
  () => ({
    kind: 'redaction.applied',
    ...SYSTEM,
    payload: { stream: 'output', offset: 10, length: 40, ruleId: 'github' },
  }),
  (i) => ({
    kind: 'cost.usage',
    ...SYSTEM,
    payload: { source: 'metered', model: 'claude-sonnet-4-5', costUsd: 0.01, requestId: `r${i}` },
  }),
  (i) => ({
    kind: i % 2 ? 'gates.run.started' : 'gates.run.finished',
    ...PERSON,
    payload: { runId: `run_${i}`, verdict: 'pass', results: [] },
  }),
];

function outputChunk(i: number, ms: number): Omit<AppendInput, 'sessionId'> {
  const text = `\x1b[32m✓\x1b[0m line ${i} of the agent's output\r\n`;
  return {
    kind: 'terminal.output',
    actor: 'system',
    actorId: 'recorder',
    payload: {
      offset: i * 64,
      bytes: text.length,
      startMs: ms,
      endMs: ms,
      cols: 120,
      rows: 40,
      frames: [[ms, text.length]],
    } as JsonObject,
    blobs: [Buffer.from(text)],
  };
}

function eventAt(i: number): AppendInput {
  const other = OTHERS[Math.floor(i / EVERY) % OTHERS.length];
  const made = i % EVERY === EVERY - 1 && other ? other(i) : outputChunk(i, i * 20);
  return { ...made, sessionId: SESSION };
}

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-bench-timeline-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], {
      cwd: dir,
    });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return dir;
}

async function seed(home: string, repo: string): Promise<number> {
  const started = Date.now();
  const store = AuditStore.open({ home });
  try {
    const project = await new ProjectsService(store).add(repo, PERSON);
    const sessions = new SessionRecords(store);
    sessions.create(
      {
        id: SESSION,
        projectId: project.id,
        agentPreset: 'claude',
        task: 'fix the flaky test (100,000 events)',
        author: 'ada',
        workspace: join(home, 'no-workspace'),
        branch: 'paddock/be7c4000',
        baseCommit: '0'.repeat(40),
        sandboxProfile: 'bubblewrap',
      },
      PERSON,
    );
    sessions.transition(SESSION, 'running', SYSTEM);
    store.append({
      kind: 'terminal.started',
      actor: 'system',
      actorId: 'recorder',
      sessionId: SESSION,
      payload: { version: 1, cols: 120, rows: 40 },
    });
    // Three events above and the exit below: EVENTS in all for the session.
    const body = EVENTS - 4;
    for (let first = 0; first < body; first += BATCH)
      store.appendMany(
        Array.from({ length: Math.min(BATCH, body - first) }, (_, i) => eventAt(first + i)),
      );
    sessions.transition(SESSION, 'exited', SYSTEM, { exitCode: 0 });
    // The derived indexes (session membership, full text) are built now, not on the first read.
    store.search('warm', 1);
  } finally {
    store.close();
  }
  return Date.now() - started;
}

interface Timing {
  rows: number;
  loaded: number;
  /** The first page's round trip to the host (the store's `timeline:requested`/`received` marks). */
  reply: number;
}

declare global {
  interface Window {
    __timelineTiming?: Promise<Timing | null>;
  }
}

/**
 * In the page: resolves `window.__timelineTiming` with the time from now to the first entries
 * painted (the frame after the one in which they appeared) and to every page read. Set up before
 * the key is pressed; a string of code, so tsx leaves it as written.
 */
const ARM = `() => {
  performance.clearMarks('timeline:requested');
  performance.clearMarks('timeline:received');
  const start = performance.now();
  let rows = null;
  window.__timelineTiming = new Promise((resolve) => {
    const check = () => {
      const now = performance.now();
      if (now - start > 60000) return resolve(null);
      if (rows === null && document.querySelector('[data-testid="timeline-entry"]')) {
        // Present in this frame: painted by the next one.
        requestAnimationFrame(() => {
          rows = performance.now() - start;
          requestAnimationFrame(check);
        });
        return;
      }
      if (rows !== null && document.querySelector('[data-testid="timeline"][data-loaded="true"]')) {
        const requested = performance.getEntriesByName('timeline:requested')[0];
        const received = performance.getEntriesByName('timeline:received')[0];
        const reply = requested && received ? received.startTime - requested.startTime : 0;
        return resolve({ rows, loaded: performance.now() - start, reply });
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}`;

async function timedOpen(page: Page): Promise<Timing> {
  await page.evaluate(`(${ARM})()`);
  await page.keyboard.press('l');
  const timing = (await page.evaluate('window.__timelineTiming')) as Timing | null;
  if (!timing) throw new Error('The timeline was not read within 60 s.');
  return timing;
}

export async function run(): Promise<BenchResult[]> {
  const home = mkdtempSync(join(tmpdir(), 'paddock-bench-timeline-ui-'));
  const repo = repository();
  progress(`writing a session of ${EVENTS.toLocaleString('en-US')} events`);
  const seedMs = await seed(home, repo);
  const host = await startHost(home);
  const { browser, close } = await launchChromium();
  const firstRows: number[] = [];
  const allRead: number[] = [];
  const replies: number[] = [];
  try {
    const page = await openBenchPage(browser, host);
    for (let round = 0; round < ROUNDS + 1; round++) {
      // A fresh page on the Sessions screen, the session selected: nothing of its timeline read.
      await reloadOnSessions(page);
      await page.locator(`[data-testid="session-row"][data-id="${SESSION}"]`).waitFor();
      const timing = await timedOpen(page);
      if (round === 0) {
        progress(
          `warm-up: first rows ${timing.rows.toFixed(0)} ms (reply ${timing.reply.toFixed(0)} ms), all read ${timing.loaded.toFixed(0)} ms`,
        );
        continue;
      }
      firstRows.push(timing.rows);
      allRead.push(timing.loaded);
      replies.push(timing.reply);
    }
    const entries = await page.locator('[data-testid="timeline-head"]').textContent();
    progress(`shown: ${entries ?? '?'}`);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    progress(`screenshot: ${SCREENSHOT}`);
  } finally {
    await close();
    await host.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  }
  const note = `${EVENTS.toLocaleString('en-US')} events in one session; p50 of ${ROUNDS} rounds`;
  return [
    { name: 'seeding the store (appendMany)', value: seedMs, unit: 'ms', note },
    {
      name: 'open the timeline → first entries painted, p50',
      value: percentile(firstRows, 50),
      unit: 'ms',
      note: 'target < 1000; from the key l',
    },
    {
      name: 'open the timeline → first entries painted, max',
      value: Math.max(...firstRows),
      unit: 'ms',
    },
    {
      name: '  of which the first page’s reply (1,000 events), p50',
      value: percentile(replies, 50),
      unit: 'ms',
    },
    {
      name: 'open the timeline → every event read, p50',
      value: percentile(allRead, 50),
      unit: 'ms',
      note: 'pages of 1,000 behind the first paint',
    },
  ];
}
