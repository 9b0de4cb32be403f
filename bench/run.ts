/**
 * `npm run bench [-- name ...]`: runs every benchmark module below (or those whose name contains
 * one of the arguments), prints one figures table and writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchModule, BenchResult } from './lib';

/** Every benchmark module, in the order they run. Each exports `run(): Promise<BenchResult[]>`. */
const MODULES: Array<[name: string, load: () => Promise<BenchModule>]> = [
  ['store', () => import('./store.bench')],
  ['host', () => import('./host.bench')],
  ['sessions', () => import('./sessions.bench')],
  ['recorder', () => import('./recorder.bench')],
  ['policy', () => import('./policy.bench')],
  ['ui', () => import('./ui.bench')],
  ['approvals', () => import('./approvals.bench')],
  ['sandbox', () => import('./sandbox.bench')],
  ['proxy', () => import('./proxy.bench')],
  ['broker', () => import('./broker.bench')],
  ['vault', () => import('./vault.bench')],
  ['costs', () => import('./costs.bench')],
  ['retention', () => import('./retention.bench')],
  ['costs-ui', () => import('./costs-ui.bench')],
  ['gates', () => import('./gates.bench')],
  ['replay', () => import('./replay.bench')],
  ['timeline-ui', () => import('./timeline-ui.bench')],
  ['operator', () => import('./operator.bench')],
];

async function main(filters: string[]): Promise<void> {
  const selected = MODULES.filter(
    ([name]) => !filters.length || filters.some((f) => name.includes(f)),
  );
  if (!selected.length) {
    console.error(`No benchmark module matches: ${filters.join(' ')}`);
    process.exitCode = 1;
    return;
  }
  const started = performance.now();
  const results: Array<BenchResult & { module: string }> = [];
  for (const [module, load] of selected) {
    console.error(`bench ${module} ...`);
    for (const result of await (await load()).run()) results.push({ module, ...result });
  }
  const seconds = (performance.now() - started) / 1000;

  const digits = (v: number) => (Math.abs(v) >= 100 ? 0 : 2);
  const format = (v: number) =>
    v.toLocaleString('en-US', {
      minimumFractionDigits: digits(v),
      maximumFractionDigits: digits(v),
    });
  const rows = results.map((r) => [
    `${r.module}: ${r.name}`,
    format(r.value),
    r.unit,
    r.note ?? '',
  ]);
  const width = (i: number) => Math.max(...rows.map((row) => row[i]?.length ?? 0));
  const [w0, w1, w2] = [width(0), width(1), width(2)];
  console.log();
  for (const [label = '', value = '', unit = '', note = ''] of rows)
    console.log(`${label.padEnd(w0)}  ${value.padStart(w1)} ${unit.padEnd(w2)}  ${note}`.trimEnd());
  console.log(`\n${results.length} figures in ${seconds.toFixed(1)} s`);

  // tsx runs this file as CommonJS (no import.meta): find results/ next to it through argv.
  const file = join(dirname(process.argv[1] ?? 'bench/run.ts'), 'results', 'latest.json');
  const meta = {
    at: new Date().toISOString(),
    seconds,
    node: process.version,
    cpus: cpus().length,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...meta, results }, null, 2)}\n`);
  console.log(`written ${file}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
