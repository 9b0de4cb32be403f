/**
 * Terminal recording: a child prints 100 MB of realistic terminal output (text, ANSI colours and
 * cursor codes, URLs, UTF-8; no secrets) through node-pty. Measured, in interleaved rounds:
 * (a) a raw node-pty read that only counts the bytes, (b) the same read feeding a TerminalRecorder
 * (redaction and storage on the recording thread, every event in the audit store when `close`
 * resolves), (c) the same read stored in 64 KiB blobs without
 * redaction, on the main thread: what Paddock did before the recording thread, for comparison. Each from the first byte to the end of the stream.
 * Then checks the recording is complete: same byte count and SHA-256 as what the pty delivered.
 *
 * BENCH_RECORDER_MB sets the size (default 100) for quick trial runs.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node-pty';
import type { AuditEvent } from '../src/shared/audit';
import { RecordingThread, Redactor, TerminalRecorder } from '../src/main/core/recorder';
import { AuditStore, type AppendInput } from '../src/main/core/store';
import { percentile, progress, withTempDir, type BenchResult } from './lib';

const MEGABYTES = Number(process.env.BENCH_RECORDER_MB ?? 100);
if (!Number.isFinite(MEGABYTES) || MEGABYTES <= 0)
  throw new Error(
    `BENCH_RECORDER_MB must be a positive number, not ${process.env.BENCH_RECORDER_MB}`,
  );
const TOTAL_BYTES = Math.round(MEGABYTES * 1e6);
const ROUNDS = 3;
const SESSION = 'bench-session';
/** Vault values the recorder redacts (absent from the output: the stream must come back intact). */
const KNOWN_VALUES = Array.from(
  { length: 10 },
  (_, i) => `vault-${i}-c2VjcmV0LXZhbHVl-${i * 7919}`,
);

/**
 * The child: builds ~4 MB of varied terminal output once (seeded, so every run prints the same
 * bytes), then writes it until TOTAL_BYTES are out. Lines end in \n; the pty makes them \r\n.
 */
const CHILD = String.raw`
const total = Number(process.argv[1]);
let seed = 42;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const pick = (items) => items[Math.floor(random() * items.length)];
const hex = (n) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
const color = (code, text) => '\x1b[' + code + 'm' + text + '\x1b[0m';
const paths = ['src/main/core/store/store.ts', 'src/renderer/App.tsx', 'node_modules/.bin/vitest', 'packages/api/src/index.ts', 'docs/日本語/README.md'];
const words = ['compiling', 'bundle', 'resolved', 'warning', 'cache', 'fetch', 'module', 'token', 'account', 'secret', 'config', 'ready', 'λ', '✓', '→', 'über'];
const lines = [
  () => color('32', ' ✓ ') + pick(paths) + color('2', ' (' + Math.floor(random() * 900) + ' ms)'),
  () => color('31;1', ' FAIL ') + pick(paths) + ' > ' + pick(words) + ' ' + pick(words),
  () => 'commit ' + hex(40) + '\nAuthor: Ada <ada@example.com>\n\n    ' + pick(words) + ' ' + pick(words) + ' ' + pick(words),
  () => '\x1b[2K\x1b[1G' + color('36', '[' + '#'.repeat(Math.floor(random() * 30)) + ']') + ' ' + Math.floor(random() * 100) + '% ' + pick(words),
  () => 'GET https://registry.example.com/' + pick(words) + '/-/' + hex(8) + '.tgz ' + color('33', String(200 + Math.floor(random() * 3)) + ''),
  () => JSON.stringify({ level: pick(['info', 'debug', 'warn']), msg: pick(words) + ' ' + pick(words), id: hex(12), ms: Math.floor(random() * 1000) }),
  () => '\x1b[' + (1 + Math.floor(random() * 40)) + ';1H' + pick(words) + '\x1b[1C' + pick(words) + '\x1b[K',
  () => '│ ' + pick(paths).padEnd(40) + ' │ ' + String(Math.floor(random() * 1e5)).padStart(8) + ' │',
  () => Array.from({ length: 12 }, () => pick(words)).join(' '),
];
let text = '';
while (text.length < 4_000_000) text += pick(lines)() + '\n';
const block = Buffer.from(text);
const fs = require('fs');
for (let left = total; left > 0; ) {
  const piece = left >= block.length ? block : block.subarray(0, left);
  for (let written = 0; written < piece.length; ) {
    try { written += fs.writeSync(1, piece, written); }
    catch (error) { if (error.code !== 'EAGAIN') throw error; }
  }
  left -= piece.length;
}
`;

interface Run {
  bytes: number;
  ms: number;
  sha256?: string;
  chunks?: Buffer[];
}

interface Rates {
  raw: number[];
  recorded: number[];
  storeOnly: number[];
  ratio: number[];
  storeOnlyRatio: number[];
}

export async function run(): Promise<BenchResult[]> {
  progress(`reference run: ${MEGABYTES} MB through node-pty, hashed`);
  const reference = await readPty({ keep: true });
  const chunks = reference.chunks ?? [];
  progress(`${reference.bytes.toLocaleString()} bytes in ${chunks.length.toLocaleString()} reads`);
  const rates: Rates = { raw: [], recorded: [], storeOnly: [], ratio: [], storeOnlyRatio: [] };
  let complete = true;
  // Interleaved rounds, medians: the machine is shared and its speed drifts.
  for (let round = 1; round <= ROUNDS; round++) {
    complete = (await measureRound(rates, reference)) && complete;
    progress(
      `round ${round}/${ROUNDS}: raw ${last(rates.raw)} MB/s, recorded ${last(rates.recorded)} MB/s (×${last(rates.ratio)}), store only ${last(rates.storeOnly)} MB/s (×${last(rates.storeOnlyRatio)})`,
    );
  }
  return results(rates, reference, complete, redactInMemory(chunks));
}

const last = (values: number[]) => (values.at(-1) as number).toFixed(2);

/** One raw read, one recorded, one stored without redaction; false if the recording is not exact. */
async function measureRound(rates: Rates, reference: Run): Promise<boolean> {
  const raw = megabytesPerSecond(await readPty({}));
  const recorded = await recordPty();
  const storeOnly = megabytesPerSecond(await storePty());
  rates.raw.push(raw);
  rates.recorded.push(megabytesPerSecond(recorded));
  rates.storeOnly.push(storeOnly);
  rates.ratio.push(megabytesPerSecond(recorded) / raw);
  rates.storeOnlyRatio.push(storeOnly / raw);
  // Complete: the store holds exactly what the pty delivered in that run.
  const { delivered } = recorded;
  if (delivered.sha256 !== reference.sha256)
    progress(
      `  (the pty delivered ${delivered.bytes} bytes, not the reference's ${reference.bytes})`,
    );
  const intact = recorded.bytes === delivered.bytes && recorded.sha256 === delivered.sha256;
  if (!intact) progress('  INCOMPLETE recording');
  return intact;
}

function results(
  rates: Rates,
  reference: Run,
  complete: boolean,
  redactor: { ptySized: number; batched: number },
): BenchResult[] {
  const median = (values: number[]) => percentile(values, 50);
  const on = `${(reference.bytes / 1e6).toFixed(1)} MB through node-pty; median of ${ROUNDS}`;
  return [
    { name: 'raw node-pty read', value: median(rates.raw), unit: 'MB/s', note: on },
    {
      name: 'pty → recorder (redaction + store)',
      value: median(rates.recorded),
      unit: 'MB/s',
      note: `${KNOWN_VALUES.length} known values; recording thread; all stored at close`,
    },
    { name: 'recorded / raw', value: median(rates.ratio), unit: '×', note: 'target ≥ 0.7' },
    {
      name: 'recording complete (bytes and SHA-256 equal)',
      value: complete ? 1 : 0,
      unit: 'bool',
      note: `${reference.bytes.toLocaleString()} bytes, sha256 ${reference.sha256?.slice(0, 16)}…`,
    },
    {
      name: 'pty → store on the main thread, no redaction',
      value: median(rates.storeOnly),
      unit: 'MB/s',
      note: '64 KiB blobs, 4 MiB commits: the design before the recording thread',
    },
    { name: 'main-thread store / raw', value: median(rates.storeOnlyRatio), unit: '×' },
    {
      name: 'redactor alone, pty-sized writes',
      value: redactor.ptySized,
      unit: 'MB/s',
      note: 'in memory, same reads',
    },
    {
      name: 'redactor alone, 64 KiB writes',
      value: redactor.batched,
      unit: 'MB/s',
      note: 'in memory (the recorder batches)',
    },
  ];
}

function megabytesPerSecond(run: Run): number {
  return run.bytes / 1e6 / (run.ms / 1000);
}

/** Spawns the child in a pty and hands every read to `onData`; resolves at the end of the stream. */
function spawnChild(onData: (data: Buffer) => void): Promise<{ firstByteAt: number }> {
  return new Promise((resolve) => {
    let firstByteAt = 0;
    const pty = spawn(process.execPath, ['-e', CHILD, String(TOTAL_BYTES)], {
      name: 'xterm-256color',
      cols: 120,
      rows: 40,
      encoding: null, // bytes, as the recorder stores them
    });
    // With `encoding: null` node-pty hands over Buffers; its typings only know strings.
    pty.onData((data: string | Buffer) => {
      firstByteAt ||= performance.now();
      onData(data as Buffer);
    });
    pty.onExit(() => resolve({ firstByteAt }));
  });
}

async function readPty({ keep = false }: { keep?: boolean }): Promise<Run> {
  const chunks: Buffer[] = [];
  const hash = keep ? createHash('sha256') : null;
  let bytes = 0;
  const { firstByteAt } = await spawnChild((data) => {
    bytes += data.length;
    if (hash) {
      hash.update(data);
      chunks.push(data);
    }
  });
  const ms = performance.now() - firstByteAt;
  return { bytes, ms, sha256: hash?.digest('hex'), chunks };
}

/** Records a run; also keeps what the pty delivered (hashed after the clock stops). */
function recordPty(): Promise<Run & { delivered: { bytes: number; sha256: string } }> {
  return withTempDir(async (home) => {
    const store = AuditStore.open({ home });
    // Started as a session starts it: just before the agent (a running Paddock has it already).
    const thread = RecordingThread.start(store);
    try {
      const recorder = new TerminalRecorder({
        thread,
        sessionId: SESSION,
        cols: 120,
        rows: 40,
        knownValues: KNOWN_VALUES,
      });
      const delivered: Buffer[] = [];
      const { firstByteAt } = await spawnChild((data) => {
        delivered.push(data);
        recorder.output(data);
      });
      await recorder.close();
      const ms = performance.now() - firstByteAt;
      return { ms, ...recordedStream(store), delivered: digest(delivered) };
    } finally {
      await thread.close();
      store.close();
    }
  });
}

function digest(chunks: readonly Buffer[]): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return {
    bytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
    sha256: hash.digest('hex'),
  };
}

/** The same reads stored as the recorder would, without redaction: what the store alone costs. */
function storePty(): Promise<Run> {
  return withTempDir(async (home) => {
    const store = AuditStore.open({ home });
    try {
      const pending: AppendInput[] = [];
      let batch: Buffer[] = [];
      let batched = 0;
      const chunk = () => {
        pending.push({
          kind: 'terminal.output',
          actor: 'system',
          actorId: 'bench',
          sessionId: SESSION,
          blobs: [Buffer.concat(batch)],
        });
        [batch, batched] = [[], 0];
        if (pending.length === 64) store.appendMany(pending.splice(0));
      };
      let bytes = 0;
      const { firstByteAt } = await spawnChild((data) => {
        bytes += data.length;
        batch.push(data);
        if ((batched += data.length) >= 64 * 1024) chunk();
      });
      if (batched > 0) chunk();
      store.appendMany(pending);
      return { bytes, ms: performance.now() - firstByteAt };
    } finally {
      store.close();
    }
  });
}

/** The recorded output read back from the store: byte count and SHA-256 of the whole stream. */
function recordedStream(store: AuditStore): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  let bytes = 0;
  let after = 0;
  for (;;) {
    const page: AuditEvent[] = store.list({ sessionId: SESSION, afterSeq: after, limit: 10_000 });
    if (page.length === 0) break;
    for (const event of page) {
      if (event.kind === 'redaction.applied')
        throw new Error('The benchmark output has no secrets.');
      if (event.kind !== 'terminal.output') continue;
      const blob = store.getBlob(event.blobs[0] ?? '');
      if (!blob) throw new Error(`Missing blob in event ${event.id}`);
      hash.update(blob);
      bytes += blob.length;
    }
    after = (page.at(-1) as AuditEvent).seq;
  }
  return { bytes, sha256: hash.digest('hex') };
}

function redactInMemory(chunks: readonly Buffer[]): { ptySized: number; batched: number } {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const time = (pieces: readonly Buffer[]) => {
    const redactor = new Redactor({ knownValues: KNOWN_VALUES });
    const start = performance.now();
    for (const piece of pieces) redactor.write(piece);
    redactor.flush();
    return total / 1e6 / ((performance.now() - start) / 1000);
  };
  const whole = Buffer.concat(chunks);
  const batches: Buffer[] = [];
  for (let i = 0; i < whole.length; i += 64 * 1024) batches.push(whole.subarray(i, i + 64 * 1024));
  time(batches.slice(0, 100)); // warm-up
  return { ptySized: time(chunks), batched: time(batches) };
}
