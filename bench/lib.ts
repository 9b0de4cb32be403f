/** What every benchmark module returns, and the few helpers they share. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** A target ("target ≥ 0.5") or what the figure is measured on. */
  note?: string;
}

/** A benchmark module: `bench/run.ts` imports it and calls `run`. */
export interface BenchModule {
  run(): Promise<BenchResult[]>;
}

/** Progress for the person watching; stdout is kept for the figures table. */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

/** Runs `work` in a fresh directory under the OS temp dir and removes it afterwards. */
export async function withTempDir<T>(work: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-bench-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Nearest-rank percentile of a list of samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Items per second for `count` items that took `ms` milliseconds. */
export function perSecond(count: number, ms: number): number {
  return (count / ms) * 1000;
}
