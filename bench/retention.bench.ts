/**
 * Retention: pruning 100,000 recorded chunks older than the cut-off (with 10,000 newer ones kept),
 * through the store's own prune: tombstones and drops in batches, then the blob file's space
 * handed back. Figures: the time of each phase, the bytes freed, the files before and after.
 *
 * BENCH_RETENTION_CHUNKS (default 100,000) and BENCH_RETENTION_CHUNK_BYTES (default 16,384: a
 * busy terminal's chunk is 64 KiB, a quiet one's a few hundred bytes) size it.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AuditStore, BlobWriter, pruneContent, type AppendInput } from '../src/main/core/store';
import { progress, withTempDir, type BenchResult } from './lib';

const CHUNKS = positive('BENCH_RETENTION_CHUNKS', 100_000);
const CHUNK_BYTES = positive('BENCH_RETENTION_CHUNK_BYTES', 16 * 1024);
const KEPT = Math.ceil(CHUNKS / 10);
const BATCH = 1_000;

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, not ${process.env[name]}`);
  return value;
}

export async function run(): Promise<BenchResult[]> {
  return withTempDir(async (home) => {
    const clock = { now: new Date('2026-01-10T12:00:00.000Z') };
    const store = AuditStore.open({ home, now: () => clock.now });
    const writer = BlobWriter.open(home);
    const base = randomBytes(CHUNK_BYTES);
    const record = (count: number, from: number) => {
      for (let at = 0; at < count; at += BATCH) {
        const contents = Array.from({ length: Math.min(BATCH, count - at) }, (_, i) => {
          const content = Buffer.from(base);
          content.writeUInt32LE(from + at + i, 0); // every chunk its own content
          return content;
        });
        const hashes = writer.putMany(contents);
        store.appendMany(
          hashes.map((hash, i): AppendInput => ({
            kind: 'terminal.output',
            actor: 'system',
            actorId: 'recorder',
            sessionId: `ses_${(Math.floor((from + at + i) / 10_000) + 1).toString(16).padStart(8, '0')}`,
            payload: { offset: 0, bytes: CHUNK_BYTES, frames: [[0, CHUNK_BYTES]] },
            storedBlobs: [hash],
          })),
        );
      }
    };
    progress(
      `recording ${CHUNKS.toLocaleString()} old chunks and ${KEPT.toLocaleString()} new ones of ${CHUNK_BYTES.toLocaleString()} B`,
    );
    record(CHUNKS, 0);
    clock.now = new Date('2026-03-10T12:00:00.000Z');
    record(KEPT, CHUNKS);
    writer.close();
    store.flushIndexes();

    progress('pruning');
    let tombstonesMs = 0;
    let batchStarted = performance.now();
    const report = await pruneContent(store, {
      before: new Date('2026-02-01T00:00:00.000Z'),
      reason: 'retention: older than 30 days',
      actor: 'system',
      actorId: 'retention',
      afterTombstones: () => {
        tombstonesMs += performance.now() - batchStarted;
      },
      pause: () =>
        new Promise((resolve) =>
          setImmediate(() => {
            batchStarted = performance.now();
            resolve();
          }),
        ),
    });
    const dropped = report.blobs;
    const blobFile = report.files.find((f) => f.name === 'paddock-blobs.db');
    const log = report.files.find((f) => f.name === 'paddock.db');
    const verified = store.verify();
    store.close();
    if (!verified.ok || verified.blobs.dropped !== CHUNKS)
      throw new Error(`verify after the prune: ${JSON.stringify(verified.problems[0])}`);
    const MiB = 1024 * 1024;
    const on = `${CHUNKS.toLocaleString()} chunks of ${CHUNK_BYTES.toLocaleString()} B`;
    return [
      { name: 'prune: total', value: report.durationMs / 1000, unit: 's', note: on },
      {
        name: 'prune: plan and tombstones (batches of 2,000)',
        value: tombstonesMs / 1000,
        unit: 's',
        note: `${Math.ceil(dropped / 2000)} transactions`,
      },
      {
        name: 'prune: content freed',
        value: report.bytes / MiB,
        unit: 'MiB',
        note: `${report.events.toLocaleString()} events`,
      },
      {
        name: 'prune: blob file before',
        value: (blobFile?.before ?? 0) / MiB,
        unit: 'MiB',
      },
      {
        name: 'prune: blob file after',
        value: (blobFile?.after ?? 0) / MiB,
        unit: 'MiB',
        note: blobFile?.space,
      },
      {
        name: 'prune: log grows by (tombstones)',
        value: ((log?.after ?? 0) - (log?.before ?? 0)) / MiB,
        unit: 'MiB',
        note: `${dropped.toLocaleString()} tombstones`,
      },
      { name: 'verify after prune', value: verified.durationMs / 1000, unit: 's' },
    ];
  });
}
