/**
 * The price table: what a model call costs, from a snapshot of LiteLLM's
 * `model_prices_and_context_window.json` bundled beside this file (model-prices.json: its real
 * entries for current Anthropic and OpenAI models, with only the fields priced here, and a
 * `_source` naming the commit they came from). A person's own prices (the `costs.prices` setting)
 * are merged over it, field by field; the owner of the table hands them in, the table never reads
 * settings itself.
 *
 * A model the table does not know is unpriced (null), never priced as a similar model: the name an
 * API answers with resolves to a key only exactly, without or with a provider prefix, or without
 * a date suffix.
 */
import { createHash } from 'node:crypto';
import type { ModelProvider, TokenCounts } from '../../../shared/costs';
import snapshot from './model-prices.json';

/** Per-token prices in US dollars, by LiteLLM's field names. */
export const PRICE_FIELDS = [
  'input_cost_per_token',
  'output_cost_per_token',
  'cache_creation_input_token_cost',
  'cache_read_input_token_cost',
  'input_cost_per_token_above_200k_tokens',
  'output_cost_per_token_above_200k_tokens',
  'cache_creation_input_token_cost_above_200k_tokens',
  'cache_read_input_token_cost_above_200k_tokens',
] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

/** The other numbers an entry may carry (not used in the arithmetic). */
export const LIMIT_FIELDS = ['max_input_tokens', 'max_output_tokens'] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];

/** One model's entry, in LiteLLM's format, with only the fields Paddock keeps. */
export type LiteLLMEntry = { [F in PriceField | LimitField]?: number } & {
  litellm_provider?: string;
  mode?: string;
};

/**
 * Above this many prompt tokens (input, cache writes and cache reads together), an entry's
 * `_above_200k_tokens` prices apply to the whole request (Anthropic's long-context pricing).
 */
export const LONG_CONTEXT_TOKENS = 200_000;

/** LiteLLM's prefix for each provider (`anthropic/claude-…`, `openai/gpt-…`). */
const PROVIDER_PREFIXES: Readonly<Record<ModelProvider, string>> = {
  anthropic: 'anthropic/',
  openai: 'openai/',
};

const MAX_MODEL_NAME = 256;

export interface PriceLookup {
  /** The table's key (`claude-sonnet-4-5`): what a usage record names as `pricedAs`. */
  key: string;
  entry: Readonly<LiteLLMEntry>;
}

export interface PricedCost {
  costUsd: number;
  pricedAs: string;
}

/** A bundled entry or an override that is not a price table entry. */
export class PriceTableError extends Error {}

interface Rates {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export class PriceTable {
  private constructor(
    /** The snapshot's version, with a digest of the overrides when there are any. */
    readonly version: string,
    private readonly entries: ReadonlyMap<string, Readonly<LiteLLMEntry>>,
  ) {}

  /** The bundled snapshot, with `overrides` (by table key) merged over it field by field. */
  static bundled(overrides: Record<string, Partial<LiteLLMEntry>> = {}): PriceTable {
    const entries = new Map<string, Readonly<LiteLLMEntry>>();
    for (const [key, raw] of Object.entries(snapshot as Record<string, unknown>)) {
      if (key.startsWith('_')) continue;
      entries.set(key, Object.freeze(checkedEntry(key, raw, 'the bundled price table')));
    }
    const overridden = Object.entries(overrides);
    for (const [key, raw] of overridden) {
      if (key.length === 0 || key.length > MAX_MODEL_NAME) {
        throw new PriceTableError(`A price override's model name must be 1 to 256 characters.`);
      }
      const change = checkedEntry(key, raw, 'the price overrides');
      entries.set(key, Object.freeze({ ...entries.get(key), ...change }));
    }
    const version =
      overridden.length === 0
        ? snapshot._version
        : `${snapshot._version}+overrides.${digest(overrides)}`;
    return new PriceTable(version, entries);
  }

  /**
   * The table entry for the name an API answers with: exactly; without a provider prefix
   * (`anthropic/…`, `openai/…`); with LiteLLM's prefix for the provider; then, for a dated name
   * (`-YYYYMMDD`, `-YYYY-MM-DD`), the same without the date. With a provider, an entry of another
   * provider never matches. Anything else is unpriced (null).
   */
  lookup(model: string, provider?: ModelProvider): PriceLookup | null {
    if (typeof model !== 'string' || model.length === 0 || model.length > MAX_MODEL_NAME) {
      return null;
    }
    const named = prefixOf(model);
    if (named && provider && named !== provider) return null;
    const owner = provider ?? named;
    const bare = named ? model.slice(PROVIDER_PREFIXES[named].length) : model;
    const candidates = [model, bare];
    if (owner) candidates.push(PROVIDER_PREFIXES[owner] + bare);
    const undated = withoutDate(bare);
    if (undated) {
      candidates.push(undated);
      if (owner) candidates.push(PROVIDER_PREFIXES[owner] + undated);
    }
    for (const key of candidates) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      if (owner && entry.litellm_provider !== undefined && entry.litellm_provider !== owner) {
        continue;
      }
      return { key, entry };
    }
    return null;
  }

  /**
   * What a call cost: each kind of token at its price. When the prompt (input, cache writes and
   * cache reads) is above 200,000 tokens and the entry has `input_cost_per_token_above_200k_tokens`,
   * every kind is charged at its `_above_200k_tokens` price (the whole request at the higher
   * rate, as Anthropic charges long context), a kind without one at its usual price.
   *
   * A cache price the entry lacks counts as 0, as in LiteLLM's own calculator
   * (`litellm_core_utils/llm_cost_calc/utils.py`: `_get_token_base_cost` reads each rate with
   * `_get_cost_per_unit(…, default_value=0.0)`, and a missing above-threshold rate falls back to
   * the same kind's base rate, never to the input price). Those entries are models without prompt
   * caching (`gpt-5-pro`, `o3-pro`, `gpt-4o-2024-05-13`), whose responses report no cached tokens.
   *
   * Null when the model is unpriced, or its entry has no input or output price.
   */
  cost(model: string, tokens: TokenCounts, provider?: ModelProvider): PricedCost | null {
    for (const kind of ['input', 'output', 'cacheWrite', 'cacheRead'] as const) {
      checkCount(tokens[kind], `tokens.${kind}`);
    }
    const found = this.lookup(model, provider);
    if (!found) return null;
    const rates = ratesFor(found.entry, tokens.input + tokens.cacheWrite + tokens.cacheRead);
    if (!rates) return null;
    const costUsd =
      tokens.input * rates.input +
      tokens.output * rates.output +
      tokens.cacheWrite * rates.cacheWrite +
      tokens.cacheRead * rates.cacheRead;
    return { costUsd, pricedAs: found.key };
  }

  /**
   * The most a call can cost before it is made: every input token at the input price (the
   * above-200k one when the input is above 200,000 tokens and the entry has it) and all of
   * `maxOutputTokens` at the output price. Null when the model is unpriced.
   */
  worstCase(
    model: string,
    inputTokens: number,
    maxOutputTokens: number,
    provider?: ModelProvider,
  ): number | null {
    checkCount(inputTokens, 'inputTokens');
    checkCount(maxOutputTokens, 'maxOutputTokens');
    const found = this.lookup(model, provider);
    if (!found) return null;
    const rates = ratesFor(found.entry, inputTokens);
    if (!rates) return null;
    return inputTokens * rates.input + maxOutputTokens * rates.output;
  }
}

/**
 * How many tokens a request body of this many bytes may hold, for a budget check before the call:
 * one token per 3 bytes, rounded up. Deliberately high (real tokenisers average about 4 characters
 * a token for English and JSON), so a check errs towards holding a call.
 */
export function estimateInputTokens(requestBodyBytes: number): number {
  if (!Number.isFinite(requestBodyBytes) || requestBodyBytes < 0) {
    throw new RangeError('requestBodyBytes must be a non-negative number.');
  }
  return Math.ceil(requestBodyBytes / 3);
}

function ratesFor(entry: Readonly<LiteLLMEntry>, promptTokens: number): Rates | null {
  const input = entry.input_cost_per_token;
  const output = entry.output_cost_per_token;
  if (input === undefined || output === undefined) return null;
  const base: Rates = {
    input,
    output,
    cacheWrite: entry.cache_creation_input_token_cost ?? 0,
    cacheRead: entry.cache_read_input_token_cost ?? 0,
  };
  const longInput = entry.input_cost_per_token_above_200k_tokens;
  if (promptTokens <= LONG_CONTEXT_TOKENS || longInput === undefined) return base;
  return {
    input: longInput,
    output: entry.output_cost_per_token_above_200k_tokens ?? base.output,
    cacheWrite: entry.cache_creation_input_token_cost_above_200k_tokens ?? base.cacheWrite,
    cacheRead: entry.cache_read_input_token_cost_above_200k_tokens ?? base.cacheRead,
  };
}

function prefixOf(model: string): ModelProvider | null {
  for (const provider of ['anthropic', 'openai'] as const) {
    if (model.startsWith(PROVIDER_PREFIXES[provider])) return provider;
  }
  return null;
}

/** `-YYYYMMDD` and `-YYYY-MM-DD`, the two ways providers date a model name. */
const DATE_SUFFIXES = [/^(.+)-\d{4}(\d{2})(\d{2})$/, /^(.+)-\d{4}-(\d{2})-(\d{2})$/];

/** `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`, `gpt-5-2025-08-07` → `gpt-5`; else null. */
function withoutDate(model: string): string | null {
  for (const suffix of DATE_SUFFIXES) {
    const match = suffix.exec(model);
    if (!match) continue;
    const month = Number(match[2]);
    const day = Number(match[3]);
    return month >= 1 && month <= 12 && day >= 1 && day <= 31 ? (match[1] ?? null) : null;
  }
  return null;
}

function checkCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer.`);
  }
}

function checkedEntry(key: string, raw: unknown, where: string): LiteLLMEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PriceTableError(`In ${where}, ${key} is not an object.`);
  }
  const entry: LiteLLMEntry = {};
  for (const [field, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if ((PRICE_FIELDS as readonly string[]).includes(field) || isLimitField(field)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new PriceTableError(`In ${where}, ${key}.${field} must be a non-negative number.`);
      }
      entry[field as PriceField | LimitField] = value;
    } else if (field === 'litellm_provider' || field === 'mode') {
      if (typeof value !== 'string' || value.length > 100) {
        throw new PriceTableError(`In ${where}, ${key}.${field} must be a short string.`);
      }
      entry[field] = value;
    } else {
      throw new PriceTableError(
        `In ${where}, ${key} has a field the table does not keep: ${field}.`,
      );
    }
  }
  return entry;
}

function isLimitField(field: string): field is LimitField {
  return (LIMIT_FIELDS as readonly string[]).includes(field);
}

/** A short digest of the overrides, the same whatever order their keys come in. */
function digest(overrides: Record<string, Partial<LiteLLMEntry>>): string {
  const canonical = Object.keys(overrides)
    .sort()
    .map((key) => {
      const entry = overrides[key] ?? {};
      const fields = Object.keys(entry)
        .sort()
        .filter((field) => entry[field as keyof LiteLLMEntry] !== undefined)
        .map((field) => [field, entry[field as keyof LiteLLMEntry]]);
      return [key, fields];
    });
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 12);
}
