import { describe, expect, it } from 'vitest';
import { newEventId } from './event-id';

describe('newEventId', () => {
  it('is a UUID v7 that sorts by time', () => {
    const early = newEventId(1_700_000_000_000);
    const late = newEventId(1_700_000_000_001);
    expect(early).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(early < late).toBe(true);
    expect(early.slice(0, 13)).toBe('018bcfe5-6800');
    expect(new Set(Array.from({ length: 1000 }, () => newEventId(5))).size).toBe(1000);
  });
});
