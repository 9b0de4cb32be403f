import { describe, expect, it } from 'vitest';
import { formatDuration, formatTimeLeft } from './time';

describe('formatDuration', () => {
  it('uses at most two units', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(243_000)).toBe('4 min 3 s');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400_000)).toBe('3 d');
    expect(formatDuration(-5)).toBe('0 s');
  });
});

describe('formatTimeLeft', () => {
  const now = Date.parse('2026-01-01T10:00:00.000Z');
  it('counts down in minutes and seconds', () => {
    expect(formatTimeLeft('2026-01-01T10:09:41.000Z', now)).toBe('9:41');
    expect(formatTimeLeft('2026-01-01T10:00:00.500Z', now)).toBe('0:01');
    expect(formatTimeLeft('2026-01-01T12:05:00.000Z', now)).toBe('2 h 5 min');
  });

  it('is null once the time is up, or for a broken date', () => {
    expect(formatTimeLeft('2026-01-01T10:00:00.000Z', now)).toBeNull();
    expect(formatTimeLeft('2026-01-01T09:00:00.000Z', now)).toBeNull();
    expect(formatTimeLeft('not a date', now)).toBeNull();
  });
});
