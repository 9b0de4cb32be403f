/**
 * What the session proxy costs, in one run: a loopback origin (its own process), a client (its own
 * process) and, in this process, a session's network exactly as Paddock opens it (NetworkService:
 * the policy decides, the audit store records every connection). Per request, each on a new
 * connection, interleaved:
 *   - direct HTTP, and a CONNECT tunnel through the proxy's socket and through socat (the bridge
 *     a sandbox uses), carrying the same request;
 *   - direct HTTPS, and HTTPS inspected by the proxy (TLS terminated with the session's CA), and
 *     inspected with a vault secret bound to the origin (the broker's guard adds the header and
 *     scans the response for the value).
 * Then the throughput of a 100 MiB download, direct, tunnelled and inspected: on loopback (as fast as
 * this machine copies), and paced at the origin like a fast real link (100 MiB/s).
 * Targets: at most 1 ms added at p50 for plain CONNECT, at least 0.7x the direct throughput.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ApprovalService } from '../src/main/core/approvals';
import { BrokerService } from '../src/main/core/broker';
import { makeRepository } from '../src/main/core/git/testing';
import { NetworkService, PROXY_PORT } from '../src/main/core/network';
import { PolicyService } from '../src/main/core/policy';
import { createSessionCa } from '../src/main/core/proxy';
import { SettingsService } from '../src/main/core/settings';
import { AuditStore } from '../src/main/core/store';
import { type BenchResult, percentile, progress, withTempDir } from './lib';

const ROUNDS = 300;
const BIG_MIB = 100;
const THROUGHPUT_RUNS = 3;
/** A fast real link (about 1 Gbit/s): the download is paced at the origin. */
const PACE_MIB_S = 100;
const PACED_MIB = 50;
const person = { actor: 'person' as const, actorId: 'bench' };
const children: ChildProcess[] = [];

interface Samples {
  latency: Record<string, number[]>;
  throughput: Record<string, number[]>;
  paced: Record<string, number[]>;
}

export async function run(): Promise<BenchResult[]> {
  return withTempDir(async (dir) => {
    try {
      return figures(await measure(dir));
    } finally {
      for (const child of children.splice(0)) child.kill('SIGKILL');
    }
  });
}

async function measure(dir: string): Promise<Samples> {
  const originCa = await createSessionCa('bench origin');
  const leaf = await originCa.leafFor('secure.test');
  writeFileSync(join(dir, 'origin.crt'), leaf.cert);
  writeFileSync(join(dir, 'origin.key'), leaf.key);
  const origin = async () =>
    JSON.parse(
      await firstLine(tsx('origin.ts', [join(dir, 'origin.crt'), join(dir, 'origin.key')])),
    ) as { http: number; https: number };
  const ports = await origin();
  // The same origin again, on its own port: the one a vault secret is bound to.
  const keyed = (await origin()).https;

  const store = AuditStore.open({ home: join(dir, 'home') });
  const settings = new SettingsService(store);
  settings.set(
    'policy.personal',
    [
      'version: 1',
      'permissions:',
      `  allow: ["Network(plain.test:${ports.http})", "Network(secure.test:${ports.https})", "Network(secure.test:${keyed})", "Network(127.0.0.1)"]`,
      'network:',
      '  inspect: [secure.test]',
      '',
    ].join('\n'),
    person,
  );
  const project = join(dir, 'project');
  mkdirSync(project);
  makeRepository(project, { 'README.md': '# bench\n' });
  const network = await new NetworkService({
    store,
    policies: new PolicyService(settings),
    approvals: new ApprovalService(store, settings),
    modelBaseUrl: () => '',
    resolve: async () => ['127.0.0.1'],
    upstreamCa: [originCa.certPem],
    flushMs: Number(process.env.FLUSH_MS ?? 20),
    credentials: (sessionId) =>
      new BrokerService({
        secrets: () => [
          {
            name: 'BENCH_TOKEN',
            hosts: [`secure.test:${keyed}`],
            header: 'Authorization: Bearer {}',
          },
        ],
        // The vault reuses a value it read (bench: vault); the keychain is not what is measured.
        value: async () => 'bench-token-0123456789abcdef0123456789abcdef',
        upstreams: () => ({}),
        record: () => undefined,
      }).credentials(sessionId),
  }).open({
    sessionId: 'ses_0bec0bec',
    projectPath: project,
    agent: 'shell',
    baseCommit: 'HEAD',
    processes: () => [],
  });
  try {
    const proxySocket = network.bridges.find((b) => b.port === PROXY_PORT)?.socket ?? '';
    const bridgePort = await freePort();
    children.push(
      spawn(
        'socat',
        [
          `TCP-LISTEN:${bridgePort},bind=127.0.0.1,reuseaddr,fork${process.env.SOCAT_OPTS ?? ''}`,
          `UNIX-CONNECT:${proxySocket}`,
        ],
        {
          stdio: 'ignore',
        },
      ),
    );
    await waitForPort(bridgePort);
    const sessionCa = network.env.NODE_EXTRA_CA_CERTS ?? '';
    progress(
      `${ROUNDS} interleaved rounds of six request paths, then ${THROUGHPUT_RUNS}× ${BIG_MIB} MiB`,
    );
    const config = {
      proxySocket,
      bridgePort,
      httpPort: ports.http,
      httpsPort: ports.https,
      keyedPort: keyed,
      sessionCa: readFileSync(sessionCa, 'utf8'),
      originCa: originCa.certPem,
      rounds: ROUNDS,
      bigMiB: BIG_MIB,
      throughputRuns: THROUGHPUT_RUNS,
      pacedMiB: PACED_MIB,
      paceMiBps: PACE_MIB_S,
    };
    const samples = JSON.parse(
      await lastLine(tsx('client.ts', [JSON.stringify(config)])),
    ) as Samples;
    const recorded = store.list({ limit: 100_000 }).filter((e) => e.kind === 'network.connection');
    progress(`${recorded.length} connections recorded in the audit store`);
    // The injected path must have had the secret put in, or its figures measured nothing.
    const injected = store
      .list({ limit: 100_000 })
      .filter(
        (e) => e.kind === 'network.request' && e.payload.guard === 'BENCH_TOKEN: header added',
      );
    if (injected.length < ROUNDS)
      throw new Error(`only ${injected.length} requests had the secret put in, not ${ROUNDS}+`);
    progress(`${injected.length} requests had the vault secret put in by the broker's guard`);
    return samples;
  } finally {
    await network.close();
    store.close();
  }
}

function figures({ latency, throughput, paced }: Samples): BenchResult[] {
  const p = (name: string, q: number) => percentile(latency[name] ?? [], q);
  const added = (name: string, base: string, q: number) => p(name, q) - p(base, q);
  const median = (name: string) => percentile(throughput[name] ?? [], 50);
  const ms = (name: string, value: number, note?: string): BenchResult => ({
    name,
    value,
    unit: 'ms',
    ...(note ? { note } : {}),
  });
  return [
    ms('direct HTTP request, new connection, p50', p('directHttp', 50)),
    ms('CONNECT + request through the proxy socket, p50', p('tunnelSocket', 50)),
    ms(
      'plain CONNECT adds (socket), p50',
      added('tunnelSocket', 'directHttp', 50),
      'target ≤ 1 ms',
    ),
    ms('plain CONNECT adds (socket), p99', added('tunnelSocket', 'directHttp', 99)),
    ms(
      'plain CONNECT adds (socat bridge, as in the sandbox), p50',
      added('tunnelBridge', 'directHttp', 50),
    ),
    ms('plain CONNECT adds (socat bridge), p99', added('tunnelBridge', 'directHttp', 99)),
    ms('direct HTTPS request, new connection, p50', p('directHttps', 50)),
    ms('inspected HTTPS adds (socket), p50', added('inspectedSocket', 'directHttps', 50)),
    ms('inspected HTTPS adds (socket), p99', added('inspectedSocket', 'directHttps', 99)),
    ms(
      'a vault secret put in adds, beyond inspection, p50',
      added('injectedSocket', 'inspectedSocket', 50),
    ),
    ms(
      'a vault secret put in adds, beyond inspection, p99',
      added('injectedSocket', 'inspectedSocket', 99),
    ),
    { name: `${BIG_MIB} MiB direct HTTP`, value: median('directHttp'), unit: 'MiB/s' },
    {
      name: `${BIG_MIB} MiB through a CONNECT tunnel`,
      value: median('tunnelSocket') / median('directHttp'),
      unit: '× direct',
      note: 'target ≥ 0.7',
    },
    { name: `${BIG_MIB} MiB direct HTTPS`, value: median('directHttps'), unit: 'MiB/s' },
    {
      name: `${BIG_MIB} MiB inspected HTTPS`,
      value: median('inspectedSocket') / median('directHttps'),
      unit: '× direct',
      note: 'target ≥ 0.7',
    },
    {
      name: `${BIG_MIB} MiB inspected HTTPS with a secret put in (response scanned)`,
      value: median('injectedSocket') / median('directHttps'),
      unit: '× direct',
    },
    {
      name: `${PACED_MIB} MiB at a ${PACE_MIB_S} MiB/s link, CONNECT tunnel`,
      value: percentile(paced.tunnelSocket ?? [], 50) / percentile(paced.directHttp ?? [], 50),
      unit: '× direct',
    },
    {
      name: `${PACED_MIB} MiB at a ${PACE_MIB_S} MiB/s link, inspected HTTPS`,
      value: percentile(paced.inspectedSocket ?? [], 50) / percentile(paced.directHttps ?? [], 50),
      unit: '× direct',
    },
  ];
}

function tsx(script: string, args: string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'proxy', script), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return child;
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await once(lines, 'line')) as [string];
  return line;
}

async function lastLine(child: ChildProcess): Promise<string> {
  let last = '';
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lines.on('line', (line: string) => (last = line));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the benchmark client failed (exit ${code})`);
  return last;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
      socket.once('connect', () => socket.destroy());
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`socat did not listen on ${port}`);
}
