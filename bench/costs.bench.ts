/**
 * Costs, in two parts.
 *
 * The cost report (always): 100,000 `cost.usage` events over 60 days (200 sessions in 10
 * projects, 6 models, 2% of the calls of a model the price table does not know) in a fresh store;
 * then `buildCostReport` as the dashboard asks for it (all time, and the last 7 days), and
 * `paddock costs --by model --json` end to end, a new process each run. Target: 200 ms for the
 * CLI, 500 ms for the dashboard.
 *
 * Importing usage from agents' transcripts (BENCH_COSTS_IMPORT=0 leaves it out): a generated 1 GB of Claude Code transcripts (BENCH_COSTS_MB
 * sets the size) imported into a fresh store, then imported again (nothing new: every call is found
 * already there). The lines are what Claude Code 2.1.197 writes (see
 * src/main/core/costs/import/fixtures): most bytes are user lines carrying tool results (twice:
 * for the model and in `toolUseResult`, 200 B to 100 KB), with a hook attachment per tool call,
 * prompts, and one assistant line per content block repeating the message's usage; one session in
 * eight is a resumed one, whose file starts with the whole earlier session again.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PriceTable } from '../src/main/core/costs';
import { parsePolicy } from '../src/main/core/policy';
import { costReport } from '../src/main/cost-report';
import {
  insertProjects,
  insertSessions,
  usageEvent,
  type SeedCall,
  type SeedSession,
} from '../src/main/core/costs/fixtures/usage';
import { importUsage, type PriceFn } from '../src/main/core/costs/import';
import {
  claudeAssistantLines,
  claudeHookLine,
  claudePromptLine,
  claudeToolResultLine,
  fakeUuid,
  type ClaudeContext,
} from '../src/main/core/costs/import/fixtures/transcripts';
import { AuditStore, type AppendInput } from '../src/main/core/store';
import type { UsageImportSummary } from '../src/shared/usage-import';
import { testSessions } from '../src/test-support/sessions';
import { percentile, perSecond, progress, withTempDir, type BenchResult } from './lib';

const TARGET_MB = Number(process.env.BENCH_COSTS_MB ?? 1024);
if (!Number.isFinite(TARGET_MB) || TARGET_MB <= 0)
  throw new Error(`BENCH_COSTS_MB must be a positive number, not ${process.env.BENCH_COSTS_MB}`);
const SESSION_MB = 24;
const FLUSH_BYTES = 4 * 1024 * 1024;
const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-8', 'claude-haiku-4-5', 'claude-next-preview'];

export async function run(): Promise<BenchResult[]> {
  const report = await reportBench();
  return process.env.BENCH_COSTS_IMPORT === '0' ? report : [...report, ...(await importBench())];
}

async function importBench(): Promise<BenchResult[]> {
  return withTempDir(async (dir) => {
    const projects = join(dir, 'claude', 'projects');
    const started = performance.now();
    const generated = generate(projects, TARGET_MB * 1024 * 1024);
    const generateMs = performance.now() - started;
    progress(
      `generated ${(generated.bytes / 1e6).toFixed(0)} MB in ${generated.files} files, ${generated.calls.toLocaleString()} calls (${generated.lines.toLocaleString()} lines) in ${(generateMs / 1000).toFixed(1)} s`,
    );

    const store = AuditStore.open({ home: join(dir, 'paddock') });
    try {
      const table = PriceTable.bundled();
      const price: PriceFn = (provider, model, tokens) => table.cost(model, tokens, provider);
      const sources = [{ kind: 'claude' as const, dir: projects, sessionId: null }];
      const first = await measured(() => importUsage(store, { sources, price }));
      progress(describe('import', first.summary, first.peakRssMb));
      if (first.summary.calls !== generated.calls || first.summary.added !== generated.calls)
        throw new Error(
          `The import found ${first.summary.calls} calls and added ${first.summary.added}; ${generated.calls} were generated.`,
        );
      store.flushIndexes();
      const again = await measured(() => importUsage(store, { sources, price }));
      progress(describe('re-import', again.summary, again.peakRssMb));
      if (again.summary.added !== 0) throw new Error('The second import added calls.');

      const on = `${(first.summary.bytes / 1e6).toFixed(0)} MB, ${generated.files} files`;
      return [
        {
          name: 'generate transcripts',
          value: generated.bytes / 1e6 / (generateMs / 1000),
          unit: 'MB/s',
          note: `${generated.lines.toLocaleString()} lines`,
        },
        {
          name: 'import into a fresh store',
          value: first.summary.bytes / 1e6 / first.summary.seconds,
          unit: 'MB/s',
          note: `${on}, ${first.summary.seconds.toFixed(1)} s`,
        },
        {
          name: 'import: calls',
          value: perSecond(first.summary.calls, first.summary.seconds * 1000),
          unit: 'calls/s',
          note: `${first.summary.calls.toLocaleString()} calls, each written as an event`,
        },
        {
          name: 'import: peak RSS',
          value: first.peakRssMb,
          unit: 'MB',
          note: `${first.rssBeforeMb.toFixed(0)} MB before it started`,
        },
        {
          name: 're-import, nothing new',
          value: again.summary.bytes / 1e6 / again.summary.seconds,
          unit: 'MB/s',
          note: `${on}, ${again.summary.seconds.toFixed(1)} s`,
        },
      ];
    } finally {
      store.close();
    }
  });
}

/** The import, and the process's resident memory before it and at its peak (sampled every 20 ms). */
async function measured(
  work: () => Promise<UsageImportSummary>,
): Promise<{ summary: UsageImportSummary; rssBeforeMb: number; peakRssMb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const summary = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { summary, rssBeforeMb: before / 1e6, peakRssMb: peak / 1e6 };
  } finally {
    clearInterval(sampler);
  }
}

function describe(label: string, s: UsageImportSummary, peakRssMb: number): string {
  return `${label}: ${s.files} files, ${s.calls.toLocaleString()} calls, ${s.added.toLocaleString()} added, ${s.duplicates.toLocaleString()} already there, ${s.repeats.toLocaleString()} repeats, ${s.malformed} malformed, unpriced ${s.unpriced.map((u) => u.model).join(', ') || 'none'}; ${s.seconds.toFixed(1)} s, peak RSS ${peakRssMb.toFixed(0)} MB`;
}

/** A small, fast, seeded generator (mulberry32): the same transcripts every run. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (below: number) => Math.floor(next() * below) };
}

/**
 * Text as it is inside a JSON string: source-like words with `\n` escapes, no quotes. Content is
 * a slice of it, written straight from this buffer, so a gigabyte is neither built as strings nor
 * escaped.
 */
function textPool(r: ReturnType<typeof random>, bytes: number): Buffer {
  // prettier-ignore
  const words = ['const', 'return', 'function', 'import', 'export', '{', '}', '=>', 'value', 'test',
    'expect(result).toBe(true);', 'src/main/core/store.ts:42', 'PASS', 'error', 'await', 'if', '(x)',
    'README.md', '0x7f3c', 'node_modules', '...', 'ok', '# heading', '  -', 'for', 'of', 'let', 'i++'];
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const word = r.next() < 0.08 ? '\\n' : `${words[r.int(words.length)]} `;
    parts.push(word);
    length += word.length;
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/** Marks a slice of the pool inside a line: `\u0001<start>:<length>\u0001`. */
const REF = '\u0001';
const BACKSLASH = 0x5c;

function generate(
  projects: string,
  targetBytes: number,
): { bytes: number; files: number; calls: number; lines: number } {
  const r = random(11);
  const pool = textPool(r, 4 * 1024 * 1024);
  const content = (length: number): string => {
    const start = r.int(pool.length - length);
    // Never a lone escape at the end of a string.
    const end = pool[start + length - 1] === BACKSLASH ? start + length - 1 : start + length;
    return `"${REF}${start}:${end - start}${REF}"`;
  };
  // Tool output sizes: mostly small, some file reads and test logs, a few large dumps.
  const outputSize = () => {
    const p = r.next();
    return p < 0.7 ? 200 + r.int(1800) : p < 0.95 ? 2_000 + r.int(18_000) : 20_000 + r.int(80_000);
  };
  const totals = { bytes: 0, files: 0, calls: 0, lines: 0 };
  let callNo = 0;
  let previous: string[] = [];
  while (totals.bytes < targetBytes) {
    const project = join(projects, `-home-dev-project-${totals.files % 8}`);
    mkdirSync(project, { recursive: true });
    const context: ClaudeContext = {
      sessionId: fakeUuid(),
      cwd: `/home/dev/project-${totals.files % 8}`,
    };
    const file = openSync(join(project, `${context.sessionId}.jsonl`), 'w');
    let pieces: Buffer[] = [];
    let small = '';
    let pending = 0;
    let fileBytes = 0;
    const flush = () => {
      if (small) pieces.push(Buffer.from(small, 'latin1'));
      small = '';
      const bytes = writevSync(file, pieces);
      fileBytes += bytes;
      totals.bytes += bytes;
      pieces = [];
      pending = 0;
    };
    const write = (line: string) => {
      const parts = line.split(REF);
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as string;
        if (i % 2 === 0) {
          small += part;
          pending += part.length;
          continue;
        }
        const [start, length] = part.split(':').map(Number) as [number, number];
        pieces.push(Buffer.from(small, 'latin1'), pool.subarray(start, start + length));
        small = '';
        pending += length;
      }
      small += '\n';
      totals.lines++;
      if (pending >= FLUSH_BYTES) flush();
    };
    // A resumed session starts with the whole earlier session (the same message and request ids).
    const resumed = totals.files % 8 === 7 && previous.length > 0;
    const kept: string[] = [];
    if (resumed) for (const line of previous) write(line);
    const at = new Date(Date.UTC(2026, 10, 1) + totals.files * 3_600_000);
    const time = () => {
      at.setTime(at.getTime() + 1000 + r.int(20_000));
      return at.toISOString();
    };
    while (fileBytes + pending < SESSION_MB * 1024 * 1024) {
      const lines: string[] = [];
      if (r.next() < 0.1)
        lines.push(claudePromptLine(context, content(200 + r.int(2_800)), time()));
      const n = ++callNo;
      const blocks = 1 + (r.next() < 0.75 ? 1 + r.int(3) : 0);
      const id = n.toString(36).padStart(8, '0');
      const when = time();
      lines.push(
        ...claudeAssistantLines(
          context,
          {
            messageId: `msg_01Bench${id}`,
            requestId: `req_011Bench${id}`,
            model: MODELS[n % 97 === 0 ? 3 : r.int(3)] as string,
            input: 1 + r.int(50),
            output: 20 + r.int(2_000),
            cacheWrite: r.int(8_000),
            cacheRead: 10_000 + r.int(150_000),
            at: when,
            blocks,
          },
          content(40 + r.int(600)),
          content(20 + r.int(300)),
        ),
      );
      for (let block = 1; block < blocks; block++) {
        const toolUseId = `toolu_01Bench${id}_${block}`;
        lines.push(claudeHookLine(context, toolUseId, when));
        lines.push(claudeToolResultLine(context, toolUseId, content(outputSize()), time()));
      }
      totals.calls++;
      for (const line of lines) {
        write(line);
        kept.push(line);
      }
    }
    flush();
    closeSync(file);
    totals.files++;
    previous = kept;
  }
  return totals;
}

const REPORT_CALLS = 100_000;
const REPORT_DAYS = 60;
const REPORT_SESSIONS = 200;
const REPORT_PROJECTS = 10;
const UNPRICED_MODEL = 'claude-next-preview';
const REPORT_RUNS = 7;
const CLI_RUNS = 7;
const ROOT = join(__dirname, '..');

/** The cost report over 100,000 calls: in-process, and the CLI end to end. */
async function reportBench(): Promise<BenchResult[]> {
  return withTempDir(async (dir) => {
    const home = join(dir, 'paddock');
    const paddock = testSessions({ home, presets: [] });
    let closed = false;
    try {
      const now = new Date();
      const started = performance.now();
      const seeded = seedUsage(paddock.store, now);
      paddock.store.flushIndexes();
      const seedMs = performance.now() - started;
      progress(
        `seeded ${seeded.calls.toLocaleString()} usage events (${seeded.unpriced.toLocaleString()} unpriced, ${seeded.outside.toLocaleString()} without a session) in ${(seedMs / 1000).toFixed(1)} s`,
      );
      paddock.settings.set(
        'costs.budgets',
        { session: 5, project: 500, day: 100 },
        { actor: 'person', actorId: 'bench' },
      );
      const deps = {
        store: paddock.store,
        settings: paddock.settings,
        sessions: paddock.sessions,
        projects: paddock.projects,
      };
      const report = (options: { since?: string; now: Date }) =>
        costReport(deps, options, parsePolicy);
      const allTime = timed(REPORT_RUNS, () => report({ now }));
      if (allTime.value.totals.calls !== REPORT_CALLS)
        throw new Error(
          `The report counts ${allTime.value.totals.calls} calls, not ${REPORT_CALLS}.`,
        );
      const week = new Date(now.getTime() - 7 * 86_400_000).toISOString();
      const lastWeek = timed(REPORT_RUNS, () => report({ since: week, now }));
      const json = timed(REPORT_RUNS, () => JSON.stringify(allTime.value));
      progress(
        `report: all time p50 ${allTime.p50.toFixed(1)} ms, last 7 days p50 ${lastWeek.p50.toFixed(1)} ms, ${(json.value.length / 1024).toFixed(0)} KiB of JSON`,
      );
      await paddock.close();
      closed = true;

      const cli = cliRuns(home);
      const tsx = cli.timed(['--import', 'tsx', join(ROOT, 'src', 'cli', 'index.ts')]);
      const bundle = buildCli();
      const bundled = cli.timed([bundle.file]);
      const node = cli.timed(['-e', '0'], false);
      const version = cli.timed([bundle.file, '--version'], false);
      progress(
        `CLI costs --by model --json: bundled p50 ${bundled.toFixed(0)} ms, through tsx p50 ${tsx.toFixed(0)} ms; node -e 0 alone ${node.toFixed(0)} ms, the bundled CLI's --version ${version.toFixed(0)} ms`,
      );
      const on = `${REPORT_CALLS.toLocaleString()} calls, ${REPORT_DAYS} days, ${REPORT_SESSIONS} sessions`;
      return [
        {
          name: 'report: seed usage events',
          value: perSecond(seeded.calls, seedMs),
          unit: 'events/s',
          note: `appendMany in batches of ${SEED_BATCH.toLocaleString()}, then indexed`,
        },
        {
          name: 'report: buildCostReport, all time (p50)',
          value: allTime.p50,
          unit: 'ms',
          note: `${on}; target < 500 (the dashboard), < 200 (the CLI)`,
        },
        {
          name: 'report: buildCostReport, last 7 days (p50)',
          value: lastWeek.p50,
          unit: 'ms',
          note: `${lastWeek.value.totals.calls.toLocaleString()} calls in range`,
        },
        {
          name: 'report: JSON.stringify (p50)',
          value: json.p50,
          unit: 'ms',
          note: `${(json.value.length / 1024).toFixed(0)} KiB, what the contract carries`,
        },
        {
          name: 'CLI costs --by model --json, bundled (p50)',
          value: bundled,
          unit: 'ms',
          note: `target < 200; ${bundle.note}; node -e 0 alone: ${node.toFixed(0)} ms, its --version: ${version.toFixed(0)} ms`,
        },
        {
          name: 'CLI costs --by model --json, through tsx (p50)',
          value: tsx,
          unit: 'ms',
          note: 'target < 200; src/cli/index.ts, as the CLI tests run it',
        },
      ];
    } finally {
      if (!closed) await paddock.close();
    }
  });
}

/** `runs` timings of `work` after a warm-up run: the median, and the last value. */
function timed<T>(runs: number, work: () => T): { p50: number; value: T } {
  let value = work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    value = work();
    samples.push(performance.now() - started);
  }
  return { p50: percentile(samples, 50), value };
}

/** The CLI in a new process each run, on the seeded home: the median wall time, in ms. */
function cliRuns(home: string) {
  return {
    timed(nodeArgs: string[], costs = true): number {
      const args = [...nodeArgs, ...(costs ? ['costs', '--by', 'model', '--json'] : [])];
      const run = () => {
        const started = performance.now();
        const result = spawnSync(process.execPath, args, {
          cwd: ROOT,
          env: { ...process.env, PADDOCK_HOME: home },
          encoding: 'utf8',
        });
        const ms = performance.now() - started;
        if (result.status !== 0)
          throw new Error(`node ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
        if (costs) {
          const printed = JSON.parse(result.stdout) as { totals: { calls: number } };
          if (printed.totals.calls !== REPORT_CALLS)
            throw new Error(`The CLI counts ${printed.totals.calls} calls.`);
        }
        return ms;
      };
      run();
      return percentile(
        Array.from({ length: CLI_RUNS }, () => run()),
        50,
      );
    },
  };
}

/**
 * The CLI as people run it: `bin/paddock.js` on the build (`npm run build`, run here first so the
 * figure is of the source as it is now, with the build's chunks and tree-shaking).
 */
function buildCli(): { file: string; note: string } {
  const built = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build failed: ${built.stderr || built.stdout}`);
  return { file: join(ROOT, 'bin', 'paddock.js'), note: 'bin/paddock.js on a fresh build' };
}

const SEED_BATCH = 5_000;

/**
 * 200 sessions in 10 projects (a few projects have most of them), each a few hours of calls on
 * one day or two; 8% of the calls without a session (the person's own transcripts, imported),
 * spread over the 60 days. Claude Code sessions call Anthropic models, Codex sessions OpenAI's;
 * 2% of the calls are of a model the price table does not know. Appended in time order, as the
 * broker writes them; the rows of the sessions and projects are written as their services write
 * them.
 */
export function seedUsage(
  store: AuditStore,
  now: Date,
): { calls: number; unpriced: number; outside: number } {
  const r = random(7);
  const table = PriceTable.bundled();
  const span = REPORT_DAYS * 86_400_000;
  const start = now.getTime() - span;
  const projectId = (p: number) => `prj_${p.toString(16).padStart(8, '0')}`;
  insertProjects(
    store,
    Array.from({ length: REPORT_PROJECTS }, (_, p) => ({
      id: projectId(p),
      path: `/home/dev/project-${p}`,
      name: `project-${p}`,
    })),
  );
  const agents = [
    {
      preset: 'claude',
      models: ['claude-sonnet-4-5', 'claude-opus-4-5', 'claude-haiku-4-5'],
      weights: [0.7, 0.15, 0.15],
    },
    { preset: 'codex', models: ['gpt-5-codex', 'gpt-5'], weights: [0.75, 0.25] },
  ] as const;
  const pick = <T>(items: readonly T[], weights: readonly number[]): T => {
    let x = r.next();
    for (let i = 0; i < items.length - 1; i++)
      if ((x -= weights[i] as number) < 0) return items[i] as T;
    return items[items.length - 1] as T;
  };
  const sessions: SeedSession[] = [];
  const calls: Array<Omit<SeedCall, 'at' | 'tokens' | 'costUsd'> & { ms: number }> = [];
  const inSessions = Math.round(REPORT_CALLS * 0.92);
  const weights = Array.from({ length: REPORT_SESSIONS }, () => 0.2 + r.next() * 1.8);
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  let left = inSessions;
  for (let s = 0; s < REPORT_SESSIONS; s++) {
    const agent = agents[r.next() < 0.65 ? 0 : 1];
    const session = {
      id: `ses_${(0xbe000000 + s).toString(16)}`,
      // The first projects have most of the sessions.
      projectId: projectId(
        Math.min(REPORT_PROJECTS - 1, Math.floor(REPORT_PROJECTS * r.next() ** 2)),
      ),
      agentPreset: agent.preset,
      task: `Task ${s}: make the tests pass, then tidy up`,
    };
    sessions.push(session);
    const begins = start + r.next() * (span - 6 * 3_600_000);
    const lasts = (0.25 + r.next() * 5.75) * 3_600_000;
    const n =
      s === REPORT_SESSIONS - 1
        ? left
        : Math.round((inSessions * (weights[s] as number)) / weightSum);
    left -= n;
    for (let i = 0; i < n; i++) {
      const ms = Math.floor(begins + r.next() * lasts);
      calls.push({
        ms,
        sessionId: session.id,
        model: pick(agent.models, agent.weights),
        source: r.next() < 0.9 ? 'metered' : 'reported',
      });
    }
  }
  insertSessions(store, sessions);
  while (calls.length < REPORT_CALLS) {
    const ms = Math.floor(start + r.next() * span);
    const claude = agents[0];
    calls.push({
      ms,
      sessionId: null,
      model: pick(claude.models, claude.weights),
      source: 'reported',
    });
  }
  // 2% unpriced, spread over everything.
  for (const call of calls) if (r.next() < 0.02) call.model = UNPRICED_MODEL;
  calls.sort((a, b) => a.ms - b.ms);
  let batch: AppendInput[] = [];
  let unpriced = 0;
  for (const [i, call] of calls.entries()) {
    const tokens = {
      input: 1 + r.int(4_000),
      output: 20 + r.int(2_000),
      cacheWrite: r.next() < 0.3 ? r.int(20_000) : 0,
      cacheRead: r.int(150_000),
    };
    const provider = call.model.startsWith('gpt') ? 'openai' : 'anthropic';
    const costUsd = table.cost(call.model, tokens, provider)?.costUsd ?? null;
    if (costUsd === null) unpriced++;
    batch.push(
      usageEvent({ ...call, at: new Date(call.ms).toISOString(), provider, tokens, costUsd }, i),
    );
    if (batch.length === SEED_BATCH) {
      store.appendMany(batch);
      batch = [];
    }
  }
  if (batch.length) store.appendMany(batch);
  return {
    calls: calls.length,
    unpriced,
    outside: calls.filter((call) => call.sessionId === null).length,
  };
}
