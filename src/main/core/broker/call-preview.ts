/**
 * What a model request asks for, read before it is sent: the model, how much output it may
 * produce, and its size (which bounds its input). Budgets need this to know the most a call can
 * cost; to read it the broker holds the request body (bounded) instead of streaming it through.
 */
import type { IncomingMessage } from 'node:http';
import type { TokenCounts } from '../../../shared/costs';
import type { Provider } from './model-broker';

/** A body larger than this is refused when a budget must look at it (no model call is this big). */
export const MAX_PREVIEW_BYTES = 32 * 1024 * 1024;

export interface CallPreview {
  provider: Provider;
  /** The upstream path (`/v1/messages`, `/v1/chat/completions`, `/v1/responses`). */
  path: string;
  /** The model the request names, or null. */
  model: string | null;
  /** Its output limit (`max_tokens`, `max_completion_tokens`, `max_output_tokens`), or null. */
  maxOutputTokens: number | null;
  bodyBytes: number;
}

export type Admission = { allow: true } | { allow: false; reason: string };

/** Usage read from a response as it streams (see core/costs for the meters). */
export interface ResponseMeter {
  write(chunk: Buffer): void;
  end(): { model: string | null; messageId: string | null; tokens: TokenCounts } | null;
}

/** Reads a request body whole, or fails past `max` bytes (the caller refuses the request). */
export async function readBody(req: IncomingMessage, max = MAX_PREVIEW_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new Error(`the request body is over ${max / 1024 / 1024} MiB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The preview of a JSON request body; what is not JSON, or not of the shape, previews as nulls. */
export function previewOf(provider: Provider, path: string, body: Buffer): CallPreview {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // Not JSON: no model and no limit to read; the budget treats it as unpriced.
  }
  const fields = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  const model = typeof fields.model === 'string' && fields.model !== '' ? fields.model : null;
  const limit = ['max_tokens', 'max_completion_tokens', 'max_output_tokens']
    .map((name) => fields[name])
    .find((value) => typeof value === 'number' && Number.isSafeInteger(value) && value > 0);
  return {
    provider,
    path,
    model,
    maxOutputTokens: typeof limit === 'number' ? limit : null,
    bodyBytes: body.length,
  };
}
