import { describe, expect, it } from 'vitest';
import type { TokenCounts } from '../../../shared/costs';
import { SETTINGS } from '../../../shared/settings';
import snapshot from './model-prices.json';
import {
  estimateInputTokens,
  LIMIT_FIELDS,
  PRICE_FIELDS,
  PriceTable,
  PriceTableError,
  type LiteLLMEntry,
} from './prices';

const table = PriceTable.bundled();

/** The bundled entry itself, read straight from the snapshot file. */
function raw(key: string): LiteLLMEntry {
  const entry = (snapshot as Record<string, unknown>)[key];
  if (!entry) throw new Error(`no ${key} in the snapshot`);
  return entry as LiteLLMEntry;
}

function price(entry: LiteLLMEntry, field: keyof LiteLLMEntry): number {
  const value = entry[field];
  if (typeof value !== 'number') throw new Error(`no ${field}`);
  return value;
}

/** The table's arithmetic, done here by hand: each kind of token times the entry's price for it. */
function byHand(entry: LiteLLMEntry, tokens: TokenCounts, tier = ''): number {
  const kinds: [number, string][] = [
    [tokens.input, 'input_cost_per_token'],
    [tokens.output, 'output_cost_per_token'],
    [tokens.cacheWrite, 'cache_creation_input_token_cost'],
    [tokens.cacheRead, 'cache_read_input_token_cost'],
  ];
  return kinds.reduce(
    (sum, [count, field]) =>
      count === 0 ? sum : sum + count * price(entry, `${field}${tier}` as keyof LiteLLMEntry),
    0,
  );
}

describe('the bundled snapshot', () => {
  const models = Object.entries(snapshot as Record<string, unknown>).filter(
    ([key]) => !key.startsWith('_'),
  );

  it('says where it came from and which version it is', () => {
    expect(snapshot._source.repo).toBe('BerriAI/litellm');
    expect(snapshot._source.path).toBe('model_prices_and_context_window.json');
    expect(snapshot._source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(snapshot._source.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(table.version).toBe(snapshot._version);
    expect(table.version).toContain(snapshot._source.commit.slice(0, 12));
  });

  it('gives every model its prices as non-negative numbers, and nothing else', () => {
    expect(models.length).toBeGreaterThan(50);
    const allowed = new Set<string>([...PRICE_FIELDS, ...LIMIT_FIELDS, 'litellm_provider', 'mode']);
    for (const [key, value] of models) {
      const entry = value as Record<string, unknown>;
      for (const field of ['input_cost_per_token', 'output_cost_per_token', ...LIMIT_FIELDS]) {
        expect(typeof entry[field], `${key}.${field}`).toBe('number');
      }
      for (const [field, number] of Object.entries(entry)) {
        expect(allowed.has(field), `${key}.${field}`).toBe(true);
        if (field === 'litellm_provider' || field === 'mode') continue;
        expect(Number.isFinite(number) && (number as number) >= 0, `${key}.${field}`).toBe(true);
      }
      expect(['anthropic', 'openai'], key).toContain(entry.litellm_provider);
      expect(['chat', 'responses'], key).toContain(entry.mode);
      // A long-context tier is all of a piece.
      if (entry.input_cost_per_token_above_200k_tokens !== undefined) {
        expect(entry.output_cost_per_token_above_200k_tokens, key).toBeTypeOf('number');
      }
    }
  });

  it('has the models agents use, under LiteLLM’s keys', () => {
    for (const key of [
      'claude-opus-4-1',
      'claude-sonnet-4-5',
      'claude-sonnet-4-5-20250929',
      'claude-haiku-4-5-20251001',
      'claude-3-haiku-20240307',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-codex',
      'gpt-4.1',
      'gpt-4o',
      'gpt-4o-mini',
      'o3',
      'o4-mini',
      'codex-mini-latest',
    ]) {
      expect(table.lookup(key)?.key, key).toBe(key);
    }
  });
});

describe('PriceTable.lookup', () => {
  it('resolves a dated name to its own entry, or to the undated one', () => {
    expect(table.lookup('claude-sonnet-4-5-20250929')?.key).toBe('claude-sonnet-4-5-20250929');
    expect(table.lookup('gpt-5-2025-08-07')?.key).toBe('gpt-5-2025-08-07');
    expect(table.lookup('claude-sonnet-4-6-20260217')?.key).toBe('claude-sonnet-4-6');
    expect(table.lookup('gpt-4.1-2099-01-31')?.key).toBe('gpt-4.1');
    expect(table.lookup('o4-mini-20250416')?.key).toBe('o4-mini');
  });

  it('takes a provider prefix off, and checks it against the provider', () => {
    expect(table.lookup('anthropic/claude-opus-4-1')?.key).toBe('claude-opus-4-1');
    expect(table.lookup('openai/gpt-5-2025-08-07', 'openai')?.key).toBe('gpt-5-2025-08-07');
    expect(table.lookup('openai/gpt-5.1-2031-02-03')?.key).toBe('gpt-5.1');
    expect(table.lookup('openai/claude-opus-4-1')).toBeNull();
    expect(table.lookup('anthropic/gpt-5', 'anthropic')).toBeNull();
    expect(table.lookup('openai/gpt-5', 'anthropic')).toBeNull();
  });

  it('tries LiteLLM’s provider prefix for the provider', () => {
    const prefixed = PriceTable.bundled({
      'openai/ft-house-model': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
    });
    expect(prefixed.lookup('ft-house-model', 'openai')?.key).toBe('openai/ft-house-model');
    expect(prefixed.lookup('ft-house-model-20260101', 'openai')?.key).toBe('openai/ft-house-model');
    expect(prefixed.lookup('ft-house-model')).toBeNull();
  });

  it('refuses a name whose prefix names another provider, even for an entry without one', () => {
    const own = PriceTable.bundled({
      'house-model': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
    });
    expect(own.lookup('house-model', 'openai')?.key).toBe('house-model');
    expect(own.lookup('anthropic/house-model')?.key).toBe('house-model');
    expect(own.lookup('anthropic/house-model', 'openai')).toBeNull();
  });

  it('never answers with a similar model', () => {
    for (const name of [
      'claude-sonnet-4-5-foo',
      'claude-sonnet-4',
      'claude-sonnet-4-5-20250929-v1:0',
      'Claude-Sonnet-4-5',
      'claude-sonnet-4-5 ',
      'gpt-5-mini-preview',
      'gpt-5-2025-13-01',
      'gpt-5-2025-0807',
      'gpt-4o-20241',
      'some-model',
      '',
      'x'.repeat(300),
    ]) {
      expect(table.lookup(name), name).toBeNull();
      expect(table.cost(name, { input: 1, output: 1, cacheWrite: 0, cacheRead: 0 }), name).toBe(
        null,
      );
    }
  });

  it('matches only the provider’s own entries when told the provider', () => {
    expect(table.lookup('gpt-5', 'openai')?.key).toBe('gpt-5');
    expect(table.lookup('gpt-5', 'anthropic')).toBeNull();
    expect(table.lookup('claude-haiku-4-5', 'openai')).toBeNull();
  });
});

describe('PriceTable.cost', () => {
  it('is each kind of token times its price (a cache case)', () => {
    const tokens = { input: 1_234, output: 5_678, cacheWrite: 20_000, cacheRead: 150_000 };
    const expected = byHand(raw('claude-sonnet-4-5'), tokens);
    const result = table.cost('claude-sonnet-4-5-20991231', tokens, 'anthropic');
    expect(result?.pricedAs).toBe('claude-sonnet-4-5');
    expect(result?.costUsd).toBeCloseTo(expected, 12);
    // $3/M input, $15/M output, $3.75/M cache writes, $0.30/M cache reads.
    expect(result?.costUsd).toBeCloseTo(0.003702 + 0.08517 + 0.075 + 0.045, 12);
  });

  it('charges the whole request at the above-200k prices once the prompt is above 200,000', () => {
    // The input alone is small: the cache reads take the prompt over the line.
    const tokens = { input: 10_000, output: 2_000, cacheWrite: 40_000, cacheRead: 150_001 };
    const entry = raw('claude-sonnet-4-5-20250929');
    const expected = byHand(entry, tokens, '_above_200k_tokens');
    expect(expected).toBeGreaterThan(byHand(entry, tokens));
    const result = table.cost('claude-sonnet-4-5-20250929', tokens);
    expect(result).toEqual({
      costUsd: expect.closeTo(expected, 12),
      pricedAs: 'claude-sonnet-4-5-20250929',
    });

    const atTheLine = { ...tokens, cacheRead: 150_000 };
    expect(table.cost('claude-sonnet-4-5-20250929', atTheLine)?.costUsd).toBeCloseTo(
      byHand(entry, atTheLine),
      12,
    );
  });

  it('keeps the usual prices above 200k for a model without a long-context tier', () => {
    const tokens = { input: 600_000, output: 1_000, cacheWrite: 0, cacheRead: 0 };
    expect(raw('claude-sonnet-4-6').input_cost_per_token_above_200k_tokens).toBeUndefined();
    expect(table.cost('claude-sonnet-4-6', tokens)?.costUsd).toBeCloseTo(
      byHand(raw('claude-sonnet-4-6'), tokens),
      12,
    );
  });

  it('prices OpenAI cached input at the cache-read price', () => {
    const tokens = { input: 176, output: 45, cacheWrite: 0, cacheRead: 1_024 };
    const result = table.cost('gpt-4.1-2025-04-14', tokens, 'openai');
    expect(result?.pricedAs).toBe('gpt-4.1-2025-04-14');
    expect(result?.costUsd).toBeCloseTo(byHand(raw('gpt-4.1-2025-04-14'), tokens), 12);
    // $2/M input, $8/M output, $0.50/M cached input.
    expect(result?.costUsd).toBeCloseTo(0.000352 + 0.00036 + 0.000512, 12);
  });

  it('counts a cache price the entry lacks as 0, as LiteLLM does', () => {
    const entry = raw('gpt-5-pro');
    expect(entry.cache_read_input_token_cost).toBeUndefined();
    const tokens = { input: 1_000, output: 100, cacheWrite: 0, cacheRead: 500 };
    const expected =
      1_000 * price(entry, 'input_cost_per_token') + 100 * price(entry, 'output_cost_per_token');
    expect(table.cost('gpt-5-pro', tokens)?.costUsd).toBeCloseTo(expected, 12);
  });

  it('is 0 for no tokens, and refuses counts that are not counts', () => {
    expect(table.cost('gpt-5', { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 })).toEqual({
      costUsd: 0,
      pricedAs: 'gpt-5',
    });
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() =>
        table.cost('gpt-5', { input: bad, output: 0, cacheWrite: 0, cacheRead: 0 }),
      ).toThrow(RangeError);
    }
  });
});

describe('PriceTable.worstCase and estimateInputTokens', () => {
  const call = (input: number, output: number): TokenCounts => ({
    input,
    output,
    cacheWrite: 0,
    cacheRead: 0,
  });

  it('is all the input at the input price and all the allowed output at the output price', () => {
    expect(table.worstCase('claude-opus-4-1-20250805', 12_000, 32_000)).toBeCloseTo(
      byHand(raw('claude-opus-4-1-20250805'), call(12_000, 32_000)),
      12,
    );
    // $15/M input, $75/M output.
    expect(table.worstCase('claude-opus-4-1-20250805', 12_000, 32_000)).toBeCloseTo(2.58, 12);
    expect(table.worstCase('gpt-5', 0, 0)).toBe(0);
  });

  it('uses the above-200k prices for input above 200,000 tokens', () => {
    const entry = raw('claude-sonnet-4-5');
    expect(table.worstCase('claude-sonnet-4-5', 250_000, 64_000, 'anthropic')).toBeCloseTo(
      byHand(entry, call(250_000, 64_000), '_above_200k_tokens'),
      12,
    );
    expect(table.worstCase('claude-sonnet-4-5', 200_000, 64_000)).toBeCloseTo(
      byHand(entry, call(200_000, 64_000)),
      12,
    );
  });

  it('is null for an unpriced model', () => {
    expect(table.worstCase('claude-sonnet-4-5-foo', 1_000, 1_000)).toBeNull();
  });

  it('estimates a token per 3 bytes, rounded up', () => {
    expect(estimateInputTokens(0)).toBe(0);
    expect(estimateInputTokens(1)).toBe(1);
    expect(estimateInputTokens(3)).toBe(1);
    expect(estimateInputTokens(4)).toBe(2);
    expect(estimateInputTokens(3_000_000)).toBe(1_000_000);
    expect(() => estimateInputTokens(-1)).toThrow(RangeError);
    expect(() => estimateInputTokens(Number.NaN)).toThrow(RangeError);
  });
});

describe('price overrides', () => {
  it('win over the bundled entry, field by field', () => {
    const overridden = PriceTable.bundled({
      'claude-sonnet-4-5': { input_cost_per_token: 1e-6, cache_read_input_token_cost: 0 },
    });
    const tokens = { input: 1_000, output: 1_000, cacheWrite: 1_000, cacheRead: 1_000 };
    const entry = raw('claude-sonnet-4-5');
    expect(overridden.cost('claude-sonnet-4-5', tokens)?.costUsd).toBeCloseTo(
      1_000 * 1e-6 +
        1_000 * price(entry, 'output_cost_per_token') +
        1_000 * price(entry, 'cache_creation_input_token_cost'),
      12,
    );
    // A dated name that resolves to it gets the override too; its own dated entry does not.
    expect(overridden.cost('claude-sonnet-4-5-20991231', tokens)?.pricedAs).toBe(
      'claude-sonnet-4-5',
    );
    expect(overridden.lookup('claude-sonnet-4-5-20250929')?.entry.input_cost_per_token).toBe(
      price(entry, 'input_cost_per_token'),
    );
    // The bundled table is not touched.
    expect(PriceTable.bundled().lookup('claude-sonnet-4-5')?.entry).toEqual(entry);
  });

  it('can add a model', () => {
    const added = PriceTable.bundled({
      'house-coder-1': { input_cost_per_token: 2e-7, output_cost_per_token: 8e-7 },
    });
    expect(table.lookup('house-coder-1')).toBeNull();
    expect(
      added.cost('house-coder-1', { input: 10_000, output: 500, cacheWrite: 0, cacheRead: 0 }),
    ).toEqual({
      costUsd: expect.closeTo(10_000 * 2e-7 + 500 * 8e-7, 12),
      pricedAs: 'house-coder-1',
    });
  });

  it('leave a model without an input or output price unpriced', () => {
    const partial = PriceTable.bundled({ 'house-coder-2': { output_cost_per_token: 1e-6 } });
    expect(partial.lookup('house-coder-2')).not.toBeNull();
    expect(
      partial.cost('house-coder-2', { input: 1, output: 1, cacheWrite: 0, cacheRead: 0 }),
    ).toBeNull();
    expect(partial.worstCase('house-coder-2', 1, 1)).toBeNull();
  });

  it('change the version, the same way whatever the order of their keys', () => {
    const one = PriceTable.bundled({
      a: { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
      b: { output_cost_per_token: 3e-6 },
    });
    const two = PriceTable.bundled({
      b: { output_cost_per_token: 3e-6 },
      a: { output_cost_per_token: 2e-6, input_cost_per_token: 1e-6 },
    });
    const three = PriceTable.bundled({ b: { output_cost_per_token: 4e-6 } });
    expect(one.version).toMatch(
      new RegExp(`^${snapshot._version.replace(/[.+]/g, '\\$&')}\\+overrides\\.[0-9a-f]{12}$`),
    );
    expect(two.version).toBe(one.version);
    expect(three.version).not.toBe(one.version);
    expect(PriceTable.bundled({}).version).toBe(snapshot._version);
  });

  it('are refused when they are not prices', () => {
    for (const bad of [
      { input_cost_per_token: -1 },
      { input_cost_per_token: Number.POSITIVE_INFINITY },
      { input_cost_per_token: '3e-6' },
      { price: 1 },
    ]) {
      expect(() => PriceTable.bundled({ m: bad as unknown as Partial<LiteLLMEntry> })).toThrow(
        PriceTableError,
      );
    }
  });

  it('come from a costs.prices setting that takes the same entries', () => {
    const schema = SETTINGS['costs.prices'].schema;
    expect(SETTINGS['costs.prices'].default).toEqual({});
    const good = {
      'claude-sonnet-4-5': { input_cost_per_token: 3e-6, cache_read_input_token_cost: 0 },
      'house-coder-1': { input_cost_per_token: 2e-7, output_cost_per_token: 8e-7 },
    };
    const parsed = schema.parse(good);
    expect(PriceTable.bundled(parsed).lookup('house-coder-1')).not.toBeNull();
    for (const bad of [
      { m: { input_cost_per_token: -1e-6 } },
      { m: { input_cost_per_token: Number.POSITIVE_INFINITY } },
      { m: { input_cost_per_token: Number.NaN } },
      { m: { litellm_provider: 'openai' } },
      { m: { cost: 1 } },
      { '': { input_cost_per_token: 1 } },
      Object.fromEntries(
        Array.from({ length: 501 }, (_, i) => [`m${i}`, { input_cost_per_token: 0 }]),
      ),
    ]) {
      expect(schema.safeParse(bad).success, JSON.stringify(bad).slice(0, 80)).toBe(false);
    }
    expect(
      schema.safeParse(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`m${i}`, {}])))
        .success,
    ).toBe(true);
  });
});
