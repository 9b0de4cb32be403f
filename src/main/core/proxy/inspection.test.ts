import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequestArgs,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import {
  createConnection,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSessionCa, type SessionCa } from './ca';
import {
  ProxyServer,
  type ConnectionRecord,
  type Decision,
  type DecisionRequest,
  type ProxyServerOptions,
  type RequestRecord,
} from './proxy-server';

const run = promisify(execFile);
const MB = 1024 * 1024;

/** Plays a public CA: the origins' certificates come from it and upstreamCa names it. */
let publicCa: SessionCa;
/** The session's CA, which the sandboxed client trusts. */
let sessionCa: SessionCa;
/** A CA nobody trusts, for an origin whose certificate must be rejected. */
let rogueCa: SessionCa;

beforeAll(async () => {
  [publicCa, sessionCa, rogueCa] = await Promise.all([
    createSessionCa('public'),
    createSessionCa('session'),
    createSessionCa('rogue'),
  ]);
});

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
  bodySha256: string;
}

interface Origin {
  port: number;
  seen: SeenRequest[];
  connections: () => number;
  /** Resolved by the test to let /gated send the rest of its body. */
  openGate: () => void;
  server: HttpsServer;
}

const BIG_CHUNK = Buffer.alloc(MB, 'abcdefghijklmnopqrstuvwxyz0123456789');
const BIG_SIZE = 20 * MB;
const BIG_SHA256 = createHash('sha256')
  .update(Buffer.concat(Array.from({ length: 20 }, () => BIG_CHUNK)))
  .digest('hex');

/** An HTTPS origin on loopback with a certificate for `certHost` from `issuer`. */
async function startOrigin(certHost: string, issuer: SessionCa = publicCa): Promise<Origin> {
  const leaf = await issuer.leafFor(certHost);
  const seen: SeenRequest[] = [];
  let connections = 0;
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const server = createHttpsServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
    const hash = createHash('sha256');
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      const bodySha256 = hash.digest('hex');
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bodyBytes,
        bodySha256,
      });
      void respond(req.url ?? '', res, { bodyBytes, bodySha256 }, gate);
    });
  });
  server.on('secureConnection', () => (connections += 1));
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { port, seen, connections: () => connections, openGate, server };
}

async function respond(
  url: string,
  res: ServerResponse,
  body: { bodyBytes: number; bodySha256: string },
  gate: Promise<void>,
): Promise<void> {
  if (url === '/cut') {
    res.writeHead(200, { 'content-length': 1000 });
    res.write('only ten b');
    // Let the bytes leave before the connection is torn down mid-body.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return void res.socket?.destroy();
  }
  if (url === '/gated') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG_SIZE });
    res.write(BIG_CHUNK);
    // The rest waits until the client has seen the first bytes: a proxy that buffered
    // the whole response would never deliver them, and the test would time out.
    await gate;
    for (let sent = 1; sent < 20; sent += 1) {
      if (!res.write(BIG_CHUNK)) await once(res, 'drain');
    }
    return void res.end();
  }
  const text = `origin: ${url} ${body.bodyBytes} ${body.bodySha256}`;
  res.writeHead(200, {
    'content-type': 'text/plain',
    'proxy-authenticate': 'Basic realm="origin"',
    'x-origin': 'yes',
  });
  res.end(text);
}

const originHost = 'name.test';
const TEST_DNS: Record<string, string[]> = {
  'name.test': ['127.0.0.1'],
  'wrong.test': ['127.0.0.1'],
};
const GISTS = /^\/[^/]+\/gists(?:[/?]|$)/;

/** Inspect everything on the test hosts; deny POST /<user>/gists inside. */
async function inspectingPolicy(request: DecisionRequest): Promise<Decision> {
  if (!['name.test', 'wrong.test', '127.0.0.1'].includes(request.host))
    return { allow: false, rule: `no rule for ${request.host}` };
  if (request.method === 'POST' && GISTS.test(request.path ?? ''))
    return { allow: false, rule: 'Network(POST name.test/*/gists) denied' };
  return {
    allow: true,
    rule: `Network(${request.host})`,
    allowAddress: '127.0.0.1',
    inspect: true,
  };
}

let dir: string;
let proxy: ProxyServer | null;
let origins: Origin[];
let connections: ConnectionRecord[];
let requests: RequestRecord[];
/** How many request records had arrived when each connection record did. */
let requestsBeforeConnection: number[];
let asked: DecisionRequest[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'paddock-inspect-'));
  proxy = null;
  origins = [];
  connections = [];
  requests = [];
  requestsBeforeConnection = [];
  asked = [];
});

afterEach(async () => {
  await proxy?.close();
  for (const origin of origins) origin.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const socketPath = (): string => join(dir, 'proxy.sock');

async function origin(certHost = originHost, issuer?: SessionCa): Promise<Origin> {
  const started = await startOrigin(certHost, issuer);
  origins.push(started);
  return started;
}

async function startProxy(overrides: Partial<ProxyServerOptions> = {}): Promise<ProxyServer> {
  const decide = overrides.decide ?? inspectingPolicy;
  const [connectionSink, requestSink, askedSink] = [connections, requests, asked];
  const orderSink = requestsBeforeConnection;
  proxy = await ProxyServer.start({
    socketPath: socketPath(),
    resolve: async (host) => {
      const addresses = TEST_DNS[host];
      if (!addresses) throw new Error(`ENOTFOUND ${host}`);
      return addresses;
    },
    inspection: { ca: sessionCa, upstreamCa: [publicCa.certPem] },
    onConnection: (record) => {
      orderSink.push(requestSink.length);
      connectionSink.push(record);
    },
    onRequest: (record) => requestSink.push(record),
    ...overrides,
    decide: (request) => {
      askedSink.push(request);
      return decide(request);
    },
  });
  return proxy;
}

/** CONNECTs through the proxy with Node's HTTP client; resolves with the raw tunnel. */
function connectThrough(authority: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      method: 'CONNECT',
      path: authority,
      headers: { host: authority },
      createConnection: () => createConnection(socketPath()),
    });
    request.once('connect', (response: IncomingMessage, socket: Duplex) => {
      if (response.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new Error(`CONNECT answered ${response.statusCode}`));
    });
    request.once('error', reject);
    request.end();
  });
}

/** A TLS session inside a CONNECT tunnel, trusting the session CA (or `ca` when given). */
async function openTls(
  authority: string,
  options: { servername?: string; ca?: string[] } = {},
): Promise<TLSSocket> {
  const tunnel = await connectThrough(authority);
  const secure = tlsConnect({
    socket: tunnel,
    servername: options.servername ?? authority.replace(/:\d+$/, ''),
    ca: options.ca ?? [sessionCa.certPem],
    ALPNProtocols: ['http/1.1'],
  });
  await once(secure, 'secureConnect');
  return secure;
}

/** An HTTP agent that sends every request over one already-open TLS session. */
class TunnelAgent extends HttpAgent {
  constructor(private readonly secure: TLSSocket) {
    super({ keepAlive: true, maxSockets: 1 });
  }

  override createConnection(_options: ClientRequestArgs): Duplex {
    return this.secure;
  }
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(
  agent: HttpAgent,
  options: { method?: string; path: string; port: number; headers?: Record<string, string> },
  body?: Buffer | string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      agent,
      host: originHost,
      port: options.port,
      method: options.method ?? 'GET',
      path: options.path,
      headers: options.headers,
    });
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
      response.once('error', reject);
    });
    request.once('error', reject);
    request.end(body);
  });
}

async function waitFor<T>(list: T[], count: number): Promise<void> {
  for (let waited = 0; list.length < count && waited < 5000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (list.length < count) throw new Error(`expected ${count} records, have ${list.length}`);
}

/** Sends raw bytes over a TLS session and collects the answer until the proxy closes it. */
async function rawExchange(secure: TLSSocket, raw: string): Promise<string> {
  let answer = '';
  secure.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  secure.on('error', () => undefined);
  secure.write(raw);
  await once(secure, 'close');
  return answer;
}

describe('inspection: requests decided one by one', () => {
  it('allows a GET and refuses a POST to a denied path in the same TLS connection', async () => {
    const { port, seen } = await origin();
    await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    const agent = new TunnelAgent(secure);
    const allowed = await send(agent, { path: '/repos/me/paddock', port });
    expect(allowed.status).toBe(200);
    expect(allowed.body.toString()).toMatch(/^origin: \/repos\/me\/paddock 0 /);
    const denied = await send(agent, { method: 'POST', path: '/me/gists', port }, 'secret=1');
    expect(denied.status).toBe(403);
    expect(denied.body.toString()).toBe('Network(POST name.test/*/gists) denied\n');
    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /repos/me/paddock',
    ]);
    secure.destroy();
    await waitFor(connections, 1);
    expect(
      requests.map((record) => [record.method, record.path, record.status, record.decision]),
    ).toEqual([
      ['GET', '/repos/me/paddock', 200, 'allowed'],
      ['POST', '/me/gists', 403, 'denied'],
    ]);
    expect(asked).toEqual([
      { host: originHost, port },
      { host: originHost, port, method: 'GET', path: '/repos/me/paddock', inspected: true },
      { host: originHost, port, method: 'POST', path: '/me/gists', inspected: true },
    ]);
    expect(connections[0]).toMatchObject({
      host: originHost,
      port,
      address: '127.0.0.1',
      decision: 'allowed',
      rule: 'Network(name.test)',
      inspected: true,
      requests: 2,
    });
  });

  it('records every field of a request and of its connection', async () => {
    const { port } = await origin();
    await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    const reply = await send(new TunnelAgent(secure), {
      method: 'GET',
      path: '/left-pad/-/left-pad-1.3.0.tgz',
      port,
    });
    secure.destroy();
    await waitFor(connections, 1);
    expect(requests).toHaveLength(1);
    const [record] = requests;
    expect(record).toEqual({
      host: originHost,
      port,
      method: 'GET',
      path: '/left-pad/-/left-pad-1.3.0.tgz',
      status: 200,
      decision: 'allowed',
      rule: 'Network(name.test)',
      bytesUp: 0,
      bytesDown: reply.body.length,
      durationMs: expect.any(Number),
      inspected: true,
      packages: [{ ecosystem: 'npm', name: 'left-pad', version: '1.3.0', kind: 'archive' }],
    });
    const [connection] = connections;
    expect(connection).toEqual({
      host: originHost,
      port,
      address: '127.0.0.1',
      bytesUp: expect.any(Number),
      bytesDown: expect.any(Number),
      decision: 'allowed',
      rule: 'Network(name.test)',
      durationMs: expect.any(Number),
      inspected: true,
      requests: 1,
    });
    // Decrypted upstream bytes: at least the request line and the response body.
    expect(connection?.bytesUp).toBeGreaterThan(
      'GET /left-pad/-/left-pad-1.3.0.tgz HTTP/1.1'.length,
    );
    expect(connection?.bytesDown).toBeGreaterThan(reply.body.length);
    expect(connection?.bytesDown).toBeLessThan(reply.body.length + 1024);
  });

  it('serves two keep-alive requests over one upstream connection and records both', async () => {
    const served = await origin();
    await startProxy();
    const secure = await openTls(`${originHost}:${served.port}`);
    const agent = new TunnelAgent(secure);
    const first = await send(agent, { path: '/one', port: served.port });
    const second = await send(agent, { path: '/two', port: served.port });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(served.connections()).toBe(1);
    secure.destroy();
    await waitFor(connections, 1);
    expect(requests.map((record) => record.path)).toEqual(['/one', '/two']);
    expect(connections[0]?.requests).toBe(2);
    // A connection's request records always come before its connection record.
    expect(requestsBeforeConnection).toEqual([2]);
    expect(connections[0]?.bytesDown).toBeGreaterThan(first.body.length + second.body.length);
  });

  it('strips hop-by-hop headers and proxy credentials both ways', async () => {
    const { port, seen } = await origin();
    await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    const reply = await send(new TunnelAgent(secure), {
      path: '/headers',
      port,
      headers: {
        'proxy-authorization': 'Basic c2VjcmV0',
        connection: 'keep-alive, x-leg',
        'x-leg': 'only for the first hop',
        'x-end': 'kept',
      },
    });
    secure.destroy();
    expect(reply.status).toBe(200);
    expect(seen[0]?.headers['proxy-authorization']).toBeUndefined();
    expect(seen[0]?.headers['x-leg']).toBeUndefined();
    expect(seen[0]?.headers['x-end']).toBe('kept');
    expect(seen[0]?.headers.host).toBe(`${originHost}:${port}`);
    expect(reply.headers['proxy-authenticate']).toBeUndefined();
    expect(reply.headers['x-origin']).toBe('yes');
  });

  it('a failing decision for a request inside fails closed', async () => {
    const { port, seen } = await origin();
    await startProxy({
      decide: async (request) => {
        if (request.inspected) throw new Error('policy store down');
        return inspectingPolicy(request);
      },
    });
    const secure = await openTls(`${originHost}:${port}`);
    const reply = await send(new TunnelAgent(secure), { path: '/', port });
    secure.destroy();
    expect(reply.status).toBe(403);
    expect(seen).toEqual([]);
    await waitFor(requests, 1);
    expect(requests[0]?.decision).toBe('failed');
  });
});

describe('inspection: refusals', () => {
  it('refuses a Host header naming another host (no domain fronting through the tunnel)', async () => {
    const { port, seen } = await origin();
    await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    const agent = new TunnelAgent(secure);
    const fronted = await send(agent, { path: '/', port, headers: { host: `wrong.test:${port}` } });
    expect(fronted.status).toBe(421);
    const otherPort = await send(agent, { path: '/', port, headers: { host: `${originHost}:1` } });
    expect(otherPort.status).toBe(421);
    // The connection keeps serving after a refusal.
    expect((await send(agent, { path: '/after', port })).status).toBe(200);
    secure.destroy();
    expect(seen.map((request) => request.url)).toEqual(['/after']);
    await waitFor(connections, 1);
    expect(requests[0]).toMatchObject({ status: 421, decision: 'denied' });
    expect(requests[0]?.rule).toMatch(/Host header/);
  });

  it.each([
    [
      'two Host headers',
      (port: number) =>
        `GET / HTTP/1.1\r\nHost: ${originHost}:${port}\r\nHost: wrong.test\r\nConnection: close\r\n\r\n`,
      400,
    ],
    [
      'an absolute-form target for another host',
      () => 'GET https://wrong.test/ HTTP/1.1\r\nHost: wrong.test\r\nConnection: close\r\n\r\n',
      400,
    ],
    [
      'a dot segment',
      (port: number) =>
        `GET /a/../b HTTP/1.1\r\nHost: ${originHost}:${port}\r\nConnection: close\r\n\r\n`,
      400,
    ],
    [
      'an encoded dot segment',
      (port: number) =>
        `GET /a/%2E%2e/gists HTTP/1.1\r\nHost: ${originHost}:${port}\r\nConnection: close\r\n\r\n`,
      400,
    ],
    [
      'a WebSocket upgrade',
      (port: number) =>
        `GET /ws HTTP/1.1\r\nHost: ${originHost}:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
      400,
    ],
    [
      'a CONNECT inside',
      () => 'CONNECT wrong.test:443 HTTP/1.1\r\nHost: wrong.test:443\r\n\r\n',
      400,
    ],
  ])('refuses %s', async (_case, raw, status) => {
    const { port, seen } = await origin();
    await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    const answer = await Promise.race([
      rawExchange(secure, raw(port)),
      new Promise<string>((resolve) => setTimeout(() => resolve('(still open)'), 2000)),
    ]);
    secure.destroy();
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(seen).toEqual([]);
  });

  it('answers 502 and records a failure when the upstream certificate is not trusted', async () => {
    const { port, seen } = await origin(originHost, rogueCa);
    await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    const reply = await send(new TunnelAgent(secure), { path: '/', port });
    secure.destroy();
    expect(reply.status).toBe(502);
    expect(reply.body.toString()).toMatch(/upstream certificate rejected/);
    expect(seen).toEqual([]);
    await waitFor(requests, 1);
    expect(requests[0]).toMatchObject({ status: 502, decision: 'failed' });
  });

  it('answers 502 when the upstream certificate is for another name', async () => {
    const { port, seen } = await origin('wrong.test');
    await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    const reply = await send(new TunnelAgent(secure), { path: '/', port });
    secure.destroy();
    expect(reply.status).toBe(502);
    expect(reply.body.toString()).toMatch(/ALTNAME/);
    expect(seen).toEqual([]);
  });

  it('without upstreamCa the test CA is not trusted: only the default roots are', async () => {
    const { port } = await origin();
    await startProxy({ inspection: { ca: sessionCa } });
    const secure = await openTls(`${originHost}:${port}`);
    const reply = await send(new TunnelAgent(secure), { path: '/', port });
    secure.destroy();
    expect(reply.status).toBe(502);
  });

  it('refuses a CONNECT whose rule asks for inspection when no CA is configured', async () => {
    const { port } = await origin();
    await startProxy({ inspection: undefined });
    await expect(connectThrough(`${originHost}:${port}`)).rejects.toThrow(/403/);
    await waitFor(connections, 1);
    expect(connections[0]).toMatchObject({ decision: 'failed', inspected: false });
    expect(connections[0]?.rule).toMatch(/no CA/);
  });

  it('records a failed handshake when the client does not trust the session CA', async () => {
    const { port } = await origin();
    await startProxy();
    await expect(openTls(`${originHost}:${port}`, { ca: [publicCa.certPem] })).rejects.toThrow();
    await waitFor(connections, 1);
    expect(connections[0]).toMatchObject({ decision: 'failed', inspected: true, requests: 0 });
    expect(connections[0]?.rule).toMatch(/handshake/);
  });

  it('records a failure when the upstream connection breaks mid-body', async () => {
    const { port } = await origin();
    await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    secure.on('error', () => undefined);
    await expect(send(new TunnelAgent(secure), { path: '/cut', port })).rejects.toThrow();
    await waitFor(requests, 1);
    expect(requests[0]).toMatchObject({ path: '/cut', status: 200, decision: 'failed' });
    expect(requests[0]?.bytesDown).toBe(10);
  });

  it('closes a tunnel whose client never finishes the TLS handshake', async () => {
    const { port } = await origin();
    await startProxy({ headTimeoutMs: 100 });
    const tunnel = await connectThrough(`${originHost}:${port}`);
    tunnel.resume();
    tunnel.on('error', () => undefined);
    await new Promise((resolve) => tunnel.once('close', resolve));
    await waitFor(connections, 1);
    expect(connections[0]).toMatchObject({ decision: 'failed', inspected: true });
    expect(connections[0]?.rule).toMatch(/did not finish in time/);
  });

  it('closes an idle tunnel whose next request head trickles in too slowly', async () => {
    const { port, seen } = await origin();
    await startProxy({ headTimeoutMs: 150 });
    const secure = await openTls(`${originHost}:${port}`);
    secure.on('error', () => undefined);
    const started = performance.now();
    const closed = new Promise((resolve) => secure.once('close', resolve));
    const trickle = setInterval(() => secure.writable && secure.write('X'), 20);
    secure.write('GET / HTTP/1.1\r\nX-Slow: ');
    await closed;
    clearInterval(trickle);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(seen).toEqual([]);
  });

  it('a client that leaves while a request is decided causes no upstream request', async () => {
    const { port, seen } = await origin();
    let release: () => void = () => undefined;
    await startProxy({
      decide: async (request) => {
        if (request.inspected) await new Promise<void>((resolve) => (release = resolve));
        return inspectingPolicy(request);
      },
    });
    const secure = await openTls(`${originHost}:${port}`);
    secure.on('error', () => undefined);
    secure.write(`GET /slow HTTP/1.1\r\nHost: ${originHost}:${port}\r\n\r\n`);
    while (asked.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    secure.destroy();
    await waitFor(connections, 1);
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([]);
    expect(requests[0]).toMatchObject({ path: '/slow', status: null, decision: 'failed' });
  });
});

describe('inspection: streaming and clients', () => {
  it('streams a 20 MB download without buffering it whole', async () => {
    const served = await origin();
    await startProxy();
    const secure = await openTls(`${originHost}:${served.port}`);
    const hash = createHash('sha256');
    let received = 0;
    const done = new Promise<number>((resolve, reject) => {
      const request = httpRequest({
        agent: new TunnelAgent(secure),
        host: originHost,
        port: served.port,
        path: '/gated',
      });
      request.once('response', (response) => {
        response.on('data', (chunk: Buffer) => {
          // The origin holds back 19 MB until the first bytes have arrived here.
          if (received === 0) served.openGate();
          received += chunk.length;
          hash.update(chunk);
        });
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', reject);
      });
      request.once('error', reject);
      request.end();
    });
    expect(await done).toBe(200);
    expect(received).toBe(BIG_SIZE);
    expect(hash.digest('hex')).toBe(BIG_SHA256);
    secure.destroy();
    await waitFor(requests, 1);
    expect(requests[0]?.bytesDown).toBe(BIG_SIZE);
  });

  it('streams a 20 MB upload intact', async () => {
    const { port, seen } = await origin();
    await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    const body = Buffer.concat(Array.from({ length: 20 }, () => BIG_CHUNK));
    const reply = await send(
      new TunnelAgent(secure),
      { method: 'PUT', path: '/upload', port },
      body,
    );
    secure.destroy();
    expect(reply.status).toBe(200);
    expect(seen[0]?.bodyBytes).toBe(BIG_SIZE);
    expect(seen[0]?.bodySha256).toBe(BIG_SHA256);
    await waitFor(requests, 1);
    expect(requests[0]?.bytesUp).toBe(BIG_SIZE);
  });

  it('keeps a ClientHello sent before the 200 (an eager client)', async () => {
    const { port } = await origin();
    // A slow decision makes sure the ClientHello is in before the 200 goes out.
    await startProxy({
      decide: async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return inspectingPolicy(request);
      },
    });
    const raw = createConnection(socketPath());
    raw.write(`CONNECT ${originHost}:${port} HTTP/1.1\r\nHost: ${originHost}:${port}\r\n\r\n`);
    const secure = tlsConnect({
      socket: skipResponseHead(raw),
      servername: originHost,
      ca: [sessionCa.certPem],
    });
    await once(secure, 'secureConnect');
    const reply = await send(new TunnelAgent(secure), { path: '/eager', port });
    secure.destroy();
    expect(reply.status).toBe(200);
  });

  it('inspects a tunnel to an IP address, verifying the upstream against its IP SAN', async () => {
    const { port, seen } = await origin('127.0.0.1');
    await startProxy();
    const tunnel = await connectThrough(`127.0.0.1:${port}`);
    const secure = tlsConnect({ socket: tunnel, host: '127.0.0.1', ca: [sessionCa.certPem] });
    await once(secure, 'secureConnect');
    const answer = await rawExchange(
      secure,
      `GET /by-ip HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen[0]?.url).toBe('/by-ip');
  });

  it('curl through a TCP shim: an allowed GET and a denied POST', async (context) => {
    const { port } = await origin();
    await startProxy();
    const shim = await startShim();
    const caFile = join(dir, 'session-ca.pem');
    writeFileSync(caFile, sessionCa.certPem);
    const curl = (...extra: string[]): Promise<{ stdout: string }> =>
      run('curl', [
        '--silent',
        '--show-error',
        '--proxy',
        `http://127.0.0.1:${shim.port}`,
        '--cacert',
        caFile,
        ...extra,
      ]);
    try {
      const allowed = await curl(`https://${originHost}:${port}/hello`);
      expect(allowed.stdout).toMatch(/^origin: \/hello 0 /);
      const denied = await curl(
        '-X',
        'POST',
        '-d',
        'x',
        '-w',
        '%{http_code}',
        `https://${originHost}:${port}/me/gists`,
      );
      expect(denied.stdout).toBe('Network(POST name.test/*/gists) denied\n403');
    } catch (error) {
      if (String(error).includes('ENOENT')) return context.skip();
      throw error;
    } finally {
      shim.server.close();
    }
  });

  it('closing the proxy destroys an inspected connection', async () => {
    const { port } = await origin();
    const server = await startProxy();
    const secure = await openTls(`${originHost}:${port}`);
    secure.on('error', () => undefined);
    const closed = once(secure, 'close');
    await server.close();
    proxy = null;
    await closed;
    await waitFor(connections, 1);
    expect(connections[0]?.inspected).toBe(true);
  });
});

/** Reads the proxy's 200 off a raw socket and passes everything after it to a TLS client. */
function skipResponseHead(raw: Socket): Duplex {
  const inbound = new PassThrough();
  let head = '';
  let passed = false;
  raw.on('data', (chunk: Buffer) => {
    if (passed) return void inbound.write(chunk);
    head += chunk.toString('latin1');
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    passed = true;
    const rest = Buffer.from(head.slice(end + 4), 'latin1');
    if (rest.length) inbound.write(rest);
  });
  raw.on('end', () => inbound.end());
  return Duplex.from({ readable: inbound, writable: raw });
}

/** A TCP port that forwards each connection to the proxy's Unix socket, for curl. */
async function startShim(): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = createConnection(socketPath());
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}
