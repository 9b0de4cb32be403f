/**
 * The operator's model providers: the Anthropic Messages API and OpenAI-compatible chat
 * completions (OpenAI, and local servers such as Ollama or llama.cpp). Both are called through
 * the session's credential broker, on its Unix socket, with the placeholder it gave: the real key
 * never enters this process's requests, the broker meters every call (`cost.usage`) and budgets
 * can refuse one. What comes back is read as hostile: bounded in size, checked with zod.
 */
import { request } from 'node:http';
import { z } from 'zod';
import type { ProviderBroker } from '../broker';
import type { RawToolCall, ToolSpec } from './protocol';

/** No reply of the loop's is this large; a bigger one is refused rather than read. */
export const MAX_REPLY_BYTES = 1024 * 1024;
/** More tool calls than this in one reply are refused unread. */
const MAX_CALLS = 16;

export interface ModelRequest {
  system: string;
  prompt: string;
  tools: readonly ToolSpec[];
  maxOutputTokens: number;
}

export interface ModelReply {
  calls: RawToolCall[];
  /** Text beside the tool calls (shown to the model again if it made no valid call). */
  text: string;
  stopReason: string | null;
  /** Tokens as the reply reports them (the broker meters them on its own). */
  usage: { input: number; output: number } | null;
}

export interface ModelProvider {
  /** The provider's name in `operator.providers`. */
  readonly name: string;
  readonly model: string;
  complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply>;
}

/** A model call that failed: refused by the broker (budget), an upstream error, a bad reply. */
export class ModelCallError extends Error {
  override readonly name = 'ModelCallError';
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export type ProviderApi = 'anthropic-messages' | 'openai-chat';

/** Where a provider's calls go: the broker's socket, and the placeholder it expects. */
export type BrokerEndpoint = Pick<ProviderBroker, 'socketPath' | 'placeholder' | 'header'>;

export function createProvider(options: {
  api: ProviderApi;
  name: string;
  model: string;
  broker: BrokerEndpoint;
}): ModelProvider {
  const { api, name, model, broker } = options;
  const call = api === 'anthropic-messages' ? anthropicCall : openaiCall;
  return {
    name,
    model,
    complete: async (req, signal) =>
      call(model, req, (path, body) => postJson(broker, path, body, signal)),
  };
}

type Post = (path: string, body: unknown) => Promise<unknown>;

const usageCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const anthropicReply = z.object({
  content: z
    .array(
      z.union([
        z.object({ type: z.literal('tool_use'), name: z.string().max(200), input: z.unknown() }),
        z.object({ type: z.literal('text'), text: z.string() }),
        // Thinking and other blocks carry nothing the loop acts on.
        z.object({ type: z.string() }),
      ]),
    )
    .max(100),
  stop_reason: z.string().max(100).nullable().optional(),
  usage: z.object({ input_tokens: usageCount, output_tokens: usageCount }).optional(),
});

async function anthropicCall(model: string, req: ModelRequest, post: Post): Promise<ModelReply> {
  const body = {
    model,
    max_tokens: req.maxOutputTokens,
    system: req.system,
    messages: [{ role: 'user', content: req.prompt }],
    tools: req.tools.map(({ name, description, parameters }) => ({
      name,
      description,
      input_schema: parameters,
    })),
    tool_choice: { type: 'any' },
  };
  const reply = parseReply(anthropicReply, await post('/anthropic/v1/messages', body));
  const calls: RawToolCall[] = [];
  const texts: string[] = [];
  for (const block of reply.content) {
    if ('name' in block && block.type === 'tool_use')
      calls.push({ name: block.name, input: block.input });
    else if ('text' in block && block.type === 'text') texts.push(block.text);
  }
  return {
    calls: calls.slice(0, MAX_CALLS),
    text: texts.join('\n'),
    stopReason: reply.stop_reason ?? null,
    usage: reply.usage
      ? { input: reply.usage.input_tokens, output: reply.usage.output_tokens }
      : null,
  };
}

const openaiReply = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.object({
                function: z.object({ name: z.string().max(200), arguments: z.string() }),
              }),
            )
            .max(100)
            .nullable()
            .optional(),
        }),
        finish_reason: z.string().max(100).nullable().optional(),
      }),
    )
    .min(1, 'the reply has no choices'),
  usage: z.object({ prompt_tokens: usageCount, completion_tokens: usageCount }).nullish(),
});

async function openaiCall(model: string, req: ModelRequest, post: Post): Promise<ModelReply> {
  const body = {
    model,
    max_tokens: req.maxOutputTokens,
    messages: [
      { role: 'system', content: req.system },
      { role: 'user', content: req.prompt },
    ],
    tools: req.tools.map((tool) => ({ type: 'function', function: tool })),
    tool_choice: 'required',
  };
  const reply = parseReply(openaiReply, await post('/openai/chat/completions', body));
  const [choice] = reply.choices as [(typeof reply.choices)[number]];
  const calls = (choice.message.tool_calls ?? []).slice(0, MAX_CALLS).map(({ function: fn }) => ({
    name: fn.name,
    input: argumentsOf(fn.arguments),
  }));
  return {
    calls,
    text: choice.message.content ?? '',
    stopReason: choice.finish_reason ?? null,
    usage: reply.usage
      ? { input: reply.usage.prompt_tokens, output: reply.usage.completion_tokens }
      : null,
  };
}

/** OpenAI sends a tool's input as JSON text; what does not parse is passed on as the text. */
function argumentsOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseReply<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ModelCallError(
      `the model's reply is not of the API's shape: ${z.prettifyError(parsed.error).slice(0, 500)}`,
    );
  return parsed.data;
}

/** POSTs JSON to the broker and reads a JSON answer of at most MAX_REPLY_BYTES. */
function postJson(
  broker: BrokerEndpoint,
  path: string,
  body: unknown,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const payload = Buffer.from(JSON.stringify(body));
  const key =
    broker.header === 'x-api-key'
      ? { 'x-api-key': broker.placeholder, 'anthropic-version': '2023-06-01' }
      : { authorization: `Bearer ${broker.placeholder}` };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: broker.socketPath,
        method: 'POST',
        path,
        headers: { ...key, 'content-type': 'application/json', 'content-length': payload.length },
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_REPLY_BYTES) {
            res.destroy();
            reject(new ModelCallError(`the model's reply is over ${MAX_REPLY_BYTES} bytes`));
          } else chunks.push(chunk);
        });
        res.once('error', (error) => reject(new ModelCallError(error.message)));
        res.once('end', () => settle(res.statusCode ?? 0, Buffer.concat(chunks), resolve, reject));
      },
    );
    req.once('error', (error) =>
      reject(signal?.aborted ? error : new ModelCallError(`the broker failed: ${error.message}`)),
    );
    req.end(payload);
  });
}

function settle(
  status: number,
  body: Buffer,
  resolve: (value: unknown) => void,
  reject: (error: Error) => void,
): void {
  const text = body.toString('utf8');
  if (status < 200 || status > 299)
    return reject(
      new ModelCallError(`the model call failed (${status}): ${text.slice(0, 500)}`, status),
    );
  try {
    resolve(JSON.parse(text) as unknown);
  } catch {
    reject(new ModelCallError(`the model's reply is not JSON: ${text.slice(0, 200)}`));
  }
}
