import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../shared/audit';
import { USAGE_EVENT, type UsageRecord } from '../../../shared/costs';
import { tempDir } from '../../../test-support/temp';
import { AuditStore, type UsageGroup } from './index';
import type { SpendFilter } from './usage-index';

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

describe('usage by the hour', () => {
  /** A small deterministic generator, so a failure can be replayed. */
  function random(seed: number) {
    let state = seed;
    return () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
  }
  const START = Date.parse('2026-03-06T00:00:00.000Z');
  const SPAN = 5 * 86_400_000;

  /** 2,000 calls over five days, some at irregular times, with their figures kept for the sums. */
  function calls(next: () => number) {
    return Array.from({ length: 2_000 }, (_, i) => {
      const time = new Date(START + Math.floor(next() * SPAN));
      const at =
        i % 97 === 0
          ? time.toISOString().replace('.000Z', 'Z') // written without milliseconds: irregular
          : i % 211 === 0
            ? 'not a time'
            : time.toISOString();
      return {
        sessionId: next() < 0.1 ? null : `ses_${Math.floor(next() * 6)}`,
        at,
        model: ['m-a', 'm-b', 'm-c'][Math.floor(next() * 3)] as string,
        source: next() < 0.8 ? ('metered' as const) : ('reported' as const),
        costUsd: next() < 0.05 ? null : Math.round(next() * 1000) / 100,
        input: Math.floor(next() * 5000),
      };
    });
  }
  type Call = ReturnType<typeof calls>[number];

  /** A store holding the calls, indexed. */
  function storeWith(all: readonly Call[]): AuditStore {
    const store = AuditStore.open({ home: tempDir() });
    store.appendMany(
      all.map((call) => ({
        kind: USAGE_EVENT,
        actor: 'system' as const,
        actorId: 'broker',
        sessionId: call.sessionId,
        payload: usage({
          at: call.at,
          model: call.model,
          source: call.source,
          costUsd: call.costUsd,
          tokens: { input: call.input, output: 0, cacheWrite: 0, cacheRead: 0 },
        }),
      })),
    );
    store.flushIndexes();
    return store;
  }

  /** What the index must answer, summed here call by call (times compared as text, as SQL does). */
  function bruteForce(all: readonly Call[], filter: SpendFilter) {
    const chosen = all.filter(
      (call) =>
        (!filter.sessionIds ||
          (call.sessionId !== null && filter.sessionIds.includes(call.sessionId))) &&
        (!filter.since || call.at >= filter.since) &&
        (!filter.until || call.at < filter.until) &&
        (!filter.source || call.source === filter.source),
    );
    const byModel = new Map<string, { calls: number; costUsd: number; input: number }>();
    for (const call of chosen) {
      const sums = byModel.get(call.model) ?? { calls: 0, costUsd: 0, input: 0 };
      sums.calls++;
      sums.costUsd += call.costUsd ?? 0;
      sums.input += call.input;
      byModel.set(call.model, sums);
    }
    return byModel;
  }

  it('answers every range as summing each call would, whole hours or not', () => {
    const next = random(42);
    const all = calls(next);
    const store = storeWith(all);
    const hours = store.database.prepare('SELECT total(calls) FROM usage_hours').pluck().get();
    const irregular = all.filter((call) => !/\.\d{3}Z$/.test(call.at)).length;
    expect(hours).toBe(all.length - irregular);

    const timeAt = (ms: number) => new Date(START + ms).toISOString();
    const ranges: SpendFilter[] = [
      {},
      { since: timeAt(0), until: timeAt(SPAN) },
      // Whole hours; then ends inside hours; then a range inside one hour; then a half-hour zone's day.
      { since: timeAt(3_600_000 * 5), until: timeAt(3_600_000 * 30) },
      { since: timeAt(3_600_000 * 5 + 1234), until: timeAt(3_600_000 * 30 - 1) },
      { since: timeAt(3_600_000 * 7 + 60_000), until: timeAt(3_600_000 * 7 + 1_800_000) },
      { since: '2026-03-07T18:30:00.000Z', until: '2026-03-08T18:30:00.000Z' },
      { since: timeAt(3_600_000 * 50 + 17) },
      { until: timeAt(3_600_000 * 50 + 17) },
      // Bounds that are not canonical times: read from the calls themselves.
      { since: '2026-03-07T10:00:00Z', until: '2026-03-08T10:00:00+01:00' },
      { since: timeAt(3_600_000 * 10), sessionIds: ['ses_1', 'ses_4'] },
      { until: timeAt(3_600_000 * 80), source: 'reported' },
    ];
    for (let i = 0; i < 20; i++) {
      const [a, b] = [next() * SPAN, next() * SPAN].sort((x, y) => x - y) as [number, number];
      ranges.push({ since: timeAt(Math.floor(a)), until: timeAt(Math.floor(b) + 1) });
    }
    for (const filter of ranges) {
      const expected = bruteForce(all, filter);
      const got = store.usageGroups(filter, { by: ['model'] });
      expect(got.map((group) => group.model).sort(), JSON.stringify(filter)).toEqual(
        [...expected.keys()].sort(),
      );
      for (const group of got) {
        const sums = expected.get(group.model as string);
        expect(group.calls, JSON.stringify(filter)).toBe(sums?.calls);
        expect(group.tokens.input).toBe(sums?.input);
        expect(group.costUsd).toBeCloseTo(sums?.costUsd ?? NaN, 6);
      }
    }
    store.close();
  });

  it('sums by day as summing each call would, whether days start on the hour or not', () => {
    const next = random(7);
    const all = calls(next);
    const store = storeWith(all);
    const midnights = (offsetMinutes: number) =>
      Array.from({ length: 7 }, (_, d) =>
        new Date(START + (d - 1) * 86_400_000 - offsetMinutes * 60_000).toISOString(),
      );
    const zones = { utc: midnights(0), newYork: midnights(-300), kolkata: midnights(330) };
    const filters: SpendFilter[] = [
      {},
      { since: '2026-03-07T06:00:00.000Z', until: '2026-03-09T20:00:00.000Z' },
      { since: '2026-03-07T06:17:00.000Z', sessionIds: ['ses_2', 'ses_3'] },
      { until: '2026-03-09T20:00:00Z', source: 'metered' },
    ];
    for (const [zone, days] of Object.entries(zones))
      for (const filter of filters) {
        const expected = new Map<string, { calls: number; input: number; costUsd: number }>();
        for (let i = 0; i + 1 < days.length; i++) {
          const [from, to] = [days[i] as string, days[i + 1] as string];
          const bounded = {
            ...filter,
            since: filter.since && filter.since > from ? filter.since : from,
            until: filter.until && filter.until < to ? filter.until : to,
          };
          let sums = { calls: 0, input: 0, costUsd: 0 };
          for (const model of bruteForce(all, bounded).values())
            sums = {
              calls: sums.calls + model.calls,
              input: sums.input + model.input,
              costUsd: sums.costUsd + model.costUsd,
            };
          if (sums.calls > 0) expected.set(from, sums);
        }
        const got = store.usageGroups(filter, { by: ['day'], days });
        const what = `${zone} ${JSON.stringify(filter)}`;
        expect(got.map((group) => group.day).sort(), what).toEqual([...expected.keys()].sort());
        for (const group of got) {
          const sums = expected.get(group.day as string);
          expect(group.calls, what).toBe(sums?.calls);
          expect(group.tokens.input, what).toBe(sums?.input);
          expect(group.costUsd, what).toBeCloseTo(sums?.costUsd ?? NaN, 6);
        }
      }
    store.close();
  });

  it('the upgrade sums the calls indexed before it into their hours', () => {
    const home = tempDir();
    const store = AuditStore.open({ home });
    store.appendMany(
      [
        '2026-03-08T04:30:00.000Z',
        '2026-03-08T04:59:59.999Z',
        '2026-03-08T05:00:00.000Z',
        'later',
      ].map((at) => ({
        kind: USAGE_EVENT,
        actor: 'system' as const,
        actorId: 'broker',
        sessionId: null,
        payload: usage({ at }),
      })),
    );
    store.flushIndexes();
    const db = store.database;
    const before = db
      .prepare('SELECT hour, session_key, calls, cost_usd FROM usage_hours ORDER BY hour')
      .all();
    // As an older store holds them: the calls indexed, nothing summed by the hour.
    db.exec(
      'DROP TABLE usage_hours; DROP INDEX usage_irregular; ALTER TABLE usage DROP COLUMN hour',
    );
    db.pragma('user_version = 8');
    store.close();

    const upgraded = AuditStore.open({ home });
    expect(
      upgraded.database
        .prepare('SELECT hour, session_key, calls, cost_usd FROM usage_hours ORDER BY hour')
        .all(),
    ).toEqual(before);
    expect(before).toEqual([
      { hour: '2026-03-08T04', session_key: '', calls: 2, cost_usd: 0.5 },
      { hour: '2026-03-08T05', session_key: '', calls: 1, cost_usd: 0.25 },
    ]);
    expect(upgraded.spend().calls).toBe(4);
    upgraded.close();
  });
});
