/**
 * What the credential broker costs a model call, in one run: a loopback upstream in its own process
 * (bench/proxy/origin.ts), and in this process the broker exactly as a session would run it (the
 * placeholder checked, the real key fetched and put in, the response scanned for the key). Each call
 * on a kept-alive connection, as agents make them; 500 interleaved rounds, then a 50 MiB response
 * streamed through the broker beside the same response direct.
 * Target: at most 2 ms added at p50.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ModelBroker, newPlaceholder } from '../src/main/core/broker';
import { createSessionCa } from '../src/main/core/proxy';
import { type BenchResult, percentile, progress, withTempDir } from './lib';

const ROUNDS = 500;
const BIG_MIB = 50;
const KEY = 'sk-ant-api03-bench-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH';

export async function run(): Promise<BenchResult[]> {
  return withTempDir(async (dir) => {
    const ca = await createSessionCa('bench origin');
    const leaf = await ca.leafFor('secure.test');
    writeFileSync(join(dir, 'o.crt'), leaf.cert);
    writeFileSync(join(dir, 'o.key'), leaf.key);
    const origin = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, 'proxy', 'origin.ts'),
        join(dir, 'o.crt'),
        join(dir, 'o.key'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      return await measure(dir, await portOf(origin));
    } finally {
      origin.kill('SIGKILL');
    }
  });
}

async function portOf(origin: ChildProcess): Promise<number> {
  const [line] = (await once(
    createInterface({ input: origin.stdout as NodeJS.ReadableStream }),
    'line',
  )) as [string];
  return (JSON.parse(line) as { http: number }).http;
}

async function measure(dir: string, port: number): Promise<BenchResult[]> {
  const placeholder = newPlaceholder('ANTHROPIC_API_KEY');
  let calls = 0;
  const broker = await ModelBroker.start({
    socketPath: join(dir, 'broker.sock'),
    upstreams: { anthropic: `http://127.0.0.1:${port}` },
    credentials: { anthropic: { placeholder, value: async () => KEY, header: 'x-api-key' } },
    onCall: () => void (calls += 1),
  });
  const direct = new Agent({ keepAlive: true, maxSockets: 1 });
  const viaBroker = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = {
    direct: (path: string) => get({ host: '127.0.0.1', port, path, agent: direct }),
    broker: (path: string) =>
      get({
        socketPath: join(dir, 'broker.sock'),
        path: `/anthropic${path}`,
        headers: { 'x-api-key': placeholder },
        agent: viaBroker,
      }),
  };
  try {
    for (let i = 0; i < 50; i++) await Promise.all([call.direct('/small'), call.broker('/small')]);
    const samples = { direct: [] as number[], broker: [] as number[] };
    for (let round = 0; round < ROUNDS; round++)
      for (const way of ['direct', 'broker'] as const) {
        const started = performance.now();
        await call[way]('/small');
        samples[way].push(performance.now() - started);
      }
    progress(`${ROUNDS} interleaved calls each way; ${calls} recorded by the broker`);
    const mib = { direct: [] as number[], broker: [] as number[] };
    for (let run = 0; run < 3; run++)
      for (const way of ['direct', 'broker'] as const) {
        const started = performance.now();
        const bytes = await call[way](`/big?mb=${BIG_MIB}`);
        mib[way].push(bytes / 1024 / 1024 / ((performance.now() - started) / 1000));
      }
    const p = (way: 'direct' | 'broker', q: number) => percentile(samples[way], q);
    return [
      { name: 'model call direct, kept-alive connection, p50', value: p('direct', 50), unit: 'ms' },
      {
        name: 'the broker adds, p50',
        value: p('broker', 50) - p('direct', 50),
        unit: 'ms',
        note: 'target ≤ 2 ms',
      },
      { name: 'the broker adds, p99', value: p('broker', 99) - p('direct', 99), unit: 'ms' },
      {
        name: `${BIG_MIB} MiB response through the broker (scanned for the key)`,
        value: percentile(mib.broker, 50) / percentile(mib.direct, 50),
        unit: '× direct',
        note: `direct ${percentile(mib.direct, 50).toFixed(0)} MiB/s`,
      },
    ];
  } finally {
    direct.destroy();
    viaBroker.destroy();
    await broker.close();
  }
}

/** GET and drain; resolves with the body's size. */
function get(options: RequestOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ method: 'GET', ...options }, (res) => {
      let size = 0;
      res.on('data', (chunk: Buffer) => (size += chunk.length));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(size) : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
