import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ProxyServer,
  type ConnectionRecord,
  type Decision,
  type DecisionRequest,
  type ProxyServerOptions,
  type RequestRecord,
} from './proxy-server';

/** A stand-in remote host on loopback that echoes and records every byte it receives. */
interface RecordingEcho {
  port: number;
  received: () => string;
  connections: () => number;
  server: Server;
}

async function startEcho(): Promise<RecordingEcho> {
  let received = '';
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { port, received: () => received, connections: () => connections, server };
}

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

async function startHttpOrigin(): Promise<{
  port: number;
  seen: SeenRequest[];
  close: () => void;
}> {
  const seen: SeenRequest[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`hello from origin: ${req.method} ${req.url}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { port, seen, close: () => server.close() };
}

const ALLOWED_NAMES: Record<string, Decision> = {
  'allowed.test': { allow: true, rule: 'Network(allowed.test)', allowAddress: '127.0.0.1' },
  'rebind.test': { allow: true, rule: 'Network(rebind.test)' },
  'meta.test': { allow: true, rule: 'Network(meta.test)' },
};

const TEST_DNS: Record<string, string[]> = {
  'allowed.test': ['127.0.0.1'],
  'rebind.test': ['127.0.0.1'],
  'meta.test': ['169.254.169.254'],
  'denied.test': ['127.0.0.1'],
  localhost: ['127.0.0.1', '::1'],
};

const allowListed = async (request: DecisionRequest): Promise<Decision> =>
  ALLOWED_NAMES[request.host] ?? { allow: false, rule: `no rule for ${request.host}` };

// A careless policy that allows every host by name: the address checks must still hold.
const allowEverything = async (): Promise<Decision> => ({ allow: true, rule: 'Network(*)' });

let dir: string;
let echo: RecordingEcho;
let proxy: ProxyServer | null;
let records: ConnectionRecord[];
let requestRecords: RequestRecord[];
let asked: DecisionRequest[];
let resolved: string[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paddock-proxy-'));
  echo = await startEcho();
  proxy = null;
  records = [];
  requestRecords = [];
  asked = [];
  resolved = [];
});

afterEach(async () => {
  await proxy?.close();
  echo.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const socketPath = (): string => join(dir, 'proxy.sock');

async function startProxy(overrides: Partial<ProxyServerOptions> = {}): Promise<ProxyServer> {
  const decide = overrides.decide ?? allowListed;
  // Bound to this test's list: a previous test's late close must not leak into it.
  const [sink, requestSink] = [records, requestRecords];
  proxy = await ProxyServer.start({
    socketPath: socketPath(),
    onConnection: (record) => sink.push(record),
    onRequest: (record) => requestSink.push(record),
    resolve: async (host) => {
      resolved.push(host);
      const addresses = TEST_DNS[host];
      if (!addresses) throw new Error(`ENOTFOUND ${host}`);
      return addresses;
    },
    ...overrides,
    decide: (request) => {
      asked.push(request);
      return decide(request);
    },
  });
  return proxy;
}

/** Sends raw bytes to the proxy and collects everything until the proxy closes. */
async function exchange(raw: string | Buffer): Promise<string> {
  const socket = createConnection(socketPath());
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(raw);
  await once(socket, 'close');
  return response;
}

async function nextRecord(): Promise<ConnectionRecord> {
  for (let waited = 0; records.length === 0 && waited < 2000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const record = records.shift();
  if (!record) throw new Error('no connection record');
  return record;
}

const connectLine = (authority: string): string =>
  `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`;

/** Opens a CONNECT tunnel, sends a payload through it and returns what came back. */
async function tunnelRoundTrip(authority: string, payload: string): Promise<string> {
  const socket = createConnection(socketPath());
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
  socket.write(connectLine(authority));
  while (!response.includes('\r\n\r\n')) await once(socket, 'data');
  expect(response).toMatch(/^HTTP\/1\.1 200 /);
  const established = response.length;
  socket.write(payload);
  while (response.length < established + payload.length) await once(socket, 'data');
  socket.end();
  await once(socket, 'close');
  return response.slice(established);
}

async function expectRefusedConnect(authority: string, status: number): Promise<ConnectionRecord> {
  const response = await exchange(connectLine(authority));
  expect(response).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  const record = await nextRecord();
  expect(echo.connections()).toBe(0);
  return record;
}

describe('ProxyServer: the allowed path', () => {
  it('tunnels an allowed CONNECT to the pinned address and counts bytes each way', async () => {
    await startProxy();
    const echoed = await tunnelRoundTrip(`allowed.test:${echo.port}`, 'ping through the tunnel');
    expect(echoed).toBe('ping through the tunnel');
    expect(echo.received()).toBe('ping through the tunnel');
    const record = await nextRecord();
    expect(record).toMatchObject({
      host: 'allowed.test',
      port: echo.port,
      address: '127.0.0.1',
      bytesUp: 23,
      bytesDown: 23,
      decision: 'allowed',
      rule: 'Network(allowed.test)',
    });
    expect(record).not.toHaveProperty('method');
    expect(asked).toEqual([{ host: 'allowed.test', port: echo.port }]);
  });

  it('forwards an allowed absolute-form HTTP request and records method and path', async () => {
    const origin = await startHttpOrigin();
    await startProxy();
    const response = await exchange(
      `POST http://allowed.test:${origin.port}/upload?x=1 HTTP/1.1\r\n` +
        `Host: evil.example\r\nProxy-Authorization: Basic c2VjcmV0\r\n` +
        `Content-Length: 5\r\n\r\nhello`,
    );
    origin.close();
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response).toContain('hello from origin: POST /upload?x=1');
    expect(origin.seen).toHaveLength(1);
    expect(origin.seen[0]?.body).toBe('hello');
    // Host is the decided target (no domain fronting); proxy credentials never leave.
    expect(origin.seen[0]?.headers.host).toBe(`allowed.test:${origin.port}`);
    expect(origin.seen[0]?.headers['proxy-authorization']).toBeUndefined();
    const record = await nextRecord();
    expect(record).toMatchObject({
      host: 'allowed.test',
      address: '127.0.0.1',
      method: 'POST',
      path: '/upload?x=1',
      decision: 'allowed',
    });
    expect(record.bytesUp).toBeGreaterThan(5);
    expect(record.bytesDown).toBeGreaterThan(30);
  });

  it('keeps bytes the client sends before the 200 (an eager TLS ClientHello)', async () => {
    await startProxy();
    const socket = createConnection(socketPath());
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.write(`${connectLine(`allowed.test:${echo.port}`)}early hello`);
    while (!response.endsWith('early hello')) await once(socket, 'data');
    socket.destroy();
    expect(response).toBe('HTTP/1.1 200 Connection Established\r\n\r\nearly hello');
    expect(echo.received()).toBe('early hello');
  });

  it('keeps the client waiting while a slow decision (the approval inbox) is pending', async () => {
    await startProxy({
      decide: async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return allowListed(request);
      },
    });
    expect(await tunnelRoundTrip(`allowed.test:${echo.port}`, 'late')).toBe('late');
    expect((await nextRecord()).durationMs).toBeGreaterThanOrEqual(190);
  });
});

describe('ProxyServer: refusals the remote host never sees', () => {
  it('denied host: 403 with the reason, nothing reaches the server', async () => {
    await startProxy();
    const record = await expectRefusedConnect(`denied.test:${echo.port}`, 403);
    expect(record).toMatchObject({ host: 'denied.test', decision: 'denied' });
    expect(record.rule).toBe('no rule for denied.test');
    expect(resolved).toEqual([]);
  });

  it('NUL byte splitting the name: evil.example\\0.allowed.test', async () => {
    await startProxy();
    const record = await expectRefusedConnect(`evil.example\0.allowed.test:${echo.port}`, 400);
    expect(record.decision).toBe('invalid');
    expect(asked).toEqual([]);
  });

  it('allowed name as a prefix: allowed.test.evil.example', async () => {
    await startProxy();
    const record = await expectRefusedConnect(`allowed.test.evil.example:${echo.port}`, 403);
    expect(record).toMatchObject({ host: 'allowed.test.evil.example', decision: 'denied' });
  });

  it('case and trailing dot: ALLOWED.TEST. is canonicalised to allowed.test', async () => {
    await startProxy();
    expect(await tunnelRoundTrip(`ALLOWED.TEST.:${echo.port}`, 'same host')).toBe('same host');
    expect(asked[0]?.host).toBe('allowed.test');
  });

  it.each([
    ['CONNECT', (port: number) => connectLine(`user@allowed.test:${port}`)],
    [
      'absolute-form HTTP',
      (port: number) => `GET http://user:pw@allowed.test:${port}/ HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
  ])('userinfo in the authority (%s)', async (_form, request) => {
    await startProxy();
    expect(await exchange(request(echo.port))).toMatch(/^HTTP\/1\.1 400 /);
    expect((await nextRecord()).decision).toBe('invalid');
    expect(echo.connections()).toBe(0);
    expect(asked).toEqual([]);
  });

  it.each([
    ['raw UTF-8', 'аllowed.test', 400],
    ['punycode, as curl sends it', 'xn--llowed-2nf.test', 403],
  ])('IDN look-alike of allowed.test with a Cyrillic а (%s)', async (_form, host, status) => {
    await startProxy();
    const record = await expectRefusedConnect(`${host}:${echo.port}`, status);
    expect(record.decision).not.toBe('allowed');
    expect(asked.map((request) => request.host)).not.toContain('allowed.test');
  });

  it.each([
    '127.0.0.1',
    '2130706433',
    '0177.0.0.1',
    '0x7f.0.0.1',
    '0x7f000001',
    '127.1',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '0.0.0.0',
    '0',
  ])('loopback spelled %s, even when decide allows every name', async (host) => {
    await startProxy({ decide: allowEverything });
    const record = await expectRefusedConnect(`${host}:${echo.port}`, 403);
    expect(record.decision).toBe('denied');
    expect(record.rule).toMatch(/loopback|unspecified/);
  });

  it.each([
    ['10.0.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['169.254.169.254', 'metadata'],
    ['[fd00:ec2::254]', 'metadata'],
    ['[fe80::1]', 'link-local'],
  ])('non-public address %s, even when decide allows every name', async (host, kind) => {
    await startProxy({ decide: allowEverything });
    const record = await expectRefusedConnect(`${host}:80`, 403);
    expect(record.rule).toContain(kind);
  });

  it('metadata address behind an allowed name (meta.test -> 169.254.169.254)', async () => {
    await startProxy();
    const record = await expectRefusedConnect('meta.test:80', 403);
    expect(record.rule).toContain('metadata');
  });

  it('DNS rebinding: an allowed name resolving to 127.0.0.1 without allowAddress', async () => {
    await startProxy();
    const record = await expectRefusedConnect(`rebind.test:${echo.port}`, 403);
    expect(record).toMatchObject({ host: 'rebind.test', decision: 'denied', address: null });
    expect(record.rule).toContain('loopback');
  });

  it('absolute-form HTTP to loopback in hex is refused like CONNECT', async () => {
    await startProxy({ decide: allowEverything });
    const response = await exchange(
      `GET http://0x7f000001:${echo.port}/ HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(response).toMatch(/^HTTP\/1\.1 403 /);
    expect(echo.connections()).toBe(0);
  });

  it("CONNECT to the proxy's own socket path", async () => {
    await startProxy({ decide: allowEverything });
    const record = await expectRefusedConnect(`${socketPath()}:80`, 400);
    expect(record.decision).toBe('invalid');
  });

  it('CONNECT to an arbitrary local port through localhost', async () => {
    await startProxy({ decide: allowEverything });
    const record = await expectRefusedConnect(`localhost:${echo.port}`, 403);
    expect(record.rule).toContain('loopback');
  });

  it('https absolute-form (asking the proxy to speak TLS for the client)', async () => {
    await startProxy({ decide: allowEverything });
    const response = await exchange(`GET https://allowed.test/ HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(asked).toEqual([]);
  });

  it('oversized request head', async () => {
    await startProxy();
    const padding = 'x'.repeat(100 * 1024);
    const response = await exchange(
      `CONNECT allowed.test:${echo.port} HTTP/1.1\r\nX-Pad: ${padding}\r\n\r\n`,
    );
    expect(response).toMatch(/^HTTP\/1\.1 431 /);
    expect(await nextRecord()).toMatchObject({
      decision: 'invalid',
      rule: 'request head too large',
    });
    expect(asked).toEqual([]);
  });

  it('client that never sends a head is timed out', async () => {
    await startProxy({ headTimeoutMs: 100 });
    const response = await exchange('CONNECT allowed.te');
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(await nextRecord()).toMatchObject({
      decision: 'invalid',
      rule: 'no request head in time',
    });
  });

  it('a failing decision fails closed', async () => {
    await startProxy({ decide: () => Promise.reject(new Error('policy store down')) });
    const record = await expectRefusedConnect(`allowed.test:${echo.port}`, 403);
    expect(record.decision).toBe('failed');
  });
});

describe('ProxyServer: lifecycle', () => {
  it('closing the server destroys open tunnels', async () => {
    const server = await startProxy();
    const socket = createConnection(socketPath());
    socket.write(connectLine(`allowed.test:${echo.port}`));
    await once(socket, 'data');
    const closed = once(socket, 'close');
    await server.close();
    proxy = null;
    await closed;
    expect((await nextRecord()).decision).toBe('allowed');
  });

  it('a client that leaves during the decision never causes an upstream connection', async () => {
    let release: (decision: Decision) => void = () => undefined;
    await startProxy({ decide: () => new Promise((resolve) => (release = resolve)) });
    const socket = createConnection(socketPath());
    socket.write(connectLine(`allowed.test:${echo.port}`));
    while (asked.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    socket.destroy();
    const record = await nextRecord();
    release({ allow: true, rule: 'late yes', allowAddress: '127.0.0.1' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(record.decision).not.toBe('allowed');
    expect(echo.connections()).toBe(0);
  });
});

describe('ProxyServer: request records of forward requests', () => {
  it('records an npm tarball fetched through a plain HTTP forward request', async () => {
    const origin = await startHttpOrigin();
    await startProxy();
    const path = '/left-pad/-/left-pad-1.3.0.tgz';
    const response = await exchange(
      `GET http://allowed.test:${origin.port}${path} HTTP/1.1\r\nHost: allowed.test\r\n\r\n`,
    );
    origin.close();
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    const connection = await nextRecord();
    expect(connection).toMatchObject({ inspected: false, requests: 1, method: 'GET', path });
    expect(requestRecords).toEqual([
      {
        host: 'allowed.test',
        port: origin.port,
        method: 'GET',
        path,
        status: 200,
        decision: 'allowed',
        rule: 'Network(allowed.test)',
        bytesUp: 0,
        bytesDown: `hello from origin: GET ${path}`.length,
        durationMs: expect.any(Number),
        inspected: false,
        packages: [{ ecosystem: 'npm', name: 'left-pad', version: '1.3.0', kind: 'archive' }],
      },
    ]);
  });

  it('records a denied forward request, and no packages for a POST', async () => {
    await startProxy();
    const response = await exchange(
      `POST http://denied.test/left-pad HTTP/1.1\r\nHost: denied.test\r\nContent-Length: 0\r\n\r\n`,
    );
    expect(response).toMatch(/^HTTP\/1\.1 403 /);
    expect(await nextRecord()).toMatchObject({ decision: 'denied', requests: 1 });
    expect(requestRecords).toMatchObject([
      { host: 'denied.test', port: 80, status: 403, decision: 'denied', packages: [] },
    ]);
  });

  it('a plain CONNECT tunnel records no requests', async () => {
    await startProxy();
    await tunnelRoundTrip(`allowed.test:${echo.port}`, 'x');
    expect(await nextRecord()).toMatchObject({ inspected: false, requests: 0 });
    expect(requestRecords).toEqual([]);
  });
});

describe('ProxyServer: fixed-target tunnel listener', () => {
  const tunnelPath = (): string => join(dir, 'model.sock');

  /** Connects to the tunnel listener, sends a payload, returns what came back before close. */
  async function throughTunnel(payload: string | Buffer, expectedBack: number): Promise<string> {
    const socket = createConnection(tunnelPath());
    let back = '';
    // Not events.once: it would reject on the EPIPE a refused connection may cause.
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        back += chunk.toString('latin1');
        if (back.length >= expectedBack) resolve();
      });
      socket.once('close', () => resolve());
      socket.write(payload);
    });
    socket.end();
    await closed;
    return back;
  }

  it('carries a raw connection to its one target, decided with tunnel: true', async () => {
    const server = await startProxy();
    await server.listenTunnel(tunnelPath(), { host: 'allowed.test', port: echo.port });
    expect(await throughTunnel('model request', 13)).toBe('model request');
    const record = await nextRecord();
    expect(record).toEqual({
      host: 'allowed.test',
      port: echo.port,
      address: '127.0.0.1',
      bytesUp: 13,
      bytesDown: 13,
      decision: 'allowed',
      rule: 'Network(allowed.test)',
      durationMs: expect.any(Number),
      inspected: false,
      requests: 0,
    });
    expect(asked).toEqual([{ host: 'allowed.test', port: echo.port, tunnel: true }]);
  });

  it('a denied target: the connection is closed and nothing reaches the server', async () => {
    const server = await startProxy();
    await server.listenTunnel(tunnelPath(), { host: 'denied.test', port: echo.port });
    expect(await throughTunnel('hello?', 6)).toBe('');
    expect(await nextRecord()).toMatchObject({ host: 'denied.test', decision: 'denied' });
    expect(echo.connections()).toBe(0);
  });

  it('loopback without allowAddress is refused, even when decide allows everything', async () => {
    const server = await startProxy({ decide: allowEverything });
    await server.listenTunnel(tunnelPath(), { host: '127.0.0.1', port: echo.port });
    expect(await throughTunnel('hello?', 6)).toBe('');
    const record = await nextRecord();
    expect(record.decision).toBe('denied');
    expect(record.rule).toContain('loopback');
    expect(echo.connections()).toBe(0);
  });

  it('loopback named by allowAddress is reached', async () => {
    const server = await startProxy({
      decide: async () => ({ allow: true, rule: 'Model', allowAddress: ['::1', '127.0.0.1'] }),
    });
    await server.listenTunnel(tunnelPath(), { host: '127.0.0.1', port: echo.port });
    expect(await throughTunnel('to the model', 12)).toBe('to the model');
    expect(await nextRecord()).toMatchObject({ address: '127.0.0.1', decision: 'allowed' });
  });

  it('a rule asking to inspect a fixed tunnel is refused (fail closed)', async () => {
    const server = await startProxy({
      decide: async () => ({ allow: true, rule: 'x', allowAddress: '127.0.0.1', inspect: true }),
    });
    await server.listenTunnel(tunnelPath(), { host: 'allowed.test', port: echo.port });
    expect(await throughTunnel('hello?', 6)).toBe('');
    expect(await nextRecord()).toMatchObject({ decision: 'failed' });
    expect(echo.connections()).toBe(0);
  });

  it('a large request sent before the decision waits instead of being cut off', async () => {
    const server = await startProxy({
      decide: async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return allowListed(request);
      },
    });
    await server.listenTunnel(tunnelPath(), { host: 'allowed.test', port: echo.port });
    const payload = Buffer.alloc(512 * 1024, 'p');
    expect((await throughTunnel(payload, payload.length)).length).toBe(payload.length);
  });

  it('replaces a stale socket file, and close() stops the listener and its tunnels', async () => {
    writeFileSync(tunnelPath(), 'stale');
    const server = await startProxy();
    await server.listenTunnel(tunnelPath(), { host: 'allowed.test', port: echo.port });
    const open = createConnection(tunnelPath());
    open.on('error', () => undefined);
    open.resume();
    open.write('held open');
    while (echo.received() !== 'held open') await new Promise((r) => setTimeout(r, 5));
    const closed = new Promise((resolve) => open.once('close', resolve));
    await server.close();
    proxy = null;
    await closed;
    expect(existsSync(tunnelPath())).toBe(false);
    const refused = createConnection(tunnelPath());
    const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toMatch(/ENOENT|ECONNREFUSED/);
  });

  it('rejects an invalid target when asked to listen', async () => {
    const server = await startProxy();
    await expect(server.listenTunnel(tunnelPath(), { host: 'a b', port: 1 })).rejects.toThrow(
      /invalid tunnel host/,
    );
    await expect(server.listenTunnel(tunnelPath(), { host: 'a.test', port: 0 })).rejects.toThrow(
      /invalid tunnel port/,
    );
  });
});
