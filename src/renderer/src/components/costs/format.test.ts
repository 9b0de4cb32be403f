import { describe, expect, it } from 'vitest';
import {
  formatAxisUsd,
  formatCalls,
  formatCount,
  formatDay,
  formatShare,
  formatSpend,
  formatUsd,
} from './format';

describe('cost figures as the dashboard writes them', () => {
  it('writes dollars with 2 decimals from $1 up and 4 below', () => {
    expect(formatUsd(12.5)).toBe('$12.50');
    expect(formatUsd(1)).toBe('$1.00');
    expect(formatUsd(0.5)).toBe('$0.5000');
    expect(formatUsd(0.0123456)).toBe('$0.0123');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(1234567.891)).toBe('$1,234,567.89');
  });

  it('decides the decimals on the rounded value, so nothing shows as $1.0000', () => {
    expect(formatUsd(0.99996)).toBe('$1.00');
    expect(formatUsd(0.99994)).toBe('$0.9999');
    expect(formatUsd(0.99995)).toBe('$1.00');
  });

  it('never shows a cost above zero as free, nor a broken number as one', () => {
    expect(formatUsd(0.00004)).toBe('<$0.0001');
    expect(formatUsd(0.00005)).toBe('$0.0001');
    expect(formatUsd(Number.NaN)).toBe('—');
    expect(formatUsd(Infinity)).toBe('—');
    expect(formatUsd(-2)).toBe('-$2.00');
  });

  it('says a cost is unknown when every call was unpriced, never $0', () => {
    expect(formatSpend(0, 2, 2)).toBe('unknown');
    expect(formatSpend(0.5, 3, 2)).toBe('$0.5000');
    expect(formatSpend(0, 0, 0)).toBe('$0.00');
  });

  it('writes token counts with thousands separators', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCalls(1)).toBe('1 call');
    expect(formatCalls(12345)).toBe('12,345 calls');
  });

  it('writes shares as whole percents, slivers never as 0% or 100%', () => {
    expect(formatShare(0, 0)).toBe('0%');
    expect(formatShare(1, 0)).toBe('0%');
    expect(formatShare(0, 10)).toBe('0%');
    expect(formatShare(0.001, 1)).toBe('<1%');
    expect(formatShare(0.999, 1)).toBe('>99%');
    expect(formatShare(1, 1)).toBe('100%');
    expect(formatShare(1, 3)).toBe('33%');
  });

  it('names days and axis ticks briefly', () => {
    expect(formatDay('2026-12-05')).toBe('Dec 5');
    expect(formatDay('2026-01-31')).toBe('Jan 31');
    expect(formatDay('not a day')).toBe('not a day');
    expect(formatAxisUsd(0)).toBe('$0');
    expect(formatAxisUsd(0.015)).toBe('$0.015');
    expect(formatAxisUsd(12.5)).toBe('$12.5');
    expect(formatAxisUsd(1234)).toBe('$1.23k');
  });
});
