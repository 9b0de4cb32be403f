import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenCounts } from '../../../shared/costs';
import { createUsageMeter, MAX_METERED_BYTES, type MeteredUsage } from './usage';

type Shape = 'anthropic' | 'chat' | 'responses';

const SSE = 'text/event-stream; charset=utf-8';
const JSON_TYPE = 'application/json';
const PATHS: Record<Shape, string> = {
  anthropic: '/v1/messages?beta=true',
  chat: '/v1/chat/completions',
  responses: '/v1/responses',
};
const PROVIDERS = { anthropic: 'anthropic', chat: 'openai', responses: 'openai' } as const;

/** Text with characters of 2, 3 and 4 bytes, so byte splits land inside them. */
const TEXT = ['Hé', 'llo — ', 'ça ', 'va ✓ ', '日本語 ', '🦀 done.'];

const sse = (event: string | null, data: unknown, eol = '\n'): string =>
  (event ? `event: ${event}${eol}` : '') + `data: ${JSON.stringify(data)}${eol}${eol}`;

/** What an Anthropic server sends, streamed, for a response that used `tokens`. */
function anthropicStream(
  tokens: TokenCounts,
  options: { eol?: string; deltas?: number; deltaUsage?: Partial<TokenCounts> } = {},
): string {
  const eol = options.eol ?? '\n';
  const model = 'claude-sonnet-4-5-20250929';
  let body = sse(
    'message_start',
    {
      type: 'message_start',
      message: {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        type: 'message',
        role: 'assistant',
        content: [],
        model,
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: tokens.input,
          cache_creation_input_tokens: tokens.cacheWrite,
          cache_read_input_tokens: tokens.cacheRead,
          output_tokens: 1,
          service_tier: 'standard',
        },
      },
    },
    eol,
  );
  body += sse(
    'content_block_start',
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    eol,
  );
  body += `event: ping${eol}data: {"type": "ping"}${eol}${eol}`;
  for (let i = 0; i < (options.deltas ?? TEXT.length); i++) {
    body += sse(
      'content_block_delta',
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: TEXT[i % TEXT.length] },
      },
      eol,
    );
  }
  body += sse('content_block_stop', { type: 'content_block_stop', index: 0 }, eol);
  const usage: Record<string, number> = { output_tokens: tokens.output };
  const update = options.deltaUsage ?? {};
  if (update.input !== undefined) usage.input_tokens = update.input;
  if (update.cacheWrite !== undefined) usage.cache_creation_input_tokens = update.cacheWrite;
  if (update.cacheRead !== undefined) usage.cache_read_input_tokens = update.cacheRead;
  body += sse(
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage,
    },
    eol,
  );
  body += sse('message_stop', { type: 'message_stop' }, eol);
  return body;
}

function anthropicJson(tokens: TokenCounts): string {
  return JSON.stringify({
    id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
    type: 'message',
    role: 'assistant',
    model: 'claude-opus-4-1-20250805',
    content: [{ type: 'text', text: TEXT.join('') }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: tokens.input,
      cache_creation_input_tokens: tokens.cacheWrite,
      cache_read_input_tokens: tokens.cacheRead,
      cache_creation: {
        ephemeral_5m_input_tokens: tokens.cacheWrite,
        ephemeral_1h_input_tokens: 0,
      },
      output_tokens: tokens.output,
      service_tier: 'standard',
    },
  });
}

/** OpenAI's usage for `tokens`: cached tokens counted inside the prompt's. */
function chatUsage(tokens: TokenCounts): Record<string, unknown> {
  return {
    prompt_tokens: tokens.input + tokens.cacheRead,
    completion_tokens: tokens.output,
    total_tokens: tokens.input + tokens.cacheRead + tokens.output,
    prompt_tokens_details: { cached_tokens: tokens.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
}

function chatStream(
  tokens: TokenCounts | null,
  options: { eol?: string; deltas?: number } = {},
): string {
  const eol = options.eol ?? '\n';
  const head = {
    id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
    object: 'chat.completion.chunk',
    created: 1_741_570_283,
    model: 'gpt-4o-2024-08-06',
    system_fingerprint: 'fp_eb9dce56a8',
  };
  const withUsage = tokens ? { usage: null } : {};
  let body = sse(
    null,
    {
      ...head,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      ...withUsage,
    },
    eol,
  );
  for (let i = 0; i < (options.deltas ?? TEXT.length); i++) {
    body += sse(
      null,
      {
        ...head,
        choices: [{ index: 0, delta: { content: TEXT[i % TEXT.length] }, finish_reason: null }],
        ...withUsage,
      },
      eol,
    );
  }
  body += sse(
    null,
    { ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], ...withUsage },
    eol,
  );
  if (tokens) body += sse(null, { ...head, choices: [], usage: chatUsage(tokens) }, eol);
  return body + `data: [DONE]${eol}${eol}`;
}

function chatJson(tokens: TokenCounts): string {
  return JSON.stringify({
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion',
    created: 1_741_569_952,
    model: 'gpt-4.1-2025-04-14',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: TEXT.join(''), refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: chatUsage(tokens),
    service_tier: 'default',
  });
}

function responsesUsage(tokens: TokenCounts): Record<string, unknown> {
  return {
    input_tokens: tokens.input + tokens.cacheRead,
    input_tokens_details: { cached_tokens: tokens.cacheRead },
    output_tokens: tokens.output,
    output_tokens_details: { reasoning_tokens: Math.floor(tokens.output / 2) },
    total_tokens: tokens.input + tokens.cacheRead + tokens.output,
  };
}

function responseObject(status: string, usage: Record<string, unknown> | null, text: string) {
  return {
    id: 'resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41',
    object: 'response',
    created_at: 1_741_476_777,
    status,
    model: 'gpt-5-codex',
    output:
      usage === null
        ? []
        : [
            {
              id: 'msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41',
              type: 'message',
              status: 'completed',
              role: 'assistant',
              content: [{ type: 'output_text', text, annotations: [] }],
            },
          ],
    usage,
  };
}

function responsesStream(
  tokens: TokenCounts,
  options: { eol?: string; deltas?: number; end?: string } = {},
): string {
  const eol = options.eol ?? '\n';
  const end = options.end ?? 'response.completed';
  let sequence = 0;
  let body = sse(
    'response.created',
    {
      type: 'response.created',
      sequence_number: sequence++,
      response: responseObject('in_progress', null, ''),
    },
    eol,
  );
  let text = '';
  for (let i = 0; i < (options.deltas ?? TEXT.length); i++) {
    const delta = TEXT[i % TEXT.length] ?? '';
    text += delta;
    body += sse(
      'response.output_text.delta',
      {
        type: 'response.output_text.delta',
        sequence_number: sequence++,
        item_id: 'msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41',
        output_index: 0,
        content_index: 0,
        delta,
      },
      eol,
    );
  }
  body += sse(
    end,
    {
      type: end,
      sequence_number: sequence,
      response: responseObject(end.slice('response.'.length), responsesUsage(tokens), text),
    },
    eol,
  );
  return body;
}

function responsesJson(tokens: TokenCounts): string {
  return JSON.stringify(responseObject('completed', responsesUsage(tokens), TEXT.join('')));
}

/** Feeds `body` to a fresh meter in pieces cut at `cuts` (byte offsets). */
function meter(
  shape: Shape,
  contentType: string | undefined,
  body: Buffer,
  cuts: number[] = [],
): MeteredUsage | null {
  const usage = createUsageMeter(PROVIDERS[shape], contentType, PATHS[shape]);
  let from = 0;
  for (const cut of [...cuts, body.length]) {
    usage.write(body.subarray(from, cut));
    from = cut;
  }
  return usage.end();
}

/** Every single-byte split, and byte-by-byte. */
function everySplit(shape: Shape, contentType: string, text: string): MeteredUsage | null {
  const body = Buffer.from(text);
  const whole = meter(shape, contentType, body);
  for (let cut = 1; cut < body.length; cut++) {
    expect(meter(shape, contentType, body, [cut]), `cut at ${cut}`).toEqual(whole);
  }
  const bytes = Array.from({ length: body.length - 1 }, (_, i) => i + 1);
  expect(meter(shape, contentType, body, bytes), 'byte by byte').toEqual(whole);
  return whole;
}

/** A small deterministic generator, so a failing split can be replayed. */
function randomCuts(length: number, seed: number, pieces: number): number[] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const cuts = new Set<number>();
  while (cuts.size < Math.min(pieces, length - 1)) cuts.add(1 + Math.floor(next() * (length - 1)));
  return [...cuts].sort((a, b) => a - b);
}

/** The tokens a chat completion that reports `usage` is metered at. */
function chatTokens(usage: Record<string, unknown>): TokenCounts | undefined {
  const body = JSON.stringify({ id: 'chatcmpl-1', model: 'gpt-5-2025-08-07', usage });
  return meter('chat', JSON_TYPE, Buffer.from(body))?.tokens;
}

const openaiCounts = (input: number, output: number, cacheRead: number): TokenCounts => ({
  input,
  output,
  cacheWrite: 0,
  cacheRead,
});

const TOKENS: TokenCounts = { input: 472, output: 315, cacheWrite: 2_048, cacheRead: 91_337 };
const OPENAI_TOKENS: TokenCounts = { input: 176, output: 1_045, cacheWrite: 0, cacheRead: 1_024 };

const ANTHROPIC_STREAMED = {
  model: 'claude-sonnet-4-5-20250929',
  messageId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
};
const RESPONSE = {
  model: 'gpt-5-codex',
  messageId: 'resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41',
};

/** Each shape: a JSON body and a stream, as a server sends them, and who it says answered. */
const SHAPES = [
  {
    title: 'Anthropic Messages',
    shape: 'anthropic' as const,
    tokens: TOKENS,
    json: anthropicJson(TOKENS),
    jsonFrom: { model: 'claude-opus-4-1-20250805', messageId: 'msg_013Zva2CMHLNnXjNJJKqJ2EF' },
    stream: (eol: string, deltas?: number) => anthropicStream(TOKENS, { eol, deltas }),
    streamFrom: ANTHROPIC_STREAMED,
  },
  {
    title: 'OpenAI chat completions',
    shape: 'chat' as const,
    tokens: OPENAI_TOKENS,
    json: chatJson(OPENAI_TOKENS),
    jsonFrom: { model: 'gpt-4.1-2025-04-14', messageId: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT' },
    stream: (eol: string, deltas?: number) => chatStream(OPENAI_TOKENS, { eol, deltas }),
    streamFrom: { model: 'gpt-4o-2024-08-06', messageId: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG' },
  },
  {
    title: 'OpenAI Responses',
    shape: 'responses' as const,
    tokens: OPENAI_TOKENS,
    json: responsesJson(OPENAI_TOKENS),
    jsonFrom: RESPONSE,
    stream: (eol: string, deltas?: number) => responsesStream(OPENAI_TOKENS, { eol, deltas }),
    streamFrom: RESPONSE,
  },
];

describe.each(SHAPES)('$title', ({ shape, tokens, json, jsonFrom, stream, streamFrom }) => {
  it('reads a JSON body in every split', () => {
    expect(everySplit(shape, JSON_TYPE, json)).toEqual({ ...jsonFrom, tokens });
  });

  it('reads a stream in every split, with LF and with CRLF line ends', () => {
    expect(everySplit(shape, SSE, stream('\n'))).toEqual({ ...streamFrom, tokens });
    expect(everySplit(shape, SSE, stream('\r\n'))).toEqual({ ...streamFrom, tokens });
    expect(meter(shape, SSE, Buffer.from(stream('\r')))).toEqual({ ...streamFrom, tokens });
  });

  it('reads a long stream in random splits', () => {
    const body = Buffer.from(stream('\n', 3_000));
    expect(body.length).toBeGreaterThan(300_000);
    for (const seed of [1, 2, 42, 2026]) {
      for (const pieces of [7, 300, 5_000, 50_000]) {
        const cuts = randomCuts(body.length, seed, pieces);
        expect(meter(shape, SSE, body, cuts), `seed ${seed}, ${pieces} pieces`).toEqual({
          ...streamFrom,
          tokens,
        });
      }
    }
  });
});

describe('Anthropic Messages', () => {
  it('takes the input and cache counts of a later message_delta over message_start’s', () => {
    const final = { input: 12, output: 503, cacheWrite: 0, cacheRead: 88_000 };
    const body = anthropicStream(
      { input: 9, output: 503, cacheWrite: 700, cacheRead: 4_000 },
      { deltaUsage: { input: 12, cacheWrite: 0, cacheRead: 88_000 } },
    );
    expect(everySplit('anthropic', SSE, body)?.tokens).toEqual(final);
  });

  it('keeps message_start’s counts for fields no message_delta gives', () => {
    const body = anthropicStream(TOKENS, { deltaUsage: { cacheRead: 5 } });
    expect(meter('anthropic', SSE, Buffer.from(body))?.tokens).toEqual({ ...TOKENS, cacheRead: 5 });
  });

  it('finds no usage in a count_tokens answer or an error', () => {
    expect(meter('anthropic', JSON_TYPE, Buffer.from('{"input_tokens":2095}'))).toBeNull();
    const error = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
    expect(meter('anthropic', JSON_TYPE, Buffer.from(error))).toBeNull();
    expect(meter('anthropic', SSE, Buffer.from(sse('error', JSON.parse(error))))).toBeNull();
  });
});

describe('OpenAI chat completions', () => {
  it('maps prompt − cached to input and cached to cache reads', () => {
    const details = { prompt_tokens_details: { cached_tokens: 1_920 } };
    expect(chatTokens({ prompt_tokens: 2_006, completion_tokens: 300, ...details })).toEqual(
      openaiCounts(86, 300, 1_920),
    );
    expect(chatTokens({ prompt_tokens: 2_006, completion_tokens: 300 })).toEqual(
      openaiCounts(2_006, 300, 0),
    );
  });

  it('finds no usage in a stream the client did not ask usage of', () => {
    expect(meter('chat', SSE, Buffer.from(chatStream(null)))).toBeNull();
  });
});

describe('OpenAI Responses', () => {
  it('reads the usage of response.incomplete and response.failed', () => {
    for (const end of ['response.incomplete', 'response.failed']) {
      const body = Buffer.from(responsesStream(OPENAI_TOKENS, { end }));
      expect(meter('responses', SSE, body)?.tokens, end).toEqual(OPENAI_TOKENS);
    }
  });

  it('finds no usage in a stream cut off before its end', () => {
    const body = responsesStream(OPENAI_TOKENS);
    const cut = body.lastIndexOf('event: response.completed');
    expect(meter('responses', SSE, Buffer.from(body.slice(0, cut)))).toBeNull();
  });

  it('tells the Responses API by the request path', () => {
    const body = Buffer.from(responsesJson(OPENAI_TOKENS));
    for (const path of ['/v1/responses', '/openai/v1/responses?stream=false', '/v1/responses/']) {
      const usage = createUsageMeter('openai', JSON_TYPE, path);
      usage.write(body);
      expect(usage.end()?.tokens, path).toEqual(OPENAI_TOKENS);
    }
    const chat = createUsageMeter('openai', JSON_TYPE, '/v1/chat/completions');
    chat.write(body);
    expect(chat.end()).toBeNull();
  });
});

describe('a meter', () => {
  it('answers null, never throws, for malformed bodies', () => {
    const cases: [Shape, string | undefined, string][] = [
      ['anthropic', JSON_TYPE, anthropicJson(TOKENS).slice(0, -1)],
      ['anthropic', JSON_TYPE, '[1,2,3]'],
      ['anthropic', JSON_TYPE, ''],
      ['chat', JSON_TYPE, 'not json'],
      ['chat', 'text/html', '<html>502 Bad Gateway</html>'],
      ['chat', undefined, '\u0000\u0001\u00ff'],
      ['anthropic', SSE, 'event: message_start\ndata: {"type":"message_start","message":\n\n'],
      ['anthropic', SSE, 'event: message_delta\ndata: 7\n\n'],
      ['chat', SSE, 'data: {"id": "x", "usage": \n\n'],
      ['responses', SSE, 'event: response.completed\ndata: nope\n\n'],
      ['responses', SSE, ''],
    ];
    for (const [shape, type, body] of cases) {
      expect(meter(shape, type, Buffer.from(body)), `${shape} ${body.slice(0, 30)}`).toBeNull();
    }
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    for (const shape of ['anthropic', 'chat', 'responses'] as const) {
      for (const type of [SSE, JSON_TYPE]) {
        expect(() => meter(shape, type, bytes, randomCuts(bytes.length, 3, 100))).not.toThrow();
      }
    }
  });

  it('treats a count that is not a non-negative integer as missing', () => {
    const message = (usage: Record<string, unknown>) =>
      Buffer.from(JSON.stringify({ id: 'msg_1', model: 'claude-haiku-4-5', usage }));
    expect(
      meter(
        'anthropic',
        JSON_TYPE,
        message({
          input_tokens: -3,
          output_tokens: 2.5,
          cache_creation_input_tokens: '100',
          cache_read_input_tokens: 40,
        }),
      )?.tokens,
    ).toEqual({ input: 0, output: 0, cacheWrite: 0, cacheRead: 40 });
    expect(
      meter('anthropic', JSON_TYPE, message({ input_tokens: null, output_tokens: 1e300 })),
    ).toBeNull();
    // A later message_delta's bad count leaves the earlier one standing.
    const body = anthropicStream(TOKENS).replace(
      `"usage":{"output_tokens":${TOKENS.output}}`,
      `"usage":{"output_tokens":-1,"input_tokens":"12"}`,
    );
    expect(meter('anthropic', SSE, Buffer.from(body))?.tokens).toEqual({ ...TOKENS, output: 1 });
    // More cached than prompt tokens is no count of the prompt's.
    const details = { prompt_tokens_details: { cached_tokens: 11 } };
    expect(chatTokens({ prompt_tokens: 10, completion_tokens: 5, ...details })).toEqual(
      openaiCounts(10, 5, 0),
    );
  });

  it('records an id or model that is not a name as unknown', () => {
    const body = JSON.stringify({ id: 7, model: 'm'.repeat(600), usage: { input_tokens: 1 } });
    expect(meter('anthropic', JSON_TYPE, Buffer.from(body))).toEqual({
      model: null,
      messageId: null,
      tokens: { input: 1, output: 0, cacheWrite: 0, cacheRead: 0 },
    });
  });

  it('gives up on a JSON body over 16 MiB', () => {
    const usage = createUsageMeter('anthropic', JSON_TYPE, '/v1/messages');
    const head = Buffer.from(`{"id":"msg_1","model":"claude-haiku-4-5","content":"`);
    const filler = Buffer.alloc(1024 * 1024, 'a');
    usage.write(head);
    for (let i = 0; i < 16; i++) usage.write(filler);
    usage.write(Buffer.from(`","usage":{"input_tokens":1,"output_tokens":1}}`));
    expect(usage.end()).toBeNull();
    // Just under the limit is read.
    const under = createUsageMeter('anthropic', JSON_TYPE, '/v1/messages');
    under.write(head);
    for (let i = 0; i < 15; i++) under.write(filler);
    under.write(Buffer.from(`","usage":{"input_tokens":1,"output_tokens":1}}`));
    expect(under.end()?.tokens.input).toBe(1);
  });

  it('reads a stream longer than 16 MiB one event at a time, and gives up on one event over it', () => {
    const usage = createUsageMeter('anthropic', 'text/event-stream', '/v1/messages');
    const [start, ...rest] = anthropicStream(TOKENS).split('event: content_block_start');
    usage.write(Buffer.from(start ?? ''));
    const delta = Buffer.from(
      sse('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'x'.repeat(64 * 1024) },
      }),
    );
    for (let written = 0; written < MAX_METERED_BYTES + 1024 * 1024; written += delta.length) {
      usage.write(delta);
    }
    usage.write(
      Buffer.from('event: content_block_start' + rest.join('event: content_block_start')),
    );
    expect(usage.end()?.tokens).toEqual(TOKENS);

    const huge = createUsageMeter('anthropic', 'text/event-stream', '/v1/messages');
    huge.write(Buffer.from('event: message_delta\ndata: {"type":"message_delta","pad":"'));
    const filler = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i <= 16; i++) huge.write(filler);
    huge.write(Buffer.from('","usage":{"output_tokens":5}}\n\n'));
    expect(huge.end()).toBeNull();
  });

  it('answers the same at a second end, and ignores writes after the first', () => {
    const usage = createUsageMeter('openai', JSON_TYPE, '/v1/chat/completions');
    usage.write(Buffer.from(chatJson(OPENAI_TOKENS)));
    const first = usage.end();
    usage.write(Buffer.from('garbage'));
    expect(usage.end()).toEqual(first);
    expect(first?.tokens).toEqual(OPENAI_TOKENS);
  });

  it('joins an event’s data lines, and ends a line at CRLF once, in every split', () => {
    const message = JSON.stringify({
      type: 'message_start',
      message: {
        id: 'msg_é✓🦀',
        model: 'claude-haiku-4-5',
        usage: { input_tokens: 3, output_tokens: 1 },
      },
    });
    const lines = message.replace('"message":', '"message":\n').split('\n');
    for (const eol of ['\n', '\r\n', '\r']) {
      const body =
        `: keep-alive${eol}event: message_start${eol}` +
        lines.map((line) => `data: ${line}${eol}`).join('') +
        eol +
        `event: message_delta${eol}data:{"type":"message_delta","usage":{"output_tokens":9}}${eol}${eol}`;
      expect(everySplit('anthropic', SSE, body), JSON.stringify(eol)).toEqual({
        model: 'claude-haiku-4-5',
        messageId: 'msg_é✓🦀',
        tokens: { input: 3, output: 9, cacheWrite: 0, cacheRead: 0 },
      });
    }
  });

  it('counts an event whose stream ended without the last blank line', () => {
    const body = chatStream(OPENAI_TOKENS).replace(/\n\ndata: \[DONE\]\n\n$/, '');
    expect(meter('chat', SSE, Buffer.from(body))?.tokens).toEqual(OPENAI_TOKENS);
  });
});

describe('over a loopback connection', () => {
  const bodies: Record<string, { type: string; body: string }> = {
    '/anthropic/json': { type: JSON_TYPE, body: anthropicJson(TOKENS) },
    '/anthropic/sse': { type: SSE, body: anthropicStream(TOKENS, { deltas: 400 }) },
    '/chat/json': { type: JSON_TYPE, body: chatJson(OPENAI_TOKENS) },
    '/chat/sse': { type: SSE, body: chatStream(OPENAI_TOKENS, { deltas: 400 }) },
    '/responses/json': { type: JSON_TYPE, body: responsesJson(OPENAI_TOKENS) },
    '/responses/sse': { type: SSE, body: responsesStream(OPENAI_TOKENS, { deltas: 400 }) },
  };
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const found = bodies[req.url ?? ''];
      if (!found) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': found.type });
      // Written in uneven pieces, as a server streams.
      const body = Buffer.from(found.body);
      const cuts = randomCuts(body.length, body.length, 40);
      let from = 0;
      for (const cut of [...cuts, body.length]) {
        res.write(body.subarray(from, cut));
        from = cut;
      }
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function fetchMetered(path: string, shape: Shape): Promise<MeteredUsage | null> {
    return new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path }, (res) => {
        const usage = createUsageMeter(PROVIDERS[shape], res.headers['content-type'], PATHS[shape]);
        res.on('data', (chunk: Buffer) => usage.write(chunk));
        res.on('end', () => resolve(usage.end()));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
  }

  it('meters what each server sent', async () => {
    expect((await fetchMetered('/anthropic/json', 'anthropic'))?.tokens).toEqual(TOKENS);
    expect((await fetchMetered('/anthropic/sse', 'anthropic'))?.tokens).toEqual(TOKENS);
    expect((await fetchMetered('/chat/json', 'chat'))?.tokens).toEqual(OPENAI_TOKENS);
    expect((await fetchMetered('/chat/sse', 'chat'))?.tokens).toEqual(OPENAI_TOKENS);
    expect((await fetchMetered('/responses/json', 'responses'))?.tokens).toEqual(OPENAI_TOKENS);
    expect((await fetchMetered('/responses/sse', 'responses'))?.tokens).toEqual(OPENAI_TOKENS);
  });
});
