// Local days and weeks are New York's (vitest runs each file in a process of its own).
process.env.TZ = 'America/New_York';

import { describe, expect, it } from 'vitest';
import { USAGE_SOURCES, type CostGroup, type UsageSource } from '../../../shared/costs';
import { parsePolicy } from '../policy';
import { ProjectsService } from '../projects';
import { SettingsService } from '../settings';
import { AuditStore } from '../store';
import { tempDir } from '../../../test-support/temp';
import {
  appendCalls,
  insertProjects,
  insertSessions,
  type SeedCall,
  type SeedSession,
} from './fixtures/usage';
import { buildCostReport, OUTSIDE_PADDOCK, TOP_SESSIONS, type CostReportDeps } from './index';
import { forecast, localDay, UNKNOWN_DAY } from './report';

const ADA = { actor: 'person' as const, actorId: 'ada' };
const PROJECTS = [
  { id: 'prj_0000000a', path: '/repos/alpha', name: 'alpha' },
  { id: 'prj_0000000b', path: '/repos/beta', name: 'beta' },
];
const SESSIONS: SeedSession[] = [
  {
    id: 'ses_0000000a',
    projectId: 'prj_0000000a',
    agentPreset: 'claude',
    task: 'Fix the login bug\nsee #12',
  },
  { id: 'ses_0000000b', projectId: 'prj_0000000a', agentPreset: 'codex', task: 'Add CSV export' },
  { id: 'ses_0000000c', projectId: 'prj_0000000b', agentPreset: 'claude', task: 'Refactor' },
];
/** On the record, but not a session this Paddock knows. */
const STRANGER = 'ses_0000000d';

const tokens = (n: number) => ({
  input: 10 * n,
  output: n,
  cacheWrite: 100 * n,
  cacheRead: 1000 * n,
});
// prettier-ignore
const CALLS: SeedCall[] = [
  // Monday 2 March, 09:00 in New York (EST, UTC-5).
  { sessionId: 'ses_0000000a', at: '2026-03-02T14:00:00.000Z', source: 'metered', model: 'claude-sonnet-4-5', tokens: tokens(1), costUsd: 0.5 },
  // Saturday 7 March 23:30, and Sunday 8 March 00:30: either side of midnight.
  { sessionId: 'ses_0000000a', at: '2026-03-08T04:30:00.000Z', source: 'metered', model: 'claude-sonnet-4-5', tokens: tokens(2), costUsd: 1.25 },
  { sessionId: 'ses_0000000a', at: '2026-03-08T05:30:00.000Z', source: 'reported', model: 'claude-sonnet-4-5', tokens: tokens(3), costUsd: 0.75 },
  // Clocks went forward at 02:00 on 8 March (EDT, UTC-4): Sunday 23:30, then Monday 9 March 00:30.
  { sessionId: 'ses_0000000b', at: '2026-03-09T03:30:00.000Z', source: 'metered', model: 'gpt-5-codex', tokens: tokens(4), costUsd: 2 },
  { sessionId: 'ses_0000000b', at: '2026-03-09T04:30:00.000Z', source: 'metered', model: 'gpt-5-codex', tokens: tokens(5), costUsd: 0.125 },
  // A model the price table does not know.
  { sessionId: 'ses_0000000c', at: '2026-03-09T12:00:00.000Z', source: 'metered', model: 'local-llama', tokens: tokens(6), costUsd: null },
  // Tuesday 10 March: today (now is 15:00).
  { sessionId: 'ses_0000000c', at: '2026-03-10T13:00:00.000Z', source: 'metered', model: 'claude-sonnet-4-5', tokens: tokens(7), costUsd: 3 },
  { sessionId: null, at: '2026-03-10T16:00:00.000Z', source: 'reported', model: 'claude-haiku-4-5', tokens: tokens(8), costUsd: 0.0625 },
  { sessionId: null, at: '2026-03-10T17:00:00.000Z', source: 'reported', model: 'local-llama', tokens: tokens(9), costUsd: null },
  { sessionId: 'ses_0000000c', at: '2026-03-10T18:30:00.000Z', source: 'estimated', model: 'claude-sonnet-4-5', tokens: tokens(10), costUsd: 0.25 },
  { sessionId: STRANGER, at: '2026-03-10T18:45:00.000Z', source: 'metered', model: 'claude-sonnet-4-5', tokens: tokens(11), costUsd: 0.5 },
  // Today, but dated after now (18:00): in the day's budget, not in what was spent so far.
  { sessionId: 'ses_0000000a', at: '2026-03-10T22:00:00.000Z', source: 'metered', model: 'claude-sonnet-4-5', tokens: tokens(12), costUsd: 0.375 },
];
const NOW = new Date('2026-03-10T19:00:00.000Z');

function seeded(calls: readonly SeedCall[] = CALLS, sessions: readonly SeedSession[] = SESSIONS) {
  const store = AuditStore.open({ home: tempDir() });
  insertProjects(store, PROJECTS);
  insertSessions(store, sessions);
  appendCalls(store, calls);
  const settings = new SettingsService(store);
  const deps: CostReportDeps = {
    store,
    settings,
    sessions: { list: () => sessions },
    projects: new ProjectsService(store),
    agentName: (id) => ({ claude: 'Claude Code', codex: 'Codex CLI' })[id],
    personalBudgets: (text) => parsePolicy(text, 'policy.personal').budgets ?? {},
  };
  return { store, settings, deps };
}

/** The figures of a set of calls, summed here without the store. */
function expected(calls: readonly SeedCall[]): Omit<CostGroup, 'key' | 'label'> {
  const priced = calls.filter((call) => call.costUsd !== null);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const cost = (source?: UsageSource) =>
    sum(priced.filter((c) => !source || c.source === source).map((c) => c.costUsd as number));
  return {
    calls: calls.length,
    costUsd: cost(),
    unpricedCalls: calls.length - priced.length,
    tokens: {
      input: sum(calls.map((c) => c.tokens.input)),
      output: sum(calls.map((c) => c.tokens.output)),
      cacheWrite: sum(calls.map((c) => c.tokens.cacheWrite)),
      cacheRead: sum(calls.map((c) => c.tokens.cacheRead)),
    },
    costBySource: {
      metered: cost('metered'),
      reported: cost('reported'),
      estimated: cost('estimated'),
    },
  };
}

/** Calls grouped by a key, as `{key: figures}`. */
function groupedBy(calls: readonly SeedCall[], key: (call: SeedCall) => string) {
  const groups = new Map<string, SeedCall[]>();
  for (const call of calls) groups.set(key(call), [...(groups.get(key(call)) ?? []), call]);
  return Object.fromEntries([...groups].map(([k, list]) => [k, expected(list)]));
}

function figures(groups: readonly CostGroup[]) {
  return Object.fromEntries(groups.map(({ key, label: _label, ...rest }) => [key, rest]));
}

const newYorkDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const dayOf = (call: SeedCall) => newYorkDate.format(new Date(call.at));
/** The Monday on or before a date: counted back on the calendar. */
function mondayBefore(day: string): string {
  const date = new Date(`${day}T12:00:00.000Z`);
  while (date.getUTCDay() !== 1) date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}
const projectOf = (call: SeedCall) =>
  call.sessionId === null
    ? OUTSIDE_PADDOCK
    : (PROJECTS.find((p) => p.id === SESSIONS.find((s) => s.id === call.sessionId)?.projectId)
        ?.path ?? '(unknown session)');

describe('the cost report', () => {
  it('sums every grouping to what plain arithmetic over the seeded calls gives', () => {
    const { deps, store } = seeded();
    const report = buildCostReport(deps, { now: NOW });

    const { costBySource, ...totals } = expected(CALLS);
    expect(report.totals).toMatchObject({ ...totals, costUsd: expect.closeTo(totals.costUsd, 9) });
    for (const source of USAGE_SOURCES)
      expect(report.totals.bySource[source]).toEqual({
        calls: CALLS.filter((call) => call.source === source).length,
        costUsd: expect.closeTo(costBySource[source], 9),
      });
    expect(figures(report.byModel)).toEqual(groupedBy(CALLS, (call) => call.model));
    expect(figures(report.byProject)).toEqual(groupedBy(CALLS, projectOf));
    expect(figures(report.bySession)).toEqual(
      groupedBy(CALLS, (call) => call.sessionId ?? OUTSIDE_PADDOCK),
    );
    expect(figures(report.byAgent)).toEqual(
      groupedBy(
        CALLS,
        (call) =>
          SESSIONS.find((s) => s.id === call.sessionId)?.agentPreset ??
          (call.sessionId === null ? OUTSIDE_PADDOCK : '(unknown)'),
      ),
    );
    // Most expensive first, labelled for a person.
    expect(report.byProject.map((g) => [g.key, g.label])).toEqual([
      ['/repos/alpha', 'alpha'],
      ['/repos/beta', 'beta'],
      ['(unknown session)', 'Sessions this Paddock does not know'],
      [OUTSIDE_PADDOCK, 'Outside Paddock (no session)'],
    ]);
    expect(report.bySession.find((g) => g.key === 'ses_0000000a')?.label).toBe('Fix the login bug');
    expect(report.byAgent.map((g) => g.label)).toContain('Codex CLI');
    store.close();
  });

  it('counts a call of an unpriced model apart, never as $0', () => {
    const { deps, store } = seeded();
    const report = buildCostReport(deps, { now: NOW });

    expect(report.unpricedModels).toEqual([{ model: 'local-llama', calls: 2 }]);
    expect(report.totals.unpricedCalls).toBe(2);
    const llama = report.byModel.find((group) => group.key === 'local-llama');
    expect(llama).toMatchObject({ calls: 2, unpricedCalls: 2, costUsd: 0 });
    // Beta's $3.25 is its priced calls; its unpriced call is counted, not priced.
    expect(report.byProject.find((group) => group.key === '/repos/beta')).toMatchObject({
      calls: 3,
      unpricedCalls: 1,
      costUsd: 3.25,
    });
    const sumOfModels = report.byModel.reduce((sum, group) => sum + group.costUsd, 0);
    expect(report.totals.costUsd).toBeCloseTo(sumOfModels, 9);
    store.close();
  });

  it('groups by local day and by the week from Monday, across midnight and the clocks going forward', () => {
    const { deps, store } = seeded();
    const report = buildCostReport(deps, { now: NOW });

    expect(report.byDay.map((group) => group.key)).toEqual([
      '2026-03-02',
      '2026-03-07',
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
    ]);
    expect(figures(report.byDay)).toEqual(groupedBy(CALLS, dayOf));
    expect(report.byDay[2]?.label).toBe('Sun 2026-03-08');
    expect(report.byWeek.map((group) => group.key)).toEqual(['2026-03-02', '2026-03-09']);
    expect(figures(report.byWeek)).toEqual(groupedBy(CALLS, (call) => mondayBefore(dayOf(call))));
    store.close();
  });

  it('reports a range: only its calls, from since up to until', () => {
    const { deps, store } = seeded();
    const since = '2026-03-08T05:30:00Z';
    const until = '2026-03-10T13:00:00.000Z';
    const report = buildCostReport(deps, { since, until, now: NOW });

    const inRange = CALLS.filter(
      (call) => call.at >= '2026-03-08T05:30:00.000Z' && call.at < until,
    );
    expect(report.since).toBe('2026-03-08T05:30:00.000Z');
    expect(report.until).toBe(until);
    const { costBySource: _bySource, ...totals } = expected(inRange);
    expect(report.totals).toMatchObject(totals);
    expect(figures(report.byDay)).toEqual(groupedBy(inRange, dayOf));
    store.close();
  });

  it('shows the limits of the settings and the person’s policy (the smaller of each), projects and sessions over all time', () => {
    const { deps, settings, store } = seeded();
    settings.set('costs.budgets', { session: 2, project: 10, day: 5 }, ADA);
    settings.set('policy.personal', 'version: 1\nbudgets:\n  project: 4\n  day: 8\n', ADA);
    // From Monday 9 March: alpha's spend in range is ses_b's, but its limit counts all of ses_a's too.
    const report = buildCostReport(deps, { since: '2026-03-09T04:00:00.000Z', now: NOW });

    const spent = (filter: (call: SeedCall) => boolean) => expected(CALLS.filter(filter)).costUsd;
    const inSessions = (...ids: string[]) =>
      spent((call) => call.sessionId !== null && ids.includes(call.sessionId));
    const midnight = '2026-03-10T04:00:00.000Z';
    const nextMidnight = '2026-03-11T04:00:00.000Z';
    expect(report.budgets).toEqual([
      {
        scope: 'day',
        subject: '2026-03-10',
        label: 'Today (Tue 2026-03-10)',
        limitUsd: 5,
        spentUsd: expect.closeTo(
          spent((c) => c.at >= midnight && c.at < nextMidnight),
          9,
        ),
      },
      {
        scope: 'project',
        subject: '/repos/alpha',
        label: 'Project alpha (all its sessions, all time)',
        limitUsd: 4,
        spentUsd: expect.closeTo(inSessions('ses_0000000a', 'ses_0000000b'), 9),
      },
      {
        scope: 'project',
        subject: '/repos/beta',
        label: 'Project beta (all its sessions, all time)',
        limitUsd: 4,
        spentUsd: expect.closeTo(inSessions('ses_0000000c'), 9),
      },
      // The sessions of bySession that Paddock knows, the most of its limit used first.
      ...[
        ['ses_0000000c', 'Refactor'],
        ['ses_0000000a', 'Fix the login bug'],
        ['ses_0000000b', 'Add CSV export'],
      ].map(([id, task]) => ({
        scope: 'session',
        subject: id,
        label: `Session “${task}”`,
        limitUsd: 2,
        spentUsd: expect.closeTo(inSessions(id as string), 9),
      })),
    ]);
    expect(report.budgets[1]?.spentUsd).toBe(5); // 2.875 before the range and in it, 2.125 in it
    store.close();
  });

  it('shows no budgets when none is set', () => {
    const { deps, store } = seeded();
    expect(buildCostReport(deps, { now: NOW }).budgets).toEqual([]);
    store.close();
  });

  it('forecasts today at the rate since local midnight', () => {
    const { deps, store } = seeded();
    const report = buildCostReport(deps, { now: NOW });

    // 15:00 in New York: 15 hours gone, 9 to go; the call dated 18:00 is not spent yet.
    const today = expected(
      CALLS.filter((call) => call.at >= '2026-03-10T04:00:00.000Z' && call.at < NOW.toISOString()),
    ).costUsd;
    expect(today).toBe(3.8125);
    expect(report.today.spentUsd).toBeCloseTo(today, 9);
    expect(report.today.forecastUsd).toBeCloseTo(today + (today / 15) * 9, 9);

    // A minute past midnight counts as an hour gone, not as 1/60 of one.
    const early = new Date('2026-03-10T04:01:00.000Z');
    const { start, end } = localDay(early);
    expect(forecast(2, start, end, early)).toBeCloseTo(2 + 2 * (23 + 59 / 60), 9);
    // Nothing spent, nothing forecast; the short day of the clock change has 23 hours.
    expect(forecast(0, start, end, early)).toBe(0);
    const sunday = localDay(new Date('2026-03-08T16:00:00.000Z')); // 12:00 EDT
    expect(sunday.end.getTime() - sunday.start.getTime()).toBe(23 * 3_600_000);
    expect(forecast(1, sunday.start, sunday.end, new Date('2026-03-08T16:00:00.000Z'))).toBeCloseTo(
      1 + (1 / 11) * 12,
      9,
    );
    store.close();
  });

  it('lists the 50 most expensive sessions', () => {
    const many = Array.from({ length: TOP_SESSIONS + 5 }, (_, i) => ({
      id: `ses_${(0xa0 + i).toString(16).padStart(8, '0')}`,
      projectId: 'prj_0000000a',
      agentPreset: 'claude',
      task: `Task ${i}`,
    }));
    const calls = many.map((session, i) => ({
      sessionId: session.id,
      at: '2026-03-09T12:00:00.000Z',
      source: 'metered' as const,
      model: 'claude-sonnet-4-5',
      tokens: tokens(1),
      costUsd: i + 1,
    }));
    const { deps, store } = seeded(calls, many);
    const report = buildCostReport(deps, { now: NOW });

    expect(report.bySession).toHaveLength(TOP_SESSIONS);
    expect(report.bySession[0]).toMatchObject({ label: `Task ${TOP_SESSIONS + 4}`, costUsd: 55 });
    expect(report.bySession.at(-1)?.costUsd).toBe(6);
    expect(report.totals.calls).toBe(TOP_SESSIONS + 5);
    store.close();
  });

  it('is empty, not wrong, before any call', () => {
    const { deps, store } = seeded([]);
    const report = buildCostReport(deps, { now: NOW });
    expect(report).toMatchObject({
      totals: { calls: 0, costUsd: 0, unpricedCalls: 0 },
      byDay: [],
      byWeek: [],
      byModel: [],
      unpricedModels: [],
      today: { spentUsd: 0, forecastUsd: 0 },
    });
    store.close();
  });

  it('keeps a call whose time cannot be read: in the totals, and as a day of its own, last', () => {
    const odd: SeedCall = { ...(CALLS[0] as SeedCall), at: 'yesterday', costUsd: 0.5 };
    const { deps, store } = seeded([...CALLS, odd]);
    const report = buildCostReport(deps, { now: NOW });

    expect(report.totals.calls).toBe(CALLS.length + 1);
    expect(report.byDay.at(-1)).toMatchObject({
      key: UNKNOWN_DAY,
      calls: 1,
      costUsd: expect.closeTo(0.5, 9),
    });
    expect(report.byWeek.at(-1)).toMatchObject({ key: UNKNOWN_DAY, calls: 1 });
    expect(figures(report.byDay.slice(0, -1))).toEqual(groupedBy(CALLS, dayOf));
    store.close();
  });
});
