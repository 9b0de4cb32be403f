/**
 * A CostReport for tests, grouped here from a list of calls the way CostReport documents it (local
 * days, Mondays, most expensive first), so a test can check every figure drawn against the calls.
 */
import {
  emptyCostGroup,
  USAGE_SOURCES,
  type BudgetUse,
  type CostGroup,
  type CostReport,
  type UsageSource,
} from '../../../../shared/costs';
import { localDayKey, mondayOf } from './report';

export interface TestCall {
  at: string;
  source: UsageSource;
  model: string;
  /** null: the model has no price. */
  costUsd: number | null;
  sessionId?: string;
  task?: string;
  project?: string;
  agent?: string;
  input?: number;
  output?: number;
  cacheWrite?: number;
  cacheRead?: number;
}

function addCall(group: CostGroup, call: TestCall): void {
  group.calls += 1;
  if (call.costUsd === null) group.unpricedCalls += 1;
  else {
    group.costUsd += call.costUsd;
    group.costBySource[call.source] += call.costUsd;
  }
  group.tokens.input += call.input ?? 0;
  group.tokens.output += call.output ?? 0;
  group.tokens.cacheWrite += call.cacheWrite ?? 0;
  group.tokens.cacheRead += call.cacheRead ?? 0;
}

function groupBy(
  calls: readonly TestCall[],
  keyOf: (call: TestCall) => string | null,
  labelOf: (call: TestCall) => string = (call) => keyOf(call) ?? '',
): CostGroup[] {
  const groups = new Map<string, CostGroup>();
  for (const call of calls) {
    const key = keyOf(call);
    if (key === null) continue;
    const group = groups.get(key) ?? emptyCostGroup(key, labelOf(call));
    groups.set(key, group);
    addCall(group, call);
  }
  return [...groups.values()];
}

const byCost = (groups: CostGroup[]) => groups.sort((a, b) => b.costUsd - a.costUsd);
const byKey = (groups: CostGroup[]) => groups.sort((a, b) => a.key.localeCompare(b.key));

export interface ReportOptions {
  generatedAt?: string;
  since?: string | null;
  budgets?: BudgetUse[];
  today?: CostReport['today'];
}

export function reportOf(calls: readonly TestCall[], options: ReportOptions = {}): CostReport {
  const total = emptyCostGroup('total', 'Total');
  for (const call of calls) addCall(total, call);
  const bySource = Object.fromEntries(
    USAGE_SOURCES.map((source) => {
      const of = calls.filter((call) => call.source === source);
      return [
        source,
        { calls: of.length, costUsd: of.reduce((sum, call) => sum + (call.costUsd ?? 0), 0) },
      ];
    }),
  ) as CostReport['totals']['bySource'];
  const day = (call: TestCall) => localDayKey(new Date(call.at));
  const unpriced = groupBy(
    calls.filter((call) => call.costUsd === null),
    (call) => call.model,
  );
  return {
    generatedAt: options.generatedAt ?? '2026-12-05T15:00:00.000Z',
    since: options.since ?? null,
    until: null,
    totals: {
      calls: total.calls,
      costUsd: total.costUsd,
      unpricedCalls: total.unpricedCalls,
      tokens: total.tokens,
      bySource,
    },
    byDay: byKey(groupBy(calls, day)),
    byWeek: byKey(groupBy(calls, (call) => mondayOf(day(call)))),
    byProject: byCost(groupBy(calls, (call) => call.project ?? null)),
    bySession: byCost(
      groupBy(
        calls,
        (call) => call.sessionId ?? null,
        (call) => call.task ?? call.sessionId ?? '',
      ),
    ).slice(0, 50),
    byAgent: byCost(groupBy(calls, (call) => call.agent ?? null)),
    byModel: byCost(groupBy(calls, (call) => call.model)),
    unpricedModels: unpriced.map((group) => ({ model: group.key, calls: group.calls })),
    budgets: options.budgets ?? [],
    today: options.today ?? { spentUsd: 0, forecastUsd: 0 },
  };
}

/** Three weeks of calls: two models (one unpriced), three sources, two projects, four sessions. */
export const CALLS: readonly TestCall[] = [
  ['2026-11-16T09:00:00.000Z', 'metered', 'claude-sonnet-4-5', 0.42, 'ses_0000000a'],
  ['2026-11-16T11:30:00.000Z', 'reported', 'claude-sonnet-4-5', 0.1, 'ses_0000000a'],
  ['2026-11-18T10:00:00.000Z', 'metered', 'claude-opus-4-8', 1.25, 'ses_0000000b'],
  ['2026-11-24T10:00:00.000Z', 'estimated', 'gpt-5', 0.0042, 'ses_0000000c'],
  ['2026-11-24T12:00:00.000Z', 'reported', 'claude-unknown-9', null, 'ses_0000000c'],
  ['2026-11-30T23:00:00.000Z', 'metered', 'claude-sonnet-4-5', 2.5, 'ses_0000000d'],
  ['2026-12-01T08:00:00.000Z', 'reported', 'claude-unknown-9', null, undefined],
  ['2026-12-05T09:00:00.000Z', 'metered', 'claude-opus-4-8', 0.3, 'ses_0000000d'],
  ['2026-12-05T10:00:00.000Z', 'reported', 'claude-sonnet-4-5', 0.0001, 'ses_0000000d'],
].map(([at, source, model, costUsd, sessionId], index) => ({
  at: at as string,
  source: source as UsageSource,
  model: model as string,
  costUsd: costUsd as number | null,
  ...(sessionId ? { sessionId: sessionId as string, task: `Task ${sessionId as string}` } : {}),
  project: index % 3 === 0 ? '/home/ada/app' : '/home/ada/site',
  agent: source === 'estimated' ? 'codex' : 'claude',
  input: 100 * (index + 1),
  output: 10 * (index + 1),
  cacheWrite: index * 1000,
  cacheRead: index * 5000,
}));
