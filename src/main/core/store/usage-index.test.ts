import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../shared/audit';
import { USAGE_EVENT, type UsageRecord } from '../../../shared/costs';
import { tempDir } from '../../../test-support/temp';
import { AuditStore, type UsageGroup } from './index';

function usage(overrides: Partial<UsageRecord> & { at: string }): JsonObject {
  const record: UsageRecord = {
    source: 'metered',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    tokens: { input: 100, output: 20, cacheWrite: 5, cacheRead: 1000 },
    costUsd: 0.25,
    pricedAs: 'claude-sonnet-4-5',
    requestId: null,
    messageId: null,
    latencyMs: 12,
    ...overrides,
  };
  return record as unknown as JsonObject;
}

function seeded(home = tempDir()) {
  const store = AuditStore.open({ home });
  const append = (sessionId: string | null, payload: JsonObject, kind = USAGE_EVENT) =>
    store.append({ kind, actor: 'system', actorId: 'broker', sessionId, payload });
  append(
    'ses_a',
    usage({ at: '2026-12-05T09:00:00.000Z', requestId: 'req_1', messageId: 'msg_1' }),
  );
  append('ses_a', usage({ at: '2026-12-05T10:00:00.000Z', costUsd: 1.5 }));
  append('ses_b', usage({ at: '2026-12-04T23:00:00.000Z', source: 'reported', costUsd: 2 }));
  // Unpriced: counted as a call, never as $0 of spend.
  append('ses_b', usage({ at: '2026-12-05T11:00:00.000Z', model: 'local-llama', costUsd: null }));
  append(null, usage({ at: '2026-12-05T12:00:00.000Z', costUsd: 4, messageId: 'msg_9' }));
  // Out of shape, or another kind: left out of the index.
  append('ses_a', { ...usage({ at: '2026-12-05T12:00:00.000Z' }), tokens: { input: -1 } });
  append('ses_a', usage({ at: '2026-12-05T12:00:00.000Z' }), 'cost.other');
  return store;
}

describe('the usage index', () => {
  it('sums calls, dollars and tokens by session, time and source', () => {
    const store = seeded();
    expect(store.spend()).toEqual({
      calls: 5,
      costUsd: 0.25 + 1.5 + 2 + 4,
      unpricedCalls: 1,
      tokens: { input: 500, output: 100, cacheWrite: 25, cacheRead: 5000 },
    });
    expect(store.spend({ sessionIds: ['ses_a'] }).costUsd).toBe(1.75);
    expect(store.spend({ sessionIds: ['ses_a', 'ses_b'] }).calls).toBe(4);
    expect(store.spend({ sessionIds: [] }).calls).toBe(0);
    const today = { since: '2026-12-05T00:00:00.000Z', until: '2026-12-06T00:00:00.000Z' };
    expect(store.spend(today).costUsd).toBe(0.25 + 1.5 + 4);
    expect(store.spend({ source: 'reported' }).costUsd).toBe(2);
    store.close();
  });

  it('finds a call on the record by request id or message id', () => {
    const store = seeded();
    expect(store.knownCalls({ requestId: 'req_1', messageId: null })).toEqual([
      { seq: 1, sessionId: 'ses_a', source: 'metered', costUsd: 0.25 },
    ]);
    expect(store.knownCalls({ requestId: 'req_x', messageId: 'msg_9' })).toEqual([
      { seq: 5, sessionId: null, source: 'metered', costUsd: 4 },
    ]);
    expect(store.knownCalls({ requestId: 'req_1', messageId: 'msg_1' })).toHaveLength(1);
    expect(store.knownCalls({ requestId: null, messageId: null })).toEqual([]);
    store.close();
  });

  it('a read-only store sees usage the writer has not indexed yet', () => {
    const home = tempDir();
    const writer = seeded(home);
    writer.flushIndexes();
    writer.append({
      kind: USAGE_EVENT,
      actor: 'system',
      actorId: 'broker',
      sessionId: 'ses_c',
      payload: usage({ at: '2026-12-05T13:00:00.000Z', costUsd: 8, requestId: 'req_late' }),
    });
    const reader = AuditStore.open({ home, readonly: true });
    expect(reader.spend({ sessionIds: ['ses_c'] }).costUsd).toBe(8);
    expect(reader.knownCalls({ requestId: 'req_late', messageId: null })).toHaveLength(1);
    reader.close();
    writer.close();
  });
});

describe('usage groups', () => {
  /** Days in New York around its change to daylight saving time on 8 March 2026 (a 23-hour day). */
  const NEW_YORK = [
    '2026-03-07T05:00:00.000Z',
    '2026-03-08T05:00:00.000Z',
    '2026-03-09T04:00:00.000Z',
    '2026-03-10T04:00:00.000Z',
  ];
  const CALLS: Array<[string | null, JsonObject]> = [
    ['ses_a', usage({ at: '2026-03-08T04:30:00.000Z' })],
    ['ses_a', usage({ at: '2026-03-08T05:30:00.000Z', costUsd: 1.5 })],
    ['ses_a', usage({ at: '2026-03-09T04:30:00.000Z', model: 'local-llama', costUsd: null })],
    [null, usage({ at: '2026-03-09T03:30:00.000Z', source: 'reported', costUsd: 2 })],
    // A time no one can read: in no day.
    ['ses_b', usage({ at: 'yesterday', costUsd: 4 })],
  ];
  const appendAll = (store: AuditStore, calls: typeof CALLS) =>
    store.appendMany(
      calls.map(([sessionId, payload]) => ({
        kind: USAGE_EVENT,
        actor: 'system' as const,
        actorId: 'broker',
        sessionId,
        payload,
      })),
    );
  const sorted = (groups: UsageGroup[]) =>
    groups
      .map((group) => ({
        key: JSON.stringify([group.session, group.model, group.source, group.day]),
        group,
      }))
      .sort((a, b) => a.key.localeCompare(b.key))
      .map(({ group }) => group);
  const TOKENS = { input: 100, output: 20, cacheWrite: 5, cacheRead: 1000 };

  it('sums by session, model, source and the days it is given', () => {
    const store = AuditStore.open({ home: tempDir() });
    appendAll(store, CALLS);

    const days = store.usageGroups({}, { by: ['day'], days: NEW_YORK });
    expect(sorted(days).map((group) => [group.day, group.calls, group.costUsd])).toEqual([
      ['2026-03-07T05:00:00.000Z', 1, 0.25],
      ['2026-03-08T05:00:00.000Z', 2, 3.5],
      ['2026-03-09T04:00:00.000Z', 1, 0],
    ]);
    expect(store.usageGroups({}, { by: ['day'], days: NEW_YORK.slice(0, 1) })).toEqual([]);
    const since = { since: '2026-03-08T05:00:00.000Z' };
    const figures = (calls: number, costUsd: number, unpricedCalls: number, at: string) => ({
      calls,
      costUsd,
      unpricedCalls,
      tokens: TOKENS,
      firstAt: at,
      lastAt: at,
    });
    expect(sorted(store.usageGroups(since, { by: ['session', 'model'] }))).toEqual([
      {
        session: 'ses_a',
        model: 'claude-sonnet-4-5',
        ...figures(1, 1.5, 0, '2026-03-08T05:30:00.000Z'),
      },
      { session: 'ses_a', model: 'local-llama', ...figures(1, 0, 1, '2026-03-09T04:30:00.000Z') },
      // 'yesterday' sorts after every ISO time.
      { session: 'ses_b', model: 'claude-sonnet-4-5', ...figures(1, 4, 0, 'yesterday') },
      {
        session: null,
        model: 'claude-sonnet-4-5',
        ...figures(1, 2, 0, '2026-03-09T03:30:00.000Z'),
      },
    ]);
    expect(store.usageGroups({ sessionIds: [] }, { by: ['model'] })).toEqual([]);
    expect(store.usageGroups({}, { by: [] })).toMatchObject([{ calls: 5, unpricedCalls: 1 }]);
    store.close();
  });

  it('a read-only store groups the calls not indexed yet as the index does', () => {
    const home = tempDir();
    const writer = AuditStore.open({ home });
    const grouping = { by: ['session', 'source', 'day'] as const, days: NEW_YORK };
    appendAll(writer, CALLS.slice(0, 1));
    writer.flushIndexes();
    // Indexed only once this test yields: a reader finds them in the log alone.
    appendAll(writer, CALLS.slice(1));
    const reader = AuditStore.open({ home, readonly: true });
    const indexed = reader.database.prepare('SELECT count(*) FROM usage').pluck();
    const fromLog = sorted(reader.usageGroups({}, grouping));
    expect(indexed.get()).toBe(1);
    writer.flushIndexes();
    expect(indexed.get()).toBe(5);

    expect(fromLog).toEqual(sorted(reader.usageGroups({}, grouping)));
    expect(fromLog).toHaveLength(4);
    reader.close();
    writer.close();
  });
});
