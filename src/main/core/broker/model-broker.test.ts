import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../test-support/loopback';
import { createUsageMeter } from '../costs';
import { createSessionCa, type SessionCa } from '../proxy';
import type { CallPreview } from './call-preview';
import {
  brokerBaseUrls,
  ModelBroker,
  type BrokerCallRecord,
  type BrokerCredential,
  type ModelBrokerOptions,
} from './model-broker';
import { newPlaceholder } from './placeholders';

const ANTHROPIC_KEY = 'sk-ant-api03-REALKEY-0123456789abcdefghijklmnopqrstuvwxyz';
const OPENAI_KEY = 'sk-proj-REALOPENAIKEY-abcdefghijklmnopqrstuvwxyz0123456789';

/** Plays the public CA the real APIs' certificates come from. */
let publicCa: SessionCa;
let dir: string;
let socketCount = 0;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  publicCa = await createSessionCa('broker-test-public');
  dir = mkdtempSync(join(tmpdir(), 'paddock-broker-'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => unknown;

/** A loopback upstream (plain or TLS with a leaf from the test's public CA) recording requests. */
async function upstream(handler: Handler, tls = false): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(entry);
      void handler(req, res, entry);
    });
  };
  const leaf = tls ? await publicCa.leafFor('127.0.0.1') : null;
  const server: Server = leaf
    ? createHttpsServer({ cert: leaf.cert, key: leaf.key }, onRequest)
    : createHttpServer(onRequest);
  const port = await listenOnLoopback(server, cleanups);
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, seen };
}

const anthropicPlaceholder = newPlaceholder('ANTHROPIC_API_KEY');
const openaiPlaceholder = newPlaceholder('OPENAI_API_KEY');

function credentials(): ModelBrokerOptions['credentials'] {
  return {
    anthropic: {
      placeholder: anthropicPlaceholder,
      value: () => Promise.resolve(ANTHROPIC_KEY),
      header: 'x-api-key',
    },
    openai: {
      placeholder: openaiPlaceholder,
      value: () => Promise.resolve(OPENAI_KEY),
      header: 'authorization-bearer',
    },
  };
}

async function startBroker(
  overrides: Partial<ModelBrokerOptions> = {},
): Promise<{ socketPath: string; calls: BrokerCallRecord[]; broker: ModelBroker }> {
  const calls: BrokerCallRecord[] = [];
  const socketPath = join(dir, `broker-${socketCount++}.sock`);
  const broker = await ModelBroker.start({
    socketPath,
    credentials: credentials(),
    upstreamCa: [publicCa.certPem],
    onCall: (record) => calls.push(record),
    ...overrides,
  });
  cleanups.push(() => broker.close());
  return { socketPath, calls, broker };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: string;
}

/** A request through the broker's Unix socket, as the bridged agent would send it. */
function send(
  socketPath: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | string[];
    onChunk?: (chunk: string) => void;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: options.method ?? 'POST',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          options.onChunk?.(chunk.toString());
        });
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, body: raw.toString() });
        });
      },
    );
    req.on('error', reject);
    const body = options.body ?? [];
    for (const part of Array.isArray(body) ? body : [body]) req.write(part);
    req.end();
  });
}

/** Everything the agent got back, head and body, as one text to search. */
function everything(reply: Reply): string {
  return `${JSON.stringify(reply.headers)}\n${reply.body}`;
}

/** Waits for the calls' records: they are written when the agent's response closes. */
async function records(calls: BrokerCallRecord[], count: number): Promise<BrokerCallRecord[]> {
  for (let i = 0; i < 200 && calls.length < count; i++) await new Promise((r) => setTimeout(r, 5));
  return calls;
}

const messagesBody = JSON.stringify({
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'hi' }],
});

const messageReply = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  content: [{ type: 'text', text: 'hello' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 12, output_tokens: 3 },
};

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

describe('ModelBroker: Anthropic', () => {
  it('swaps the placeholder for the real key over verified TLS, and records the call', async () => {
    const api = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(messageReply));
    }, true);
    const { socketPath, calls } = await startBroker({ upstreams: { anthropic: api.url } });
    const reply = await send(socketPath, {
      path: '/anthropic/v1/messages?beta=true',
      headers: {
        'x-api-key': anthropicPlaceholder,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        connection: 'keep-alive, x-hop',
        'x-hop': 'not for upstream',
      },
      body: messagesBody,
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual(messageReply);
    expect(api.seen).toHaveLength(1);
    const seen = api.seen[0] as Seen;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/v1/messages?beta=true');
    expect(seen.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(seen.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen.headers['x-hop']).toBeUndefined();
    expect(seen.headers['accept-encoding']).toBe('identity');
    expect(seen.body).toBe(messagesBody);
    expect(JSON.stringify(seen.headers)).not.toContain(anthropicPlaceholder);
    expect(everything(reply)).not.toContain(ANTHROPIC_KEY);
    const [record] = await records(calls, 1);
    expect(record).toMatchObject({
      provider: 'anthropic',
      method: 'POST',
      path: '/anthropic/v1/messages?beta=true',
      status: 200,
      bytesUp: Buffer.byteLength(messagesBody),
      bytesDown: Buffer.byteLength(JSON.stringify(messageReply)),
      refused: null,
      failed: null,
    });
    expect(record?.durationMs).toBeGreaterThan(0);
  });

  it('streams server-sent events as they come, before the upstream has finished', async () => {
    let release = (): void => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const api = await upstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(
        sse('message_start', { type: 'message_start', message: { usage: { input_tokens: 5 } } }),
      );
      res.write(
        sse('content_block_delta', {
          type: 'content_block_delta',
          delta: { type: 'text_delta', text: 'Hel' },
        }),
      );
      // The rest comes only once the agent has seen the first events: a buffering broker hangs.
      await released;
      res.write(sse('message_delta', { type: 'message_delta', usage: { output_tokens: 2 } }));
      res.end(sse('message_stop', { type: 'message_stop' }));
    });
    const { socketPath, calls } = await startBroker({ upstreams: { anthropic: api.url } });
    let received = '';
    const reply = await send(socketPath, {
      path: '/anthropic/v1/messages?beta=true',
      headers: { 'x-api-key': anthropicPlaceholder, 'content-type': 'application/json' },
      body: messagesBody,
      onChunk: (chunk) => {
        received += chunk;
        if (received.includes('"text":"Hel"}}\n\n')) release();
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/event-stream');
    expect(reply.body.match(/^event: /gm)).toHaveLength(4);
    expect(reply.body.endsWith('data: {"type":"message_stop"}\n\n')).toBe(true);
    expect((await records(calls, 1))[0]?.bytesDown).toBe(reply.raw.length);
  }, 5000);

  it('takes the real key out of echoed headers and bodies, even split across chunks', async () => {
    const half = ANTHROPIC_KEY.length >> 1;
    const api = await upstream(async (_req, res, seen) => {
      const key = String(seen.headers['x-api-key']);
      res.writeHead(200, {
        'content-type': 'text/plain',
        'x-echo-key': `you sent ${key}`,
        'set-cookie': ['a=1', `k=${key}`],
      });
      res.write(`first ${key.slice(0, half)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      res.write(`${key.slice(half)} middle ${key.slice(0, 3)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      res.write(`${key.slice(3)} then a near miss ${key.slice(0, 10)}!`);
      res.end(` last ${key}`);
    });
    const { socketPath } = await startBroker({ upstreams: { anthropic: api.url } });
    const reply = await send(socketPath, {
      path: '/anthropic/v1/echo',
      headers: { 'x-api-key': anthropicPlaceholder },
    });
    expect(api.seen[0]?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(reply.raw.includes(ANTHROPIC_KEY)).toBe(false);
    expect(everything(reply)).not.toContain(ANTHROPIC_KEY);
    expect(reply.headers['x-echo-key']).toBe(`you sent ${anthropicPlaceholder}`);
    expect(reply.headers['set-cookie']).toEqual(['a=1', `k=${anthropicPlaceholder}`]);
    const p = anthropicPlaceholder;
    expect(reply.body).toBe(
      `first ${p} middle ${p} then a near miss ${ANTHROPIC_KEY.slice(0, 10)}! last ${p}`,
    );
  });

  it('reads a compressed body the upstream sent anyway, and takes the key out of it', async () => {
    const api = await upstream((_req, res, seen) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ echoed: seen.headers['x-api-key'] })));
    });
    const { socketPath } = await startBroker({ upstreams: { anthropic: api.url } });
    const reply = await send(socketPath, {
      path: '/anthropic/v1/messages',
      headers: { 'x-api-key': anthropicPlaceholder, 'accept-encoding': 'gzip' },
      body: messagesBody,
    });
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(reply.body)).toEqual({ echoed: anthropicPlaceholder });
  });

  it('refuses a body in an encoding it cannot read', async () => {
    const api = await upstream((_req, res, seen) => {
      res.writeHead(200, { 'content-encoding': 'zstd' });
      res.end(String(seen.headers['x-api-key']));
    });
    const { socketPath, calls } = await startBroker({ upstreams: { anthropic: api.url } });
    const reply = await send(socketPath, {
      path: '/anthropic/v1/messages',
      headers: { 'x-api-key': anthropicPlaceholder },
    });
    expect(reply.status).toBe(502);
    expect(reply.body).toMatch(/zstd/);
    expect(everything(reply)).not.toContain(ANTHROPIC_KEY);
    expect((await records(calls, 1))[0]?.failed).toMatch(/zstd/);
  });

  it('supports a bearer token (account sign-in) for Anthropic', async () => {
    const api = await upstream((_req, res) => res.end('ok'));
    const token = newPlaceholder('CLAUDE_CODE_OAUTH_TOKEN');
    const { socketPath } = await startBroker({
      upstreams: { anthropic: api.url },
      credentials: {
        anthropic: {
          placeholder: token,
          value: () => Promise.resolve('oauth-REAL'),
          header: 'authorization-bearer',
        },
      },
    });
    const reply = await send(socketPath, {
      path: '/anthropic/v1/messages',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(reply.status).toBe(200);
    expect(api.seen[0]?.headers.authorization).toBe('Bearer oauth-REAL');
    expect(api.seen[0]?.headers['x-api-key']).toBeUndefined();
  });
});

describe('ModelBroker: endings', () => {
  it('ends the upstream call when the agent leaves mid-stream, and records it', async () => {
    let upstreamClosed = (): void => {};
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const api = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse('ping', { type: 'ping' }));
      res.on('close', () => upstreamClosed());
    });
    const { socketPath, calls } = await startBroker({ upstreams: { anthropic: api.url } });
    await new Promise<void>((resolve) => {
      const req = request(
        {
          socketPath,
          method: 'POST',
          path: '/anthropic/v1/messages',
          headers: { 'x-api-key': anthropicPlaceholder },
        },
        (res) => res.once('data', () => (req.destroy(), resolve())),
      );
      req.on('error', () => {});
      req.end(messagesBody);
    });
    await closed;
    const [record] = await records(calls, 1);
    expect(record).toMatchObject({ provider: 'anthropic', status: 200, refused: null });
  });

  it('close() stops the broker: nothing answers on its socket', async () => {
    const { socketPath, broker } = await startBroker();
    await broker.close();
    await expect(send(socketPath, { path: '/anthropic/v1/messages' })).rejects.toThrow();
  });
});

describe('ModelBroker: OpenAI', () => {
  it('swaps a bearer placeholder, keeping the upstream base path', async () => {
    const api = await upstream((_req, res, seen) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          echo: seen.headers.authorization,
          usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
        }),
      );
    }, true);
    const { socketPath, calls } = await startBroker({
      upstreams: { openai: `${api.url}/gateway/` },
    });
    const reply = await send(socketPath, {
      path: '/openai/v1/chat/completions',
      headers: { authorization: `Bearer ${openaiPlaceholder}`, 'content-type': 'application/json' },
      body: ['{"model":"gpt-5",', '"messages":[]}'],
    });
    expect(reply.status).toBe(200);
    expect(api.seen[0]?.url).toBe('/gateway/v1/chat/completions');
    expect(api.seen[0]?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(api.seen[0]?.body).toBe('{"model":"gpt-5","messages":[]}');
    expect(JSON.parse(reply.body).echo).toBe(`Bearer ${openaiPlaceholder}`);
    expect(everything(reply)).not.toContain(OPENAI_KEY);
    expect((await records(calls, 1))[0]).toMatchObject({
      provider: 'openai',
      status: 200,
      bytesUp: 31,
    });
  });

  it('gives base URLs an agent can use', () => {
    expect(brokerBaseUrls('http://127.0.0.1:4000/')).toEqual({
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000/anthropic',
      OPENAI_BASE_URL: 'http://127.0.0.1:4000/openai/v1',
    });
  });
});

describe('ModelBroker: refusals', () => {
  it.each([
    ['no key', '/anthropic/v1/messages', {}, 401, /no key in x-api-key/],
    [
      'a wrong placeholder',
      '/anthropic/v1/messages',
      { 'x-api-key': newPlaceholder('ANTHROPIC_API_KEY') },
      401,
      /not this session's placeholder/,
    ],
    [
      'a real-looking key',
      '/anthropic/v1/messages',
      { 'x-api-key': 'sk-ant-agents-own' },
      401,
      /not this session's placeholder/,
    ],
    [
      "the other provider's placeholder",
      '/openai/v1/chat/completions',
      { authorization: `Bearer ${anthropicPlaceholder}` },
      401,
      /not this session's placeholder/,
    ],
    [
      'the placeholder outside the bearer scheme',
      '/openai/v1/chat/completions',
      { authorization: `Basic ${openaiPlaceholder}` },
      401,
      /Authorization: Bearer/,
    ],
    [
      'the placeholder in the wrong header',
      '/openai/v1/chat/completions',
      { 'x-api-key': openaiPlaceholder },
      401,
      /no key in Authorization: Bearer/,
    ],
    ['an unknown route', '/v1/messages', { 'x-api-key': anthropicPlaceholder }, 404, /anthropic/],
    ['a prefix lookalike', '/anthropicx/v1', { 'x-api-key': anthropicPlaceholder }, 404, /serves/],
    ['a dot segment', '/anthropic/../openai/v1', { 'x-api-key': anthropicPlaceholder }, 400, /dot/],
  ] as const)(
    'refuses %s, records it, and sends nothing upstream',
    async (_what, path, headers, status, reason) => {
      const api = await upstream((_req, res) => res.end('should not be reached'));
      const { socketPath, calls } = await startBroker({
        upstreams: { anthropic: api.url, openai: api.url },
      });
      const reply = await send(socketPath, { path, headers: { ...headers }, body: 'x' });
      expect(reply.status).toBe(status);
      expect(reply.headers['content-type']).toMatch(/^text\/plain/);
      expect(reply.body).toMatch(reason);
      expect(reply.body).not.toContain('sk-ant-agents-own');
      expect(api.seen).toHaveLength(0);
      const [record] = await records(calls, 1);
      expect(record?.status).toBe(status);
      expect(record?.refused).toMatch(reason);
    },
  );

  it('refuses a provider the session has no credential for', async () => {
    const api = await upstream((_req, res) => res.end('no'));
    const { anthropic } = credentials();
    const { socketPath, calls } = await startBroker({
      upstreams: { openai: api.url },
      credentials: { ...(anthropic ? { anthropic } : {}) },
    });
    const reply = await send(socketPath, {
      path: '/openai/v1/models',
      method: 'GET',
      headers: { authorization: `Bearer ${openaiPlaceholder}` },
    });
    expect(reply.status).toBe(403);
    expect(api.seen).toHaveLength(0);
    expect((await records(calls, 1))[0]?.refused).toMatch(/no openai credential/);
  });

  it('refuses when the vault cannot give the key, without sending anything', async () => {
    const api = await upstream((_req, res) => res.end('no'));
    const failing: BrokerCredential = {
      placeholder: anthropicPlaceholder,
      value: () => Promise.reject(new Error('the keychain is locked')),
      header: 'x-api-key',
    };
    const { socketPath, calls } = await startBroker({
      upstreams: { anthropic: api.url },
      credentials: { anthropic: failing },
    });
    const reply = await send(socketPath, {
      path: '/anthropic/v1/messages',
      headers: { 'x-api-key': anthropicPlaceholder },
    });
    expect(reply.status).toBe(502);
    expect(reply.body).toMatch(/keychain is locked/);
    expect(api.seen).toHaveLength(0);
    expect((await records(calls, 1))[0]?.refused).toMatch(/vault/);
  });

  it('does not trust an upstream certificate outside the default roots and upstreamCa', async () => {
    const api = await upstream((_req, res) => res.end('no'), true);
    const { socketPath, calls } = await startBroker({
      upstreams: { anthropic: api.url },
      upstreamCa: [],
    });
    const reply = await send(socketPath, {
      path: '/anthropic/v1/messages',
      headers: { 'x-api-key': anthropicPlaceholder },
    });
    expect(reply.status).toBe(502);
    expect(api.seen).toHaveLength(0);
    const [record] = await records(calls, 1);
    expect(record).toMatchObject({ status: 502, refused: null });
    expect(record?.failed).toMatch(/upstream failed/);
  });
});

describe('ModelBroker: metering and budgets', () => {
  const chatChunks = [
    { id: 'chatcmpl-9', model: 'gpt-5-2025-08-07', choices: [{ delta: { content: 'hel' } }] },
    { id: 'chatcmpl-9', model: 'gpt-5-2025-08-07', choices: [{ delta: { content: 'lo' } }] },
    {
      id: 'chatcmpl-9',
      model: 'gpt-5-2025-08-07',
      choices: [],
      usage: {
        prompt_tokens: 1500,
        completion_tokens: 42,
        prompt_tokens_details: { cached_tokens: 1024 },
      },
    },
  ];

  it('reads the usage an OpenAI stream reports, with its request id', async () => {
    const api = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_abc123' });
      for (const chunk of chatChunks) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      res.end('data: [DONE]\n\n');
    });
    const { socketPath, calls } = await startBroker({
      upstreams: { openai: api.url },
      meter: createUsageMeter,
    });
    const reply = await send(socketPath, {
      path: '/openai/v1/chat/completions',
      headers: { authorization: `Bearer ${openaiPlaceholder}` },
      body: JSON.stringify({ model: 'gpt-5', stream: true, messages: [] }),
    });
    expect(reply.status).toBe(200);
    expect((await records(calls, 1))[0]).toMatchObject({
      requestId: 'req_abc123',
      usage: {
        model: 'gpt-5-2025-08-07',
        messageId: 'chatcmpl-9',
        tokens: { input: 476, output: 42, cacheWrite: 0, cacheRead: 1024 },
      },
    });
  });

  it('asks before a call goes out: the request previewed; refused, nothing reaches the provider', async () => {
    const api = await upstream((_req, res) => res.end(JSON.stringify(messageReply)));
    const previews: CallPreview[] = [];
    let allow = false;
    const { socketPath, calls } = await startBroker({
      upstreams: { anthropic: api.url },
      admit: async (preview) => {
        previews.push(preview);
        return allow ? { allow: true } : { allow: false, reason: 'budget not raised' };
      },
    });
    const call = () =>
      send(socketPath, {
        path: '/anthropic/v1/messages',
        headers: { 'x-api-key': anthropicPlaceholder },
        // Sent in pieces: the broker reads it whole before asking.
        body: [messagesBody.slice(0, 20), messagesBody.slice(20)],
      });
    const refused = await call();
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('budget not raised');
    expect(api.seen).toHaveLength(0);
    expect(previews[0]).toEqual({
      provider: 'anthropic',
      path: '/v1/messages',
      model: 'claude-sonnet-4-5',
      maxOutputTokens: 64,
      bodyBytes: Buffer.byteLength(messagesBody),
    });
    allow = true;
    expect((await call()).status).toBe(200);
    expect(api.seen.map((seen) => seen.body)).toEqual([messagesBody]);
    const [first, second] = await records(calls, 2);
    expect(first?.refused).toBe('budget not raised');
    expect(second).toMatchObject({ requestedModel: 'claude-sonnet-4-5', refused: null });
  });
});
