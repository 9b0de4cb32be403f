/**
 * Importing usage from agents' transcripts: a generated 1 GB of Claude Code transcripts (BENCH_COSTS_MB
 * sets the size) imported into a fresh store, then imported again (nothing new: every call is found
 * already there). The lines are what Claude Code 2.1.197 writes (see
 * src/main/core/costs/import/fixtures): most bytes are user lines carrying tool results (twice:
 * for the model and in `toolUseResult`, 200 B to 100 KB), with a hook attachment per tool call,
 * prompts, and one assistant line per content block repeating the message's usage; one session in
 * eight is a resumed one, whose file starts with the whole earlier session again.
 */
import { closeSync, mkdirSync, openSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PriceTable } from '../src/main/core/costs';
import { importUsage, type PriceFn } from '../src/main/core/costs/import';
import {
  claudeAssistantLines,
  claudeHookLine,
  claudePromptLine,
  claudeToolResultLine,
  fakeUuid,
  type ClaudeContext,
} from '../src/main/core/costs/import/fixtures/transcripts';
import { AuditStore } from '../src/main/core/store';
import type { UsageImportSummary } from '../src/shared/usage-import';
import { perSecond, progress, withTempDir, type BenchResult } from './lib';

const TARGET_MB = Number(process.env.BENCH_COSTS_MB ?? 1024);
if (!Number.isFinite(TARGET_MB) || TARGET_MB <= 0)
  throw new Error(`BENCH_COSTS_MB must be a positive number, not ${process.env.BENCH_COSTS_MB}`);
const SESSION_MB = 24;
const FLUSH_BYTES = 4 * 1024 * 1024;
const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-8', 'claude-haiku-4-5', 'claude-next-preview'];

export async function run(): Promise<BenchResult[]> {
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
