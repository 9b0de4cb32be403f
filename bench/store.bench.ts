/**
 * The audit store: hash-chained appends against plain better-sqlite3 inserts of the same rows
 * (same columns, same pragmas), and full-text search latency on a large store.
 *
 * BENCH_FTS_EVENTS sets the size of the search store (default 1,000,000) for quick trial runs.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AuditStore, type AppendInput, type SearchFilters } from '../src/main/core/store';
import { perSecond, percentile, progress, withTempDir, type BenchResult } from './lib';

const ONE_BY_ONE_ROWS = 2_000;
const BATCHED_ROWS = 100_000;
const BATCH = 1_000;
const ROUNDS = 5;
const FTS_EVENTS = Number(process.env.BENCH_FTS_EVENTS ?? 1_000_000);
if (!Number.isInteger(FTS_EVENTS) || FTS_EVENTS < 1)
  throw new Error(
    `BENCH_FTS_EVENTS must be a positive integer, not ${process.env.BENCH_FTS_EVENTS}`,
  );
const FTS_BATCH = 5_000;
const RARE_EVENTS = 10;
const WARM_UP_QUERIES = 5;
const QUERIES = 200;
const SEARCH_LIMIT = 50;
/** The store's default, passed explicitly: a checkpoint file (one more fsync) every 1,000 events. */
const CHECKPOINT_EVERY = 1_000;

/** One token in ~10 events of the search store, and one in most events (every cwd). */
const RARE_TERM = 'zebracorn';
const COMMON_TERM = 'workspace';

export async function run(): Promise<BenchResult[]> {
  const rows = Array.from({ length: BATCHED_ROWS }, (_, i) => eventAt(i));
  const bytes = rows.reduce((sum, r) => sum + JSON.stringify(r.payload).length, 0) / rows.length;
  progress(`${rows.length.toLocaleString()} rows generated, payload ${bytes.toFixed(0)} B avg`);

  // Let the JIT see both insert paths before anything is timed.
  await chainedBatched(rows.slice(0, 5_000));
  await plainBatched(rows.slice(0, 5_000));

  // Interleaved rounds, median of each: this machine's disk and CPU are shared and noisy.
  const single = rows.slice(0, ONE_BY_ONE_ROWS);
  const rates: Record<'chained1' | 'plain1' | 'chainedN' | 'indexedN' | 'plainN', number[]> = {
    chained1: [],
    plain1: [],
    chainedN: [],
    indexedN: [],
    plainN: [],
  };
  for (let round = 1; round <= ROUNDS; round++) {
    rates.chained1.push(await chainedOneByOne(single));
    rates.plain1.push(await plainOneByOne(single));
    const batched = await chainedBatchedRates(rows);
    rates.chainedN.push(batched.acknowledged);
    rates.indexedN.push(batched.sustained);
    rates.plainN.push(await plainBatched(rows));
    const last = Object.entries(rates).map(([k, v]) => `${k} ${v.at(-1)?.toFixed(0)}/s`);
    progress(`appends, round ${round}/${ROUNDS}: ${last.join(', ')}`);
  }
  // Each round runs both sides back to back, so its ratio is the fairest under noise: report the median.
  const ratios = (a: number[], b: number[]) =>
    percentile(
      a.map((value, i) => value / (b[i] as number)),
      50,
    );
  const chained1 = percentile(rates.chained1, 50);
  const plain1 = percentile(rates.plain1, 50);
  const chainedN = percentile(rates.chainedN, 50);
  const plainN = percentile(rates.plainN, 50);
  const indexedN = percentile(rates.indexedN, 50);

  const n1 = `${ONE_BY_ONE_ROWS.toLocaleString()} rows, one transaction each; median of ${ROUNDS}`;
  const nN = `${BATCHED_ROWS.toLocaleString()} rows, batches of ${BATCH.toLocaleString()}; median of ${ROUNDS}`;
  return [
    { name: 'event payload size', value: bytes, unit: 'B', note: 'average JSON, same rows below' },
    { name: 'append, chained, one by one', value: chained1, unit: 'events/s', note: n1 },
    { name: 'insert, plain, one by one', value: plain1, unit: 'rows/s', note: n1 },
    {
      name: 'ratio chained/plain, one by one',
      value: ratios(rates.chained1, rates.plain1),
      unit: '×',
      note: 'median of the rounds’ ratios',
    },
    { name: 'appendMany, chained, batched', value: chainedN, unit: 'events/s', note: nN },
    { name: 'insert, plain, batched', value: plainN, unit: 'rows/s', note: nN },
    {
      name: 'ratio chained/plain, batched',
      value: ratios(rates.chainedN, rates.plainN),
      unit: '×',
      note: 'median of the rounds’ ratios; target ≥ 0.5',
    },
    {
      name: 'appendMany + search indexing, batched (sustained)',
      value: indexedN,
      unit: 'events/s',
      note: `${nN}; the index is filled after commit`,
    },
    ...(await searchLatency()),
  ];
}

// --- the rows ---------------------------------------------------------------------------------

const SESSIONS = Array.from(
  { length: 6 },
  (_, i) => `5e55${i}000-0000-4000-8000-${'0'.repeat(11)}${i}`,
);
const AGENTS = ['claude-code', 'codex', 'aider', 'gemini-cli'];
const PROJECTS = ['paddock', 'billing-api', 'web-shop', 'infra', 'docs-site'];
const DIRS = ['src/main', 'src/renderer', 'src/shared', 'lib/core', 'tests/unit', 'scripts'];
const FILES = ['store', 'session', 'policy', 'router', 'config', 'index', 'client', 'utils'];
const WORDS = ['TODO', 'append', 'verify', 'budget', 'sandbox', 'timeout', 'retry', 'token'];
const COMMANDS: Array<(r: Rng) => string> = [
  (r) => `npm test -- --run ${pick(r, DIRS)}/${pick(r, FILES)}.test.ts`,
  (r) => `git diff --stat HEAD~${int(r, 1, 9)} -- ${pick(r, DIRS)}`,
  (r) => `git show ${hex(r, 7)} --name-only`,
  (r) => `rg -n "${pick(r, WORDS)}" ${pick(r, DIRS)} --glob '*.ts'`,
  (r) => `sed -n ${int(r, 1, 200)},${int(r, 200, 400)}p ${pick(r, DIRS)}/${pick(r, FILES)}.ts`,
  () => `npx tsc --noEmit -p tsconfig.json`,
  (r) => `cargo build --release --package ${pick(r, FILES)}-${hex(r, 4)}`,
  (r) => `ls -la ${pick(r, DIRS)}`,
];

/** Event `i`, the same on every call (a PRNG seeded by the index). Exported for profiling. */
export function eventAt(i: number): AppendInput {
  const r = rng(i + 1);
  const sessionId = pick(r, SESSIONS);
  const cwd = `/home/dev/${COMMON_TERM}/${pick(r, PROJECTS)}`;
  const roll = r();
  if (roll < 0.85) {
    return {
      kind: 'command.run',
      actor: 'agent',
      actorId: pick(r, AGENTS),
      sessionId,
      payload: {
        tool: 'Bash',
        command: pick(r, COMMANDS)(r),
        cwd,
        shell: '/bin/bash',
        exitCode: r() < 0.9 ? 0 : int(r, 1, 2),
        durationMs: int(r, 3, 90_000),
        pid: int(r, 1_000, 99_999),
        outputBytes: int(r, 0, 500_000),
        truncated: r() < 0.05,
        sandbox: { profile: 'workspace-write', network: r() < 0.2 },
      },
    };
  }
  if (roll < 0.95) {
    return {
      kind: 'file.write',
      actor: 'agent',
      actorId: pick(r, AGENTS),
      sessionId,
      payload: {
        tool: 'Edit',
        path: `${cwd}/${pick(r, DIRS)}/${pick(r, FILES)}.ts`,
        bytes: int(r, 10, 40_000),
        linesAdded: int(r, 0, 300),
        linesRemoved: int(r, 0, 120),
        sha256: hex(r, 64),
      },
    };
  }
  return {
    kind: 'approval.requested',
    actor: 'policy',
    actorId: `rule/${pick(r, ['network', 'outside-cwd', 'secrets', 'git-push'])}`,
    sessionId,
    payload: {
      reason: `The agent wants to ${pick(r, ['reach the network', 'push to origin', 'read ~/.ssh'])}`,
      request: hex(r, 12),
      risk: pick(r, ['low', 'medium', 'high']),
    },
  };
}

/** Event `i` of the search store: every ~N/10th event carries the rare term in its command. */
function searchEventAt(i: number, total: number): AppendInput {
  const event = eventAt(i);
  const every = Math.max(1, Math.floor(total / RARE_EVENTS));
  if (i % every === Math.floor(every / 2) && event.payload) {
    event.payload = { ...event.payload, command: `git checkout -b fix/${RARE_TERM}-${i}` };
  }
  return event;
}

type Rng = () => number;

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: Rng, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Rng, items: readonly T[]) => items[Math.floor(r() * items.length)] as T;
const hex = (r: Rng, length: number) =>
  Array.from({ length }, () => Math.floor(r() * 16).toString(16)).join('');

// --- appends ----------------------------------------------------------------------------------

function chainedOneByOne(rows: readonly AppendInput[]): Promise<number> {
  return withStore((store) => {
    const start = performance.now();
    for (const row of rows) store.append(row);
    return perSecond(rows.length, performance.now() - start);
  });
}

function chainedBatched(rows: readonly AppendInput[]): Promise<number> {
  return chainedBatchedRates(rows).then((rates) => rates.acknowledged);
}

/** Acknowledged appends, and the sustained rate once the search index (filled after commit) caught up. */
function chainedBatchedRates(
  rows: readonly AppendInput[],
): Promise<{ acknowledged: number; sustained: number }> {
  const batches = chunks(rows, BATCH);
  return withStore((store) => {
    const start = performance.now();
    for (const batch of batches) store.appendMany(batch);
    const appended = performance.now() - start;
    store.flushIndexes();
    const indexed = performance.now() - start;
    return {
      acknowledged: perSecond(rows.length, appended),
      sustained: perSecond(rows.length, indexed),
    };
  });
}

function plainOneByOne(rows: readonly AppendInput[]): Promise<number> {
  return withPlainTable((insert) => {
    const start = performance.now();
    rows.forEach((row, i) => insert(i + 1, row));
    return perSecond(rows.length, performance.now() - start);
  });
}

function plainBatched(rows: readonly AppendInput[]): Promise<number> {
  const batches = chunks(rows, BATCH);
  return withPlainTable((insert, db) => {
    const insertBatch = db.transaction((batch: readonly AppendInput[], first: number) =>
      batch.forEach((row, i) => insert(first + i, row)),
    );
    const start = performance.now();
    batches.forEach((batch, b) => insertBatch(batch, b * BATCH + 1));
    return perSecond(rows.length, performance.now() - start);
  });
}

function withStore<T>(work: (store: AuditStore) => T): Promise<T> {
  return withTempDir((home) => {
    const store = AuditStore.open({ home, checkpointEvery: CHECKPOINT_EVERY });
    try {
      return work(store);
    } finally {
      store.close();
    }
  });
}

const PLACEHOLDER_HASH = 'f'.repeat(64);

/**
 * The baseline: the events table's columns in a plain table (no indexes, triggers or FTS), the
 * store's pragmas, placeholder hashes. Each row still gets its id, time and JSON, as any logger's.
 */
function withPlainTable<T>(
  work: (insert: (seq: number, row: AppendInput) => void, db: Database.Database) => T,
): Promise<T> {
  return withTempDir((dir) => {
    const db = new Database(join(dir, 'plain.db'));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(`CREATE TABLE events (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL, ts TEXT NOT NULL, session_id TEXT,
        kind TEXT NOT NULL, actor TEXT NOT NULL, actor_id TEXT NOT NULL, payload TEXT NOT NULL,
        blobs TEXT NOT NULL, prev_hash TEXT NOT NULL, session_prev_hash TEXT, hash TEXT NOT NULL)`);
      const statement = db.prepare(
        'INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const insert = (seq: number, row: AppendInput) => {
        const sessionId = row.sessionId ?? null;
        statement.run(
          seq,
          randomUUID(),
          new Date().toISOString(),
          sessionId,
          row.kind,
          row.actor,
          row.actorId,
          JSON.stringify(row.payload ?? {}),
          '[]',
          PLACEHOLDER_HASH,
          sessionId === null ? null : PLACEHOLDER_HASH,
          PLACEHOLDER_HASH,
        );
      };
      return work(insert, db);
    } finally {
      db.close();
    }
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// --- search -----------------------------------------------------------------------------------

async function searchLatency(): Promise<BenchResult[]> {
  return withTempDir((home) => {
    const store = AuditStore.open({ home, checkpointEvery: CHECKPOINT_EVERY });
    const events = FTS_EVENTS.toLocaleString();
    let results: BenchResult[];
    try {
      const buildMs = buildSearchStore(store);
      // The index is filled after commit, off the append path: its cost is counted here.
      const indexStart = performance.now();
      store.flushIndexes();
      const indexMs = performance.now() - indexStart;
      progress(`search index caught up in ${(indexMs / 1000).toFixed(1)} s`);
      results = [
        {
          name: 'search store build (appends)',
          value: buildMs / 1000,
          unit: 's',
          note: `${events} events`,
        },
        {
          name: 'search index catch-up',
          value: indexMs / 1000,
          unit: 's',
          note: 'after the appends',
        },
        {
          name: 'search store build rate, index included',
          value: perSecond(FTS_EVENTS, buildMs + indexMs),
          unit: 'events/s',
        },
        ...searchFigures(store, 'rare', RARE_TERM),
        ...searchFigures(store, 'common', COMMON_TERM),
        ...searchFigures(
          store,
          'common, filtered by kind prefix and actor,',
          COMMON_TERM,
          undefined,
          {
            kinds: ['file.'],
            actors: ['agent'],
          },
        ),
        ...searchFigures(
          store,
          'typed prefix',
          COMMON_TERM.slice(0, 5),
          'no whole-word match: the prefix query runs',
        ),
      ];
    } finally {
      store.close();
    }
    const size = statSync(store.paths.database).size / 2 ** 20;
    return [
      ...results,
      { name: 'search store size', value: size, unit: 'MiB', note: 'after close' },
    ];
  });
}

/** Fills the store with FTS_EVENTS events; returns how long it took, in ms. */
function buildSearchStore(store: AuditStore): number {
  const events = FTS_EVENTS.toLocaleString();
  progress(`building a store of ${events} events (appendMany, batches of ${FTS_BATCH}) ...`);
  const start = performance.now();
  let nextReport = start + 5_000;
  for (let first = 0; first < FTS_EVENTS; first += FTS_BATCH) {
    const count = Math.min(FTS_BATCH, FTS_EVENTS - first);
    store.appendMany(Array.from({ length: count }, (_, i) => searchEventAt(first + i, FTS_EVENTS)));
    if (performance.now() >= nextReport) {
      nextReport += 5_000;
      const done = first + count;
      const ms = performance.now() - start;
      progress(
        `  ${done.toLocaleString()} / ${events} (${((100 * done) / FTS_EVENTS).toFixed(0)}%) in ${(ms / 1000).toFixed(0)} s, ${perSecond(done, ms).toFixed(0)} events/s`,
      );
    }
  }
  const ms = performance.now() - start;
  progress(`built in ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

/** p50 and p95 of `store.search(term, 50)`, after a few warm-up queries. */
function searchFigures(
  store: AuditStore,
  label: string,
  term: string,
  target = 'target < 50 ms',
  filters: SearchFilters = {},
): BenchResult[] {
  const total = (
    store.database
      .prepare('SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH ?')
      .get(`"${term}"`) as { n: number }
  ).n;
  for (let i = 0; i < WARM_UP_QUERIES; i++) store.search(term, SEARCH_LIMIT, filters);
  const samples: number[] = [];
  let found = 0;
  for (let i = 0; i < QUERIES; i++) {
    const start = performance.now();
    found = store.search(term, SEARCH_LIMIT, filters).length;
    samples.push(performance.now() - start);
  }
  const [p50, p95] = [percentile(samples, 50), percentile(samples, 95)];
  progress(
    `search ${label} "${term}": ${total} matches, p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`,
  );
  const on = `${QUERIES} × search("${term}", ${SEARCH_LIMIT}): ${found} of ${total.toLocaleString()} matches`;
  return [
    { name: `search ${label} term p50`, value: p50, unit: 'ms', note: on },
    { name: `search ${label} term p95`, value: p95, unit: 'ms', note: target },
  ];
}
