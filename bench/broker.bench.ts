/**
 * What the credential broker costs a model call, in one run: a loopback upstream in its own process
 * (bench/proxy/origin.ts), and in this process the broker exactly as a session would run it (the
 * placeholder checked, the real key fetched and put in, the response scanned for the key). Each call
 * on a kept-alive connection, as agents make them; 500 interleaved rounds, then a 50 MiB response
 * streamed through the broker beside the same response direct.
 * Then what costs and budgets add to a streamed Anthropic message call: the same broker with the
 * budget check before the call (request read whole, previewed, worst case priced, spend summed
 * from a store holding 10,000 earlier calls) and the meter after (usage read from the stream,
 * priced, written as a `cost.usage` event with its fsync), beside the broker without them.
 * Target: at most 2 ms added at p50.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { JsonObject } from '../src/shared/audit';
import { USAGE_EVENT } from '../src/shared/costs';
import { meteredUsage } from '../src/main/model-costs';
import { BudgetService } from '../src/main/core/budgets';
import {
  ModelBroker,
  newPlaceholder,
  type BrokerCallRecord,
  type CallPreview,
} from '../src/main/core/broker';
import { createUsageMeter, estimateInputTokens, PriceTable } from '../src/main/core/costs';
import { AuditStore } from '../src/main/core/store';
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
    const metering = await measureMetering(dir, port, placeholder);
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
      ...metering,
    ];
  } finally {
    direct.destroy();
    viaBroker.destroy();
    await broker.close();
  }
}

const MESSAGE_BODY = JSON.stringify({
  model: 'claude-sonnet-4-5',
  max_tokens: 8192,
  stream: true,
  messages: [{ role: 'user', content: 'x'.repeat(40_000) }],
});

/** A streamed message call through a plain broker and through one with budgets and metering. */
async function measureMetering(
  dir: string,
  port: number,
  placeholder: string,
): Promise<BenchResult[]> {
  const store = AuditStore.open({ home: join(dir, 'store') });
  const prices = PriceTable.bundled();
  // Earlier calls on the record: the budget check sums them.
  const earlier = Array.from({ length: 10_000 }, (_, i) => ({
    kind: USAGE_EVENT,
    actor: 'system' as const,
    actorId: 'bench',
    sessionId: `ses_${i % 50}`,
    payload: {
      source: 'metered',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      tokens: { input: 1000, output: 100, cacheWrite: 0, cacheRead: 0 },
      costUsd: 0.0045,
      pricedAs: 'claude-sonnet-4-5',
      requestId: `req_${i}`,
      messageId: `msg_${i}`,
      at: new Date().toISOString(),
      latencyMs: 10,
    },
  }));
  store.appendMany(earlier);
  store.flushIndexes();
  const budgets = new BudgetService({
    store,
    limits: async () => ({ session: 1000, project: 5000, day: 10_000 }),
    projectOf: () => '/bench',
    sessionsOf: () => Array.from({ length: 50 }, (_, i) => `ses_${i}`),
    approvals: {
      request: () => {
        throw new Error('no hold expected');
      },
      allowedBefore: () => null,
    },
    stop: () => undefined,
  });
  const context = { sessionId: 'ses_0', projectPath: '/bench', agent: 'claude' };
  // As Paddock records a call (model-costs.ts), in the bench's one session.
  const recordCall = (record: BrokerCallRecord): void => {
    const event = meteredUsage(record, prices);
    if (!event) return;
    const payload = event as unknown as JsonObject;
    store.append({
      kind: USAGE_EVENT,
      actor: 'system',
      actorId: 'broker',
      sessionId: 'ses_0',
      payload,
    });
  };
  const credentials = {
    anthropic: { placeholder, value: async () => KEY, header: 'x-api-key' as const },
  };
  const upstreams = { anthropic: `http://127.0.0.1:${port}` };
  let metered = 0;
  const plain = await ModelBroker.start({
    socketPath: join(dir, 'plain.sock'),
    upstreams,
    credentials,
    onCall: () => undefined,
  });
  const costed = await ModelBroker.start({
    socketPath: join(dir, 'costed.sock'),
    upstreams,
    credentials,
    admit: async (preview: CallPreview) =>
      budgets.admit(context, {
        provider: preview.provider,
        model: preview.model,
        worstCaseUsd: prices.worstCase(
          preview.model ?? '',
          estimateInputTokens(preview.bodyBytes),
          preview.maxOutputTokens ?? 0,
        ),
      }),
    meter: createUsageMeter,
    onCall: (record) => {
      if (record.usage) metered += 1;
      recordCall(record);
    },
  });
  const agents = {
    plain: new Agent({ keepAlive: true, maxSockets: 1 }),
    costed: new Agent({ keepAlive: true, maxSockets: 1 }),
  };
  const post = (way: 'plain' | 'costed') =>
    send(
      {
        method: 'POST',
        socketPath: join(dir, `${way}.sock`),
        path: '/anthropic/v1/messages',
        headers: { 'x-api-key': placeholder, 'content-type': 'application/json' },
        agent: agents[way],
      },
      MESSAGE_BODY,
    );
  try {
    for (let i = 0; i < 50; i++) await Promise.all([post('plain'), post('costed')]);
    const samples = { plain: [] as number[], costed: [] as number[] };
    for (let round = 0; round < ROUNDS; round++)
      for (const way of ['plain', 'costed'] as const) {
        const started = performance.now();
        await post(way);
        samples[way].push(performance.now() - started);
      }
    if (metered < ROUNDS) throw new Error(`only ${metered} calls were metered, not ${ROUNDS}+`);
    progress(`${ROUNDS} streamed message calls each way; ${metered} metered and priced`);
    const q = (way: 'plain' | 'costed', at: number) => percentile(samples[way], at);
    return [
      {
        name: 'budget check + metering add to a message call, p50',
        value: q('costed', 50) - q('plain', 50),
        unit: 'ms',
        note: `40 KB request; beside the broker alone (${q('plain', 50).toFixed(2)} ms)`,
      },
      {
        name: 'budget check + metering add to a message call, p99',
        value: q('costed', 99) - q('plain', 99),
        unit: 'ms',
      },
    ];
  } finally {
    agents.plain.destroy();
    agents.costed.destroy();
    await plain.close();
    await costed.close();
    store.close();
  }
}

/** Sends a body and drains the answer; resolves with its size. */
function send(options: RequestOptions, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let size = 0;
      res.on('data', (chunk: Buffer) => (size += chunk.length));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(size) : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** GET and drain; resolves with the body's size. */
function get(options: RequestOptions): Promise<number> {
  return send({ method: 'GET', ...options });
}
