/**
 * For tests only: the servers the network red-team suite points a sandboxed agent at. An attacker
 * that records whatever reaches it (TCP on every address of the host, and UDP), origins on the
 * host's loopback that stand in for public hosts (HTTP, or HTTPS with a certificate from a test
 * "public" CA), a git repository served over the dumb HTTP protocol, and a tiny wheel.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, normalize } from 'node:path';
import { crc32 } from 'node:zlib';

export interface Attacker {
  tcpPort: number;
  udpPort: number;
  /** Everything that reached it: `tcp <peer>: <bytes>` and `udp <peer>: <bytes>`. */
  received: string[];
  close(): Promise<void>;
}

/**
 * A server the agent must never reach. TCP on every address of the host (dual-stack `::` where
 * the host has IPv6, so IPv4 loopback, the host's own addresses and ::1 all land here), and a UDP
 * socket on 0.0.0.0. Whatever reaches it is recorded, even a connection that sends nothing, and
 * answered with `answer` (a canary the agent's output must never show).
 */
export async function startAttacker(answer: string): Promise<Attacker> {
  const received: string[] = [];
  const tcp = createNetServer((socket) => {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    received.push(`tcp ${peer}: connected`);
    socket.on('data', (chunk: Buffer) => received.push(`tcp ${peer}: ${chunk.toString('latin1')}`));
    socket.on('error', () => undefined);
    socket.end(answer);
  });
  try {
    tcp.listen({ port: 0, host: '::', ipv6Only: false });
    await once(tcp, 'listening');
  } catch {
    tcp.listen(0, '0.0.0.0');
    await once(tcp, 'listening');
  }
  const udp = createSocket('udp4');
  udp.on('message', (message, peer) => {
    received.push(`udp ${peer.address}:${peer.port}: ${message.toString('latin1')}`);
    udp.send(answer, peer.port, peer.address);
  });
  udp.bind(0, '0.0.0.0');
  await once(udp, 'listening');
  return {
    tcpPort: (tcp.address() as AddressInfo).port,
    udpPort: udp.address().port,
    received,
    close: async () => {
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** The host's first IPv4 address that is not loopback: a direct connection's target. */
export function hostIpv4(): string | null {
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? [])
      if (address.family === 'IPv4' && !address.internal) return address.address;
  return null;
}

export interface SeenRequest {
  method: string;
  url: string;
  host: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export interface Origin {
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A stand-in for a public host on 127.0.0.1 (a free port): HTTP, or HTTPS with `tls`. Every
 * request it receives is recorded, body included, before `handle` answers it.
 */
export async function startOrigin(
  handle: (request: SeenRequest) => Reply,
  tls?: { cert: string; key: string },
): Promise<Origin> {
  const seen: SeenRequest[] = [];
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(request);
      const reply = handle(request);
      res.writeHead(reply.status, reply.headers ?? { 'content-type': 'text/plain' });
      res.end(reply.body);
    });
  };
  const server: Server = tls ? createHttpsServer(tls, serve) : createHttpServer(serve);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Files under `root`, served at `prefix` (the dumb git HTTP protocol needs nothing more). */
export function staticFiles(root: string, prefix: string, url: string): Reply | null {
  const path = url.split('?')[0] ?? '';
  if (!path.startsWith(prefix)) return null;
  const file = normalize(join(root, decodeURIComponent(path.slice(prefix.length))));
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return null;
  return {
    status: 200,
    headers: { 'content-type': 'application/octet-stream' },
    body: readFileSync(file),
  };
}

/** A bare clone of `source` at `dir`, ready for the dumb HTTP protocol. */
export function dumbHttpRepository(source: string, dir: string): void {
  const git = (args: string[], cwd?: string) =>
    execFileSync('git', args, {
      cwd,
      stdio: 'pipe',
      env: { PATH: process.env.PATH, HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1' },
    });
  git(['clone', '-q', '--bare', source, dir]);
  git(['repack', '-a', '-d', '-q'], dir);
  git(['update-server-info'], dir);
}

/** A minimal pure-Python wheel (a zip of stored entries): `name-version-py3-none-any.whl`. */
export function tinyWheel(name: string, version: string): { file: string; bytes: Buffer } {
  const info = `${name}-${version}.dist-info`;
  const files: Record<string, string> = {
    [`${name}/__init__.py`]: `VERSION = '${version}'\n`,
    [`${info}/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
    [`${info}/WHEEL`]:
      'Wheel-Version: 1.0\nGenerator: paddock-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  };
  const record = Object.entries(files)
    .map(([path, text]) => {
      const digest = createHash('sha256').update(text).digest('base64url');
      return `${path},sha256=${digest},${Buffer.byteLength(text)}`;
    })
    .concat(`${info}/RECORD,,`)
    .join('\n');
  files[`${info}/RECORD`] = `${record}\n`;
  return { file: `${name}-${version}-py3-none-any.whl`, bytes: storedZip(files) };
}

function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [path, text] of Object.entries(files)) {
    const name = Buffer.from(path);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
