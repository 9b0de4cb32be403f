/**
 * The import: transcripts in, one `cost.usage` event (source `reported`) per call the store does
 * not hold yet. Each call counts once however often the files repeat it; a call an earlier import
 * wrote is skipped; a call the broker metered is skipped too (metered wins), and what the
 * transcript said of it is set against the metered figures, per Paddock session.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { JsonObject } from '../../../../shared/audit';
import {
  USAGE_EVENT,
  type ModelProvider,
  type TokenCounts,
  type UsageRecord,
} from '../../../../shared/costs';
import type {
  ImportedSource,
  MeteredComparison,
  UsageImportSummary,
  UsageTotal,
} from '../../../../shared/usage-import';
import type { AppendInput } from '../../store';
import type { FoundCall, LineParser, ParseCounts } from './calls';
import { claudeTranscript } from './claude';
import { codexFamilies, codexRollout, readCodexMeta, type CodexSessionMeta } from './codex';
import { KnownUsage, type MeteredCall, type UsageStore } from './known';
import { readLines, type LineCounts } from './lines';
import type { TranscriptSource } from './sources';

/** What a call costs at the price table's rates; null when the table does not know the model. */
export type PriceFn = (
  provider: ModelProvider,
  model: string,
  tokens: TokenCounts,
) => { costUsd: number; pricedAs: string } | null;

export interface ImportOptions {
  sources: readonly TranscriptSource[];
  price: PriceFn;
  /** Events written per `appendMany` (one fsync each); default 1,000. */
  batchSize?: number;
}

export const IMPORT_ACTOR_ID = 'costs.import';
const BATCH = 1_000;
const KINDS = ['input', 'output', 'cacheWrite', 'cacheRead'] as const;

export async function importUsage(
  store: UsageStore,
  options: ImportOptions,
): Promise<UsageImportSummary> {
  const started = performance.now();
  const run = new ImportRun(store, new KnownUsage(store), options);
  const listed: Array<{ source: TranscriptSource; files: string[] }> = [];
  const seenDirs = new Set<string>();
  for (const source of options.sources) {
    if (seenDirs.has(`${source.kind}:${source.dir}`)) continue;
    seenDirs.add(`${source.kind}:${source.dir}`);
    listed.push({ source, files: await transcriptFiles(source.dir, run.unreadable) });
  }
  // Codex forks copy their parent's turns: which files belong together is known before reading.
  const metas = new Map<string, CodexSessionMeta | null>();
  for (const { source, files } of listed)
    if (source.kind === 'codex')
      for (const file of files) metas.set(file, await readCodexMeta(file).catch(() => null));
  const families = codexFamilies(metas);

  for (const { source, files } of listed)
    for (const file of files) {
      const found = (call: FoundCall) => run.take(call, file, source.sessionId);
      const parser: LineParser =
        source.kind === 'claude'
          ? claudeTranscript(file, found, run.counts)
          : codexRollout(file, families.get(file) ?? `file:${file}`, found, run.counts);
      try {
        await readLines(file, (line, lineNo) => parser.line(line, lineNo), run.lineCounts);
        run.files++;
      } catch (error) {
        if (error instanceof WriteFailed) throw error.cause; // the store's error, not the file's
        run.unreadable.push({ path: file, error: (error as Error).message });
      } finally {
        parser.end();
      }
    }
  try {
    run.flush();
  } catch (error) {
    throw error instanceof WriteFailed ? error.cause : error;
  }
  return run.summary(
    listed.map(({ source, files }) => ({ ...source, files: files.length })),
    (performance.now() - started) / 1000,
  );
}

/** A write to the store failed while a file was being read: the import stops (what it wrote stays). */
class WriteFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('writing usage events failed');
  }
}

class ImportRun {
  files = 0;
  readonly lineCounts: LineCounts = { lines: 0, bytes: 0, longLines: 0 };
  readonly counts: ParseCounts = { malformed: 0, repeats: 0 };
  readonly unreadable: UsageImportSummary['unreadable'] = [];
  private calls = 0;
  private added = 0;
  private duplicates = 0;
  private alreadyMetered = 0;
  private readonly seen = new Set<string>();
  private pending: AppendInput[] = [];
  private readonly unpriced = new Map<string, UsageImportSummary['unpriced'][number]>();
  private readonly compared = new Map<string | null, MeteredComparison>();
  private readonly batchSize: number;

  constructor(
    private readonly store: UsageStore,
    private readonly known: KnownUsage,
    private readonly options: ImportOptions,
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? BATCH);
  }

  take(call: FoundCall, file: string, sessionId: string | null): void {
    if (this.seen.has(call.key)) {
      this.counts.repeats++;
      return;
    }
    this.seen.add(call.key);
    this.calls++;
    const known = this.known.lookup(call, file, sessionId);
    if (known === 'imported') {
      this.duplicates++;
      return;
    }
    if (known) {
      this.alreadyMetered++;
      this.compare(known.metered, call);
      return;
    }
    const priced = this.options.price(call.provider, call.model, call.tokens);
    if (!priced) this.countUnpriced(call);
    const record: UsageRecord = {
      source: 'reported',
      provider: call.provider,
      model: call.model,
      tokens: call.tokens,
      costUsd: priced?.costUsd ?? null,
      pricedAs: priced?.pricedAs ?? null,
      requestId: call.requestId,
      messageId: call.messageId,
      at: call.at,
      latencyMs: null,
      origin: call.origin,
    };
    this.pending.push({
      kind: USAGE_EVENT,
      actor: 'system',
      actorId: IMPORT_ACTOR_ID,
      sessionId,
      payload: record as unknown as JsonObject,
    });
    if (this.pending.length >= this.batchSize) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    try {
      this.store.appendMany(this.pending);
    } catch (error) {
      throw new WriteFailed(error);
    }
    this.added += this.pending.length;
    this.pending = [];
  }

  summary(sources: ImportedSource[], seconds: number): UsageImportSummary {
    return {
      files: this.files,
      lines: this.lineCounts.lines,
      bytes: this.lineCounts.bytes,
      seconds,
      calls: this.calls,
      added: this.added,
      duplicates: this.duplicates,
      alreadyMetered: this.alreadyMetered,
      repeats: this.counts.repeats,
      malformed: this.counts.malformed,
      longLines: this.lineCounts.longLines,
      unreadable: this.unreadable,
      unpriced: [...this.unpriced.values()].sort((a, b) => b.calls - a.calls),
      sessions: [...this.compared.values()]
        .map((comparison) => ({
          ...comparison,
          difference: difference(comparison.metered, comparison.reported),
        }))
        .sort((a, b) => (a.sessionId ?? '').localeCompare(b.sessionId ?? '')),
      sources,
    };
  }

  private countUnpriced(call: FoundCall): void {
    const key = `${call.provider}\n${call.model}`;
    const entry = this.unpriced.get(key);
    if (entry) entry.calls++;
    else this.unpriced.set(key, { provider: call.provider, model: call.model, calls: 1 });
  }

  private compare(metered: MeteredCall, call: FoundCall): void {
    let comparison = this.compared.get(metered.sessionId);
    if (!comparison) {
      comparison = {
        sessionId: metered.sessionId,
        calls: 0,
        metered: zero(),
        reported: zero(),
        difference: zero(),
      };
      this.compared.set(metered.sessionId, comparison);
    }
    comparison.calls++;
    add(comparison.metered, metered.tokens, metered.costUsd);
    add(
      comparison.reported,
      call.tokens,
      this.options.price(call.provider, call.model, call.tokens)?.costUsd ?? null,
    );
  }
}

function zero(): UsageTotal {
  return { tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 }, costUsd: 0 };
}

function add(total: UsageTotal, tokens: TokenCounts, costUsd: number | null): void {
  for (const kind of KINDS) total.tokens[kind] += tokens[kind];
  if (costUsd !== null) total.costUsd = round(total.costUsd + costUsd);
}

function difference(metered: UsageTotal, reported: UsageTotal): UsageTotal {
  const result = zero();
  for (const kind of KINDS) result.tokens[kind] = metered.tokens[kind] - reported.tokens[kind];
  result.costUsd = round(metered.costUsd - reported.costUsd);
  return result;
}

/** Dollars to a billionth: sums of prices are not left with float noise. */
function round(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

/**
 * Every `*.jsonl` file below `dir`, in name order (so that repeated imports meet the files in the
 * same order). Links are not followed: an agent home is the agent's to write in.
 */
async function transcriptFiles(
  dir: string,
  unreadable: UsageImportSummary['unreadable'],
): Promise<string[]> {
  const files: string[] = [];
  const walk = async (at: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        unreadable.push({ path: at, error: (error as Error).message });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.endsWith('.jsonl')) files.push(path);
    }
  };
  await walk(dir);
  return files;
}
