import { describe, expect, it } from 'vitest';
import { formatUsd, spendText } from './spend';

const tokens = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };

describe('a session’s spend in its header', () => {
  it('says nothing before the first call', () => {
    expect(spendText({ calls: 0, costUsd: 0, unpricedCalls: 0, tokens })).toBeNull();
  });

  it('gives dollars and calls, cents below a dollar to four places', () => {
    expect(spendText({ calls: 1, costUsd: 0.01234, unpricedCalls: 0, tokens })).toEqual({
      text: '$0.0123 · 1 model call',
      unpriced: null,
    });
    expect(formatUsd(12.5)).toBe('$12.50');
  });

  it('calls out calls whose model has no price, never counting them as free', () => {
    expect(spendText({ calls: 3, costUsd: 0.5, unpricedCalls: 2, tokens })).toEqual({
      text: '$0.5000 · 3 model calls',
      unpriced: '2 unpriced (model not in the price table)',
    });
  });
});
