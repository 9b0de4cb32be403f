/**
 * The client side of the proxy benchmark, in a process of its own so its work does not share the
 * proxy's event loop. Each request opens a new connection, as a command-line tool would. Rounds are
 * interleaved (direct, through the proxy's socket, through the bridge, ...), so the machine's
 * drift touches every path alike. Prints the samples as JSON. argv: one JSON config.
 */
import { once } from 'node:events';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { performance } from 'node:perf_hooks';

interface Config {
  proxySocket: string;
  bridgePort: number;
  httpPort: number;
  httpsPort: number;
  /** A second HTTPS origin, whose port a vault secret is bound to: the broker puts it in. */
  keyedPort: number;
  /** The session CA (the proxy's leaves) and the origin's own CA. */
  sessionCa: string;
  originCa: string;
  rounds: number;
  bigMiB: number;
  throughputRuns: number;
  pacedMiB: number;
  paceMiBps: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const PLAIN_HOST = 'plain.test';
const SECURE_HOST = 'secure.test';

type Dial = () => Socket;
const viaSocket: Dial = () => connectTcp(config.proxySocket);
const viaBridge: Dial = () => connectTcp(config.bridgePort, '127.0.0.1');

/** Opens a CONNECT tunnel through the proxy and resolves with the raw socket once it is up. */
async function tunnel(dial: Dial, host: string, port: number): Promise<Socket> {
  const socket = dial();
  socket.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
  let head = '';
  // Read by hand: leaving a for-await loop early would destroy the socket.
  while (!head.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    head += chunk.toString('latin1');
  }
  if (!head.startsWith('HTTP/1.1 200'))
    throw new Error(`CONNECT refused: ${head.split('\r\n')[0]}`);
  return socket;
}

/**
 * GET `path` over an open connection (or a new one to the plain port) and reads the response to
 * its end (`Connection: close`); returns the body's size. Raw HTTP/1.1, the same on every path.
 */
async function get(options: {
  host: string;
  port: number;
  path: string;
  connection?: () => Socket;
}): Promise<number> {
  const socket = options.connection?.() ?? connectTcp(options.port, '127.0.0.1');
  socket.write(
    `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\nConnection: close\r\n\r\n`,
  );
  let head = '';
  let size = 0;
  for await (const chunk of socket) {
    const data = chunk as Buffer;
    if (head.includes('\r\n\r\n')) {
      size += data.length;
      continue;
    }
    head += data.toString('latin1');
    const end = head.indexOf('\r\n\r\n');
    if (end !== -1) size += Buffer.byteLength(head.slice(end + 4), 'latin1');
  }
  if (!head.startsWith('HTTP/1.1 200')) throw new Error(head.split('\r\n')[0] ?? 'no response');
  return size;
}

async function secureOver(
  socket: Socket | null,
  ca: string,
  port = config.httpsPort,
): Promise<Socket> {
  const tls = connectTls({
    ...(socket ? { socket } : { host: '127.0.0.1', port }),
    servername: SECURE_HOST,
    ca,
    ALPNProtocols: ['http/1.1'],
  });
  await once(tls, 'secureConnect');
  return tls;
}

const paths = {
  directHttp: (path: string) => get({ host: PLAIN_HOST, port: config.httpPort, path }),
  tunnelSocket: async (path: string) => {
    const socket = await tunnel(viaSocket, PLAIN_HOST, config.httpPort);
    return get({ host: PLAIN_HOST, port: config.httpPort, path, connection: () => socket });
  },
  tunnelBridge: async (path: string) => {
    const socket = await tunnel(viaBridge, PLAIN_HOST, config.httpPort);
    return get({ host: PLAIN_HOST, port: config.httpPort, path, connection: () => socket });
  },
  directHttps: async (path: string) => {
    const tls = await secureOver(null, config.originCa);
    return get({ host: SECURE_HOST, port: config.httpsPort, path, connection: () => tls });
  },
  inspectedSocket: async (path: string) => {
    const raw = await tunnel(viaSocket, SECURE_HOST, config.httpsPort);
    const tls = await secureOver(raw, config.sessionCa);
    return get({ host: SECURE_HOST, port: config.httpsPort, path, connection: () => tls });
  },
  injectedSocket: async (path: string) => {
    const raw = await tunnel(viaSocket, SECURE_HOST, config.keyedPort);
    const tls = await secureOver(raw, config.sessionCa, config.keyedPort);
    return get({ host: SECURE_HOST, port: config.keyedPort, path, connection: () => tls });
  },
};
type PathName = keyof typeof paths;

async function main(): Promise<void> {
  const names = Object.keys(paths) as PathName[];
  const latency = Object.fromEntries(names.map((name) => [name, [] as number[]]));
  // Warm-up: first connections pay for JIT, TLS session set-up and the proxy's leaf.
  for (const name of names)
    for (let i = 0; i < 20; i++)
      await paths[name]('/small').catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
  for (let round = 0; round < config.rounds; round++)
    for (const name of names) {
      const started = performance.now();
      await paths[name]('/small');
      latency[name]?.push(performance.now() - started);
    }
  const throughput = Object.fromEntries(
    (
      ['directHttp', 'tunnelSocket', 'directHttps', 'inspectedSocket', 'injectedSocket'] as const
    ).map((name) => [name, [] as number[]]),
  );
  for (let run = 0; run < config.throughputRuns; run++)
    for (const name of Object.keys(throughput) as PathName[]) {
      const started = performance.now();
      const bytes = await paths[name](`/big?mb=${config.bigMiB}`);
      throughput[name]?.push(bytes / 1024 / 1024 / ((performance.now() - started) / 1000));
    }
  // The same download at the pace of a fast real link: is the proxy ever the bottleneck there?
  const paced = Object.fromEntries(
    (['directHttp', 'tunnelSocket', 'directHttps', 'inspectedSocket'] as const).map((name) => [
      name,
      [] as number[],
    ]),
  );
  for (let run = 0; run < config.throughputRuns; run++)
    for (const name of Object.keys(paced) as PathName[]) {
      const started = performance.now();
      const bytes = await paths[name](`/big?mb=${config.pacedMiB}&pace=${config.paceMiBps}`);
      paced[name]?.push(bytes / 1024 / 1024 / ((performance.now() - started) / 1000));
    }
  process.stdout.write(`${JSON.stringify({ latency, throughput, paced })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
