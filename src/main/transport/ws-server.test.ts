import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../shared/contract/wire';
import { tempDir } from '../../test-support/temp';
import { openPaddock, type Paddock } from '../paddock';
import { serveCore, startWsServer, type WsServer } from './index';

const TOKEN = 'ab'.repeat(32);
let running: Array<{ server: WsServer; paddock: Paddock }> = [];

afterEach(async () => {
  for (const { server, paddock } of running) {
    await server.close();
    await paddock.close();
  }
  running = [];
});

async function start(staticDir: string | null = null) {
  const paddock = openPaddock({ home: tempDir() });
  const core = serveCore(paddock, 'serve');
  const server = await startWsServer({
    ...core,
    token: TOKEN,
    staticDir,
    maxFrameBytes: 64 * 1024,
  });
  running.push({ server, paddock });
  return { server, paddock };
}

interface Opened {
  ws: WebSocket;
  frames: unknown[];
  next(): Promise<Record<string, unknown>>;
}

/** Connects and resolves once open, or with the close code and reason when refused. */
function connect(
  port: number,
  { token = TOKEN, origin, host }: { token?: string | null; origin?: string; host?: string } = {},
) {
  const protocols = token === null ? [PROTOCOL] : [PROTOCOL, TOKEN_PROTOCOL_PREFIX + token];
  const headers: Record<string, string> = {};
  if (origin) headers.Origin = origin;
  if (host) headers.Host = host;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, protocols, { headers });
  const frames: Record<string, unknown>[] = [];
  const waiting: Array<(frame: Record<string, unknown>) => void> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Record<string, unknown>;
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve) =>
      frames.length ? resolve(frames.shift() as Record<string, unknown>) : waiting.push(resolve),
    );
  return new Promise<
    { opened: Opened } | { closed: { code: number; reason: string } } | { refused: string }
  >((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve({ refused: String(res.statusCode) }));
    ws.on('close', (code, reason) => resolve({ closed: { code, reason: reason.toString() } }));
    ws.on('open', () =>
      setTimeout(() => ws.readyState === ws.OPEN && resolve({ opened: { ws, frames, next } }), 50),
    );
    ws.on('error', () => undefined);
  });
}

async function open(port: number): Promise<Opened> {
  const result = await connect(port);
  if (!('opened' in result)) throw new Error(`expected to connect: ${JSON.stringify(result)}`);
  expect(await result.opened.next()).toEqual({ type: 'hello', protocol: 'paddock.v1' });
  return result.opened;
}

describe('WebSocket transport', () => {
  it('answers calls from a client with the token and no Origin (the CLI)', async () => {
    const { server } = await start();
    const client = await open(server.port);
    client.ws.send(JSON.stringify({ type: 'call', id: 7, name: 'system.info', input: {} }));
    expect(await client.next()).toMatchObject({
      type: 'result',
      id: 7,
      ok: true,
      value: { host: 'serve' },
    });
    client.ws.close();
  });

  it('listens on 127.0.0.1 only', async () => {
    const { server } = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
  });

  it.each([
    ['a missing token', null],
    ['a wrong token', 'cd'.repeat(32)],
    ['a token of the wrong length', 'ab'],
  ])('refuses %s, saying why', async (_label, token) => {
    const { server } = await start();
    expect(await connect(server.port, { token })).toEqual({
      closed: { code: 4401, reason: 'missing or wrong access token' },
    });
  });

  it('refuses a foreign Origin and a foreign Host before upgrading', async () => {
    const { server } = await start();
    expect(await connect(server.port, { origin: 'https://evil.example' })).toEqual({
      refused: '403',
    });
    expect(await connect(server.port, { origin: 'null' })).toEqual({ refused: '403' });
    expect(await connect(server.port, { host: `attacker.example:${server.port}` })).toEqual({
      refused: '403',
    });
    expect(
      'opened' in (await connect(server.port, { origin: `http://127.0.0.1:${server.port}` })),
    ).toBe(true);
  });

  it('survives garbage frames: each gets an error, the connection keeps working', async () => {
    const { server } = await start();
    const client = await open(server.port);
    for (const garbage of [
      'not json',
      '[1,2]',
      'null',
      '{"type":"call"}',
      '{"type":"call","id":"x"}',
      '{"type":"launch"}',
      '{"type":"subscribe","topic":"secrets"}',
      '{"type":"call","id":1,"name":{"toString":1}}',
    ]) {
      client.ws.send(garbage);
    }
    client.ws.send(Buffer.from([0, 1, 2]), { binary: true });
    const answers = await Promise.all(Array.from({ length: 9 }, () => client.next()));
    expect(
      answers.filter((a) => a.type === 'error').map((a) => (a.error as { code: string }).code),
    ).toEqual(Array(8).fill('bad-frame'));
    expect(answers.find((a) => a.type === 'result')).toMatchObject({
      id: 1,
      ok: false,
      error: { code: 'unknown-call' },
    });
    client.ws.send(
      JSON.stringify({ type: 'call', id: 2, name: 'audit.list', input: { limit: 'x' } }),
    );
    expect(await client.next()).toMatchObject({ id: 2, ok: false, error: { code: 'bad-input' } });
    client.ws.send(JSON.stringify({ type: 'call', id: 3, name: 'system.info', input: {} }));
    expect(await client.next()).toMatchObject({ id: 3, ok: true });
    client.ws.close();
  });

  it('closes a connection that sends an oversized message, and keeps serving the others', async () => {
    const { server } = await start();
    const big = await open(server.port);
    const other = await open(server.port);
    const closed = new Promise<number>((resolve) => big.ws.on('close', (code) => resolve(code)));
    big.ws.send(
      JSON.stringify({
        type: 'call',
        id: 1,
        name: 'audit.search',
        input: { text: 'x'.repeat(200 * 1024) },
      }),
    );
    expect(await closed).toBe(1009);
    other.ws.send(JSON.stringify({ type: 'call', id: 9, name: 'system.info', input: {} }));
    expect(await other.next()).toMatchObject({ id: 9, ok: true });
    other.ws.close();
  });

  it('pushes audit events to subscribers as the core writes them', async () => {
    const { server, paddock } = await start();
    const client = await open(server.port);
    client.ws.send(JSON.stringify({ type: 'subscribe', topic: 'audit.appended' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    paddock.store.append({ kind: 'test.live', actor: 'system', actorId: 'test' });
    expect(await client.next()).toMatchObject({
      type: 'event',
      topic: 'audit.appended',
      payload: [{ kind: 'test.live' }],
    });
    client.ws.send(JSON.stringify({ type: 'unsubscribe', topic: 'audit.appended' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    paddock.store.append({ kind: 'test.unheard', actor: 'system', actorId: 'test' });
    client.ws.send(JSON.stringify({ type: 'call', id: 1, name: 'system.info', input: {} }));
    expect(await client.next()).toMatchObject({ type: 'result', id: 1 });
    client.ws.close();
  });
});

describe('static renderer', () => {
  function get(port: number, path: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      },
    );
  }

  it('serves the built page with a strict CSP, and nothing outside its folder', async () => {
    const root = tempDir();
    const dir = join(root, 'renderer');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Paddock</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'do not serve');
    const { server } = await start(dir);
    const page = await get(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/Paddock/);
    expect(page.headers['content-security-policy']).toMatch(
      /script-src 'self'.*connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/,
    );
    expect((await get(server.port, '/assets/app.js')).headers['content-type']).toMatch(
      /javascript/,
    );
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e%2fsecret.txt',
    ]) {
      expect((await get(server.port, path)).status).toBe(404);
    }
    expect((await get(server.port, '/', { Host: 'rebound.example' })).status).toBe(403);
  });
});
