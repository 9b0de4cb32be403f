/**
 * Usage meters: what a model response says it used, read from the body as it streams past. The
 * broker hands a meter every chunk of the (decoded, identity) response body and asks for the
 * figure at the end. A meter never throws and never holds more than it needs: a JSON body up to
 * 16 MiB, and of a stream (server-sent events) one line and one event at a time. Anything
 * malformed, or too big, and the meter answers null: the call is then recorded as not metered.
 *
 * Shapes read:
 * - Anthropic Messages: JSON `id`, `model`, `usage.{input_tokens, output_tokens,
 *   cache_creation_input_tokens, cache_read_input_tokens}`; streamed, `message_start` carries
 *   `message.{id, model, usage}` and each `message_delta` a cumulative `usage` whose fields
 *   replace the ones before.
 * - OpenAI chat completions: JSON or `data:` chunks with `id`, `model` and (streamed, when the
 *   client asked `stream_options.include_usage`) `usage.{prompt_tokens, completion_tokens,
 *   prompt_tokens_details.cached_tokens}`.
 * - OpenAI Responses (`…/responses`): JSON `id`, `model`, `usage.{input_tokens, output_tokens,
 *   input_tokens_details.cached_tokens}`; streamed, in `response.completed` (or
 *   `response.incomplete`, `response.failed`) as `response.…`.
 * OpenAI counts cached tokens inside the prompt's: input = prompt − cached, cacheRead = cached,
 * cacheWrite = 0 (Anthropic's sense of TokenCounts).
 */
import { StringDecoder } from 'node:string_decoder';
import type { ModelProvider, TokenCounts } from '../../../shared/costs';

export interface MeteredUsage {
  model: string | null;
  messageId: string | null;
  tokens: TokenCounts;
}

export interface UsageMeter {
  /** The next piece of the response body. Keeps a reference to it when the body is JSON. */
  write(chunk: Buffer): void;
  /** The usage the body reported; null when it reported none, or could not be read. */
  end(): MeteredUsage | null;
}

/** The most a meter holds: a whole JSON body (bytes), or one line or event of a stream (characters). */
export const MAX_METERED_BYTES = 16 * 1024 * 1024;

/** Longer ids and model names are not a provider's: recorded as unknown. */
const MAX_NAME = 512;

type Shape = 'anthropic-messages' | 'openai-chat' | 'openai-responses';

export function createUsageMeter(
  provider: ModelProvider,
  contentType: string | undefined,
  requestPath: string,
): UsageMeter {
  const reader = new UsageReader(shapeOf(provider, requestPath));
  return isEventStream(contentType) ? new EventStreamMeter(reader) : new JsonMeter(reader);
}

function shapeOf(provider: ModelProvider, requestPath: string): Shape {
  if (provider === 'anthropic') return 'anthropic-messages';
  const path = (typeof requestPath === 'string' ? requestPath : '').split(/[?#]/)[0] ?? '';
  return /\/responses(\/|$)/.test(path) ? 'openai-responses' : 'openai-chat';
}

function isEventStream(contentType: string | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  return contentType.split(';')[0]?.trim().toLowerCase() === 'text/event-stream';
}

/** A count: a non-negative integer, or undefined (missing, or not a count). */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function label(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME ? value : null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

class Malformed extends Error {}

/** What one response reported so far, fed parsed documents and events. */
class UsageReader {
  private model: string | null = null;
  private messageId: string | null = null;
  private counts: Partial<TokenCounts> = {};

  constructor(private readonly shape: Shape) {}

  /** Whether a stream's event of this name can carry what is read (unnamed ones may). */
  wants(event: string): boolean {
    switch (this.shape) {
      case 'anthropic-messages':
        return event === '' || event === 'message_start' || event === 'message_delta';
      case 'openai-chat':
        return true;
      case 'openai-responses':
        return event === '' || TERMINAL_RESPONSE_EVENTS.has(event);
    }
  }

  /** A whole non-streamed body. */
  document(body: unknown): void {
    const message = record(body);
    if (!message) throw new Malformed();
    this.identify(message);
    if (this.shape === 'anthropic-messages') this.anthropic(message.usage);
    else this.openai(message.usage);
  }

  /** One event's data, parsed. */
  event(data: unknown): void {
    const event = record(data);
    if (!event) throw new Malformed();
    switch (this.shape) {
      case 'anthropic-messages': {
        if (event.type === 'message_start') {
          const message = record(event.message);
          if (!message) return;
          this.identify(message);
          this.anthropic(message.usage);
        } else if (event.type === 'message_delta') {
          this.anthropic(event.usage);
        }
        return;
      }
      case 'openai-chat':
        this.identify(event);
        this.openai(event.usage);
        return;
      case 'openai-responses': {
        if (typeof event.type !== 'string' || !TERMINAL_RESPONSE_EVENTS.has(event.type)) return;
        const response = record(event.response);
        if (!response) return;
        this.identify(response);
        this.openai(response.usage);
        return;
      }
    }
  }

  result(): MeteredUsage | null {
    const { input, output, cacheWrite, cacheRead } = this.counts;
    if ([input, output, cacheWrite, cacheRead].every((value) => value === undefined)) return null;
    return {
      model: this.model,
      messageId: this.messageId,
      tokens: {
        input: input ?? 0,
        output: output ?? 0,
        cacheWrite: cacheWrite ?? 0,
        cacheRead: cacheRead ?? 0,
      },
    };
  }

  private identify(message: Record<string, unknown>): void {
    this.messageId ??= label(message.id);
    this.model ??= label(message.model);
  }

  /** Every count a later report gives replaces the one before (message_delta is cumulative). */
  private anthropic(value: unknown): void {
    const usage = record(value);
    if (!usage) return;
    this.set('input', count(usage.input_tokens));
    this.set('output', count(usage.output_tokens));
    this.set('cacheWrite', count(usage.cache_creation_input_tokens));
    this.set('cacheRead', count(usage.cache_read_input_tokens));
  }

  /** Chat completions' or Responses' usage; the latest one reported stands. */
  private openai(value: unknown): void {
    const usage = record(value);
    if (!usage) return;
    const responses = this.shape === 'openai-responses';
    const prompt = count(responses ? usage.input_tokens : usage.prompt_tokens);
    const output = count(responses ? usage.output_tokens : usage.completion_tokens);
    const details = record(responses ? usage.input_tokens_details : usage.prompt_tokens_details);
    let cached = count(details?.cached_tokens);
    // More cached tokens than prompt tokens is not a count of the prompt's: treated as missing.
    if (cached !== undefined && prompt !== undefined && cached > prompt) cached = undefined;
    if (prompt === undefined && output === undefined && cached === undefined) return;
    this.counts = {};
    this.set('input', prompt === undefined ? undefined : prompt - (cached ?? 0));
    this.set('output', output);
    this.set('cacheRead', cached ?? (prompt === undefined ? undefined : 0));
    this.set('cacheWrite', 0);
  }

  private set(kind: keyof TokenCounts, value: number | undefined): void {
    if (value !== undefined) this.counts[kind] = value;
  }
}

const TERMINAL_RESPONSE_EVENTS: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/** What every meter does: never throws, answers once, and lets go of what it held. */
abstract class Meter implements UsageMeter {
  protected failed = false;
  private outcome: MeteredUsage | null | undefined;

  constructor(protected readonly reader: UsageReader) {}

  write(chunk: Buffer): void {
    if (this.failed || this.outcome !== undefined) return;
    try {
      if (!Buffer.isBuffer(chunk)) throw new Malformed();
      this.take(chunk);
    } catch {
      this.fail();
    }
  }

  end(): MeteredUsage | null {
    if (this.outcome === undefined) {
      this.outcome = null;
      try {
        if (!this.failed) this.finish();
        if (!this.failed) this.outcome = this.reader.result();
      } catch {
        this.outcome = null;
      }
      this.release();
    }
    return this.outcome;
  }

  protected fail(): void {
    this.failed = true;
    this.release();
  }

  protected abstract take(chunk: Buffer): void;
  /** Reads what is left once the body has ended. */
  protected abstract finish(): void;
  /** Drops whatever the meter holds. */
  protected abstract release(): void;
}

/** A non-streamed body: buffered (up to MAX_METERED_BYTES) and parsed at the end. */
class JsonMeter extends Meter {
  private chunks: Buffer[] = [];
  private size = 0;

  protected take(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > MAX_METERED_BYTES) return this.fail();
    this.chunks.push(chunk);
  }

  protected finish(): void {
    const text = Buffer.concat(this.chunks, this.size).toString('utf8');
    this.release();
    this.reader.document(JSON.parse(text));
  }

  protected release(): void {
    this.chunks = [];
  }
}

/**
 * A streamed body (text/event-stream), parsed line by line across chunk bounds (LF, CRLF or CR
 * line ends), holding one line and the data of one event at a time. Events that cannot carry
 * usage are not kept at all.
 */
class EventStreamMeter extends Meter {
  private readonly decoder = new StringDecoder('utf8');
  /** The line so far, when a chunk ended inside one. */
  private line = '';
  /** The last chunk ended with CR: an LF first in the next one ends nothing more. */
  private afterCR = false;
  private eventName = '';
  private data: string[] = [];
  private dataSize = 0;

  protected take(chunk: Buffer): void {
    this.feed(this.decoder.write(chunk));
  }

  protected finish(): void {
    this.feed(this.decoder.end());
    // A stream cut off before its last blank line: what it completed still counts.
    if (this.line !== '') this.onLine(this.line);
    this.dispatch();
  }

  protected release(): void {
    this.line = '';
    this.data = [];
    this.dataSize = 0;
  }

  private feed(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (this.afterCR) {
        this.afterCR = false;
        if (code === 10) {
          start = i + 1;
          continue;
        }
      }
      if (code !== 10 && code !== 13) continue;
      const line = this.line + text.slice(start, i);
      this.line = '';
      start = i + 1;
      this.afterCR = code === 13;
      this.onLine(line);
      if (this.failed) return;
    }
    this.line += text.slice(start);
    if (this.line.length > MAX_METERED_BYTES) this.fail();
  }

  private onLine(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') {
      this.eventName = value;
    } else if (field === 'data' && this.reader.wants(this.eventName)) {
      this.dataSize += value.length + 1;
      if (this.dataSize > MAX_METERED_BYTES) return this.fail();
      this.data.push(value);
    }
  }

  private dispatch(): void {
    const event = this.eventName;
    const data = this.data.join('\n');
    const had = this.data.length > 0;
    this.eventName = '';
    this.data = [];
    this.dataSize = 0;
    if (!had || !this.reader.wants(event) || data === '[DONE]') return;
    try {
      this.reader.event(JSON.parse(data));
    } catch {
      this.fail();
    }
  }
}
