/**
 * The providers through the real broker: an OpenAI-compatible server (as Ollama or llama.cpp
 * serve it) with a vault secret of any name, and the ways a model call fails: refused by the
 * broker, an error from upstream, a reply of the wrong shape or size.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../../test-support/loopback';
import { useSecretService } from '../../../test-support/secret-service';
import { tempDir } from '../../../test-support/temp';
import { brokeredProvider, operatorHome, operatorRun } from '../../../test-support/operator';
import { MAX_REPLY_BYTES, ModelCallError } from './providers';
import { OPERATOR_TOOLS } from './protocol';

useSecretService();

const KEY = 'local-llm-key-0123456789abcdefghijklmnopqrstuvwxyz';

interface Recorded {
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** Answers each POST with the next scripted (status, body); records what it got. */
async function scriptedServer(replies: Array<{ status?: number; body: unknown }>) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      const reply = replies[requests.length - 1] ?? { status: 500, body: { error: 'script over' } };
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' }).end(text);
    });
  });
  const port = await listenOnLoopback(server, cleanups);
  return { url: `http://127.0.0.1:${port}`, requests };
}

const chat = (call: { name: string; arguments: string } | null, content: string | null = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'qwen2.5-coder',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content,
        tool_calls: call ? [{ id: 'call_1', type: 'function', function: call }] : undefined,
      },
      finish_reason: call ? 'tool_calls' : 'stop',
    },
  ],
  usage: { prompt_tokens: 300, completion_tokens: 40, total_tokens: 340 },
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setUp(api: 'openai-chat' | 'anthropic-messages', baseUrl: string) {
  const home = tempDir();
  const hostDir = tempDir('paddock-host-');
  const paddock = await operatorHome({
    home,
    hostDir,
    policy: 'version: 1\n',
    secrets: { LOCAL_LLM_KEY: KEY },
  });
  cleanups.push(() => paddock.store.close());
  const provider = await brokeredProvider(
    paddock,
    'ses_provider1',
    { name: 'local', api, baseUrl, secret: 'LOCAL_LLM_KEY' },
    'qwen2.5-coder',
    home,
  );
  cleanups.push(() => provider.close());
  return { home, hostDir, paddock, provider };
}

const request = {
  system: 'system text',
  prompt: 'prompt text',
  tools: OPERATOR_TOOLS,
  maxOutputTokens: 512,
};

describe('the OpenAI-compatible provider', () => {
  it('drives the loop through the broker, with the key from the vault and usage metered', async () => {
    const server = await scriptedServer([
      { body: chat({ name: 'run_command', arguments: '{"thought":"look","command":"ls"}' }) },
      { body: chat({ name: 'finish', arguments: '{"summary":"looked"}' }) },
    ]);
    const { paddock, provider, hostDir } = await setUp('openai-chat', `${server.url}/v1`);
    const result = await operatorRun(paddock, {
      sessionId: 'ses_provider1',
      provider,
      hostDir,
    }).run();
    expect(result).toMatchObject({ outcome: 'finished', summary: 'looked', steps: 2 });
    expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/v1/chat/completions', `Bearer ${KEY}`],
      ['/v1/chat/completions', `Bearer ${KEY}`],
    ]);
    const [first] = server.requests;
    expect(first?.body).toMatchObject({
      model: 'qwen2.5-coder',
      tool_choice: 'required',
      messages: [{ role: 'system' }, { role: 'user' }],
    });
    expect(
      (first?.body.tools as Array<{ type: string; function: { name: string } }>)[0],
    ).toMatchObject({
      type: 'function',
      function: { name: 'run_command' },
    });
    const usage = paddock.store
      .list({ sessionId: 'ses_provider1', limit: 1000 })
      .filter((e) => e.kind === 'cost.usage');
    expect(usage).toHaveLength(2);
    expect(usage[0]?.payload).toMatchObject({
      provider: 'openai',
      tokens: { input: 300, output: 40 },
    });
  });

  it('passes unparsable tool arguments on to the loop’s checks', async () => {
    const server = await scriptedServer([
      { body: chat({ name: 'run_command', arguments: '{"thought":' }) },
    ]);
    const { provider } = await setUp('openai-chat', `${server.url}/v1`);
    const reply = await provider.complete(request);
    expect(reply.calls).toEqual([{ name: 'run_command', input: '{"thought":' }]);
  });
});

describe('a model call that fails', () => {
  it('reports the upstream’s error with its status', async () => {
    const server = await scriptedServer([
      { status: 529, body: { type: 'error', error: { type: 'overloaded_error' } } },
    ]);
    const { provider } = await setUp('anthropic-messages', server.url);
    const error = await provider.complete(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({
      status: 529,
      message: expect.stringContaining('overloaded_error'),
    });
  });

  it('refuses a reply of the wrong shape', async () => {
    const server = await scriptedServer([{ body: { content: 'not a list' } }]);
    const { provider } = await setUp('anthropic-messages', server.url);
    await expect(provider.complete(request)).rejects.toThrow(/not of the API's shape/);
  });

  it('refuses a reply too large to be one', async () => {
    const server = await scriptedServer([{ body: 'x'.repeat(MAX_REPLY_BYTES + 10) }]);
    const { provider } = await setUp('anthropic-messages', server.url);
    await expect(provider.complete(request)).rejects.toThrow(/over 1048576 bytes/);
  });

  it('ends the run as failed, saying why', async () => {
    const server = await scriptedServer([{ status: 401, body: { error: 'bad key' } }]);
    const { paddock, provider, hostDir } = await setUp('anthropic-messages', server.url);
    const result = await operatorRun(paddock, {
      sessionId: 'ses_provider1',
      provider,
      hostDir,
    }).run();
    expect(result).toMatchObject({ outcome: 'failed', steps: 0 });
    expect(result.reason).toMatch(/^the model call failed \(401\)/);
  });
});

describe('opening a provider', () => {
  it('refuses a secret the vault does not hold', async () => {
    const home = tempDir();
    const paddock = await operatorHome({ home, hostDir: home, policy: 'version: 1\n' });
    cleanups.push(() => paddock.store.close());
    await expect(
      brokeredProvider(
        paddock,
        'ses_provider2',
        { name: 'x', api: 'openai-chat', baseUrl: 'http://127.0.0.1:9/v1', secret: 'MISSING_KEY' },
        'm',
        home,
      ),
    ).rejects.toThrow('the vault holds no secret MISSING_KEY');
  });
});
