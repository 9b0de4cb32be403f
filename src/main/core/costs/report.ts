/**
 * The cost report: what model calls cost over a time range, by local day and week, by project,
 * session, agent and model, with the budgets that are set and today's forecast, as the cost
 * dashboard and `paddock costs` show it.
 *
 * Every figure is summed by SQL over the store's usage index (one row per `cost.usage` event);
 * no event payload is read. Two grouped scans cover a range: by session, model and source (the
 * projects, sessions, agents and models fold from these few rows, each session's project and
 * agent from the sessions Paddock knows), and by local day and source, a day at a time between
 * local midnights worked out here (so a day is the person's, on either side of a clock change);
 * the weeks fold from the days. Budgets add a sum for today and, for limits over all time, one by
 * session.
 * Dollars are over priced calls only: a call of a model the price table does not know counts as a
 * call and in the tokens, and apart as unpriced, never as $0.
 */
import {
  addCostGroup,
  addSpend,
  emptyCostGroup,
  type BudgetUse,
  type CostGroup,
  type CostReport,
  type UsageSource,
} from '../../../shared/costs';
import type { Project, SessionRecord } from '../../../shared/sessions';
import type { BudgetLimits } from '../budgets';
import type { SettingsService } from '../settings';
import type { AuditStore, UsageGroup } from '../store';

/** Where calls without a Paddock session go (imported from the person's own transcripts). */
export const OUTSIDE_PADDOCK = '(outside Paddock)';
/** The group of sessions that work on no repository (remote operator runs). */
export const NO_PROJECT = '(no project)';
/** bySession holds at most this many sessions, the most expensive. */
export const TOP_SESSIONS = 50;
/** A day or week key for calls whose time cannot be read as one (last in byDay and byWeek). */
export const UNKNOWN_DAY = '(unknown day)';

export interface CostReportDeps {
  store: Pick<AuditStore, 'usageGroups' | 'spend'>;
  /** `costs.budgets`, and `policy.personal` (the person's policy, for its `budgets` section). */
  settings: Pick<SettingsService, 'get'>;
  /** Every session Paddock knows: its project, agent preset and task. */
  sessions: {
    list(): ReadonlyArray<Pick<SessionRecord, 'id' | 'projectId' | 'agentPreset' | 'task'>>;
  };
  projects: { list(): ReadonlyArray<Pick<Project, 'id' | 'path' | 'name'>> };
  /** A preset's name for people (`Claude Code`), when it has one. */
  agentName?: (presetId: string) => string | undefined;
  /**
   * The `budgets` section of the person's policy, from its text (the `policy.personal` setting):
   * given by the caller, so a quick reader loads the policy parser only when there is a policy.
   */
  personalBudgets: PersonalBudgets;
}

/** The `budgets` of a policy's text (never called with blank text). */
export type PersonalBudgets = (policyText: string) => BudgetLimits;

export interface CostReportOptions {
  /** ISO 8601: calls at or after `since` and before `until`; either may be left out. */
  since?: string;
  until?: string;
  /** Defaults to the current time; today and its forecast are as of then. */
  now?: Date;
  /**
   * Sections a caller does not show, left out to save their work: `days` (byDay and byWeek are
   * empty), `budgets` (none), `sessions` (byProject, bySession and byAgent are empty, and so are
   * the budgets: calls are summed by model alone). `paddock costs --by model --json` shows none.
   */
  without?: ReadonlyArray<'days' | 'budgets' | 'sessions'>;
}

export function buildCostReport(deps: CostReportDeps, options: CostReportOptions = {}): CostReport {
  const now = options.now ?? new Date();
  const since = options.since === undefined ? null : isoTime(options.since, 'since');
  const until = options.until === undefined ? null : isoTime(options.until, 'until');
  const range = { ...(since ? { since } : {}), ...(until ? { until } : {}) };

  const sessions = new Map(deps.sessions.list().map((session) => [session.id, session]));
  const projects = new Map(deps.projects.list().map((project) => [project.id, project]));
  const projectPaths = new Set([...projects.values()].map((project) => project.path));
  const projectOf = (sessionId: string | null): { key: string; label: string } => {
    if (sessionId === null) return { key: OUTSIDE_PADDOCK, label: 'Outside Paddock (no session)' };
    const session = sessions.get(sessionId);
    if (!session) return { key: '(unknown session)', label: 'Sessions this Paddock does not know' };
    // A remote operator run works on a host, not a repository.
    if (session.projectId === '') return { key: NO_PROJECT, label: 'Remote hosts (operator)' };
    const project = projects.get(session.projectId);
    return project
      ? { key: project.path, label: project.name }
      : { key: session.projectId, label: `${session.projectId} (a removed project)` };
  };

  const without = new Set(options.without ?? []);
  const bySessions = !without.has('sessions');
  const rows = deps.store.usageGroups(range, {
    by: bySessions ? ['session', 'model', 'source'] : ['model', 'source'],
  });
  const totals = new Groups();
  const byProject = new Groups();
  const bySession = new Groups();
  const byAgent = new Groups();
  const byModel = new Groups();
  const unpriced = new Map<string, number>();
  const agentLabels = new Map<string, string>();
  const agentLabel = (agent: string): string => {
    let label = agentLabels.get(agent);
    if (label === undefined) agentLabels.set(agent, (label = deps.agentName?.(agent) ?? agent));
    return label;
  };
  for (const row of rows) {
    const sessionId = row.session ?? null;
    const session = sessionId === null ? undefined : sessions.get(sessionId);
    const model = row.model as string;
    totals.add('', '', row);
    byModel.add(model, model, row);
    if (row.unpricedCalls > 0) unpriced.set(model, (unpriced.get(model) ?? 0) + row.unpricedCalls);
    if (!bySessions) continue;
    const project = projectOf(sessionId);
    byProject.add(project.key, project.label, row);
    if (sessionId === null) bySession.add(OUTSIDE_PADDOCK, 'Outside Paddock (no session)', row);
    else bySession.add(sessionId, session ? taskLabel(session.task) : sessionId, row);
    const agent = session?.agentPreset ?? (sessionId === null ? OUTSIDE_PADDOCK : '(unknown)');
    byAgent.add(agent, agentLabel(agent), row);
  }
  const total = totals.get('') ?? emptyCostGroup('', '');

  const days = without.has('days') ? [] : dayGroups(deps.store, range, rows, total);
  const sessionTop = bySession.sorted().slice(0, TOP_SESSIONS);
  const callsBySource = (source: UsageSource) =>
    rows.reduce((sum, row) => (row.source === source ? sum + row.calls : sum), 0);
  return {
    generatedAt: now.toISOString(),
    since,
    until,
    totals: {
      calls: total.calls,
      costUsd: total.costUsd,
      unpricedCalls: total.unpricedCalls,
      tokens: total.tokens,
      bySource: {
        metered: { calls: callsBySource('metered'), costUsd: total.costBySource.metered },
        reported: { calls: callsBySource('reported'), costUsd: total.costBySource.reported },
        estimated: { calls: callsBySource('estimated'), costUsd: total.costBySource.estimated },
      },
    },
    byDay: days,
    byWeek: weekGroups(days),
    byProject: byProject.sorted(),
    bySession: sessionTop,
    byAgent: byAgent.sorted(),
    byModel: byModel.sorted(),
    unpricedModels: [...unpriced]
      .map(([model, calls]) => ({ model, calls }))
      .sort((a, b) => b.calls - a.calls || compare(a.model, b.model)),
    budgets:
      without.has('budgets') || !bySessions
        ? []
        : budgetUses(deps, {
            now,
            rangeIsAllTime: !since && !until,
            rows,
            projects: byProject.sorted().filter((group) => projectPaths.has(group.key)),
            sessions: sessionTop.filter((group) => sessions.has(group.key)),
            sessionsOfProject: (path) =>
              [...sessions.values()]
                .filter((session) => projects.get(session.projectId)?.path === path)
                .map((session) => session.id),
          }),
    today: todaySpend(deps.store, now),
  };
}

/**
 * By local day, oldest first: a query a day, between the local midnights around the range's
 * calls. Calls the days do not hold (a time that cannot be read as one) are a day of their own,
 * last.
 */
function dayGroups(
  store: CostReportDeps['store'],
  range: { since?: string; until?: string },
  rows: readonly UsageGroup[],
  total: CostGroup,
): CostGroup[] {
  let [first, last] = [Infinity, -Infinity];
  for (const row of rows) {
    const [from, to] = [Date.parse(row.firstAt), Date.parse(row.lastAt)];
    if (from < first) first = from;
    if (to > last) last = to;
  }
  const midnights: Date[] = [];
  if (first <= last) {
    let day = localDay(new Date(first)).start;
    midnights.push(day);
    while (day.getTime() <= last) {
      day = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
      midnights.push(day);
    }
  }
  const byDay = new Groups();
  for (const row of store.usageGroups(range, {
    by: ['day', 'source'],
    days: midnights.map((midnight) => midnight.toISOString()),
  })) {
    const day = localDate(new Date(row.day as string));
    byDay.add(day, dayLabel(day), row);
  }
  const days = byDay.inKeyOrder();
  const inDays = days.reduce((sum, day) => sum + day.calls, 0);
  if (inDays === total.calls) return days;
  // What the days do not hold: the rest of the total.
  const unknown = emptyCostGroup(UNKNOWN_DAY, 'Time not readable');
  addCostGroup(unknown, total);
  for (const day of days) addCostGroup(unknown, day, -1);
  return [...days, unknown];
}

/** Sums by key, with a label for people, then most expensive first. */
class Groups {
  private readonly groups = new Map<string, CostGroup>();

  add(key: string, label: string, row: UsageGroup): void {
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = emptyCostGroup(key, label)));
    addSpend(group, row);
    group.costBySource[row.source as UsageSource] += row.costUsd;
  }

  get(key: string): CostGroup | undefined {
    return this.groups.get(key);
  }

  /** Most expensive first; then the most calls, then by key. */
  sorted(): CostGroup[] {
    return [...this.groups.values()].sort(
      (a, b) => b.costUsd - a.costUsd || b.calls - a.calls || compare(a.key, b.key),
    );
  }

  /** In key order (days and weeks: oldest first). */
  inKeyOrder(): CostGroup[] {
    return [...this.groups.values()].sort((a, b) => compare(a.key, b.key));
  }
}

/** By the local Monday each week starts, oldest first, folded from the days. */
function weekGroups(days: readonly CostGroup[]): CostGroup[] {
  const weeks = new Map<string, CostGroup>();
  for (const day of days) {
    const monday = day.key === UNKNOWN_DAY ? UNKNOWN_DAY : mondayOf(day.key);
    let week = weeks.get(monday);
    if (!week) {
      const label = monday === UNKNOWN_DAY ? day.label : `Week of Mon ${monday}`;
      weeks.set(monday, (week = emptyCostGroup(monday, label)));
    }
    addCostGroup(week, day);
  }
  return unknownLast([...weeks.values()].sort((a, b) => compare(a.key, b.key)));
}

function unknownLast(groups: CostGroup[]): CostGroup[] {
  return [
    ...groups.filter((group) => group.key !== UNKNOWN_DAY),
    ...groups.filter((group) => group.key === UNKNOWN_DAY),
  ];
}

function budgetUses(
  deps: CostReportDeps,
  context: {
    now: Date;
    rangeIsAllTime: boolean;
    rows: readonly UsageGroup[];
    projects: readonly CostGroup[];
    sessions: readonly CostGroup[];
    sessionsOfProject: (path: string) => string[];
  },
): BudgetUse[] {
  const limits = budgetLimits(deps.settings, deps.personalBudgets);
  const uses: BudgetUse[] = [];
  if (limits.day !== undefined) {
    const { start, end } = localDay(context.now);
    uses.push({
      scope: 'day',
      subject: localDate(start),
      label: `Today (${dayLabel(localDate(start))})`,
      limitUsd: limits.day,
      spentUsd: deps.store.spend({ since: start.toISOString(), until: end.toISOString() }).costUsd,
    });
  }
  const projectSessions = new Map(
    limits.project === undefined
      ? []
      : context.projects.map((project) => [project.key, context.sessionsOfProject(project.key)]),
  );
  const sessionIds = [
    ...new Set([
      ...[...projectSessions.values()].flat(),
      ...(limits.session === undefined ? [] : context.sessions.map((session) => session.key)),
    ]),
  ];
  if (sessionIds.length === 0) return uses;
  // A project's and a session's limits are over all time, whatever the report's range.
  const allTime = new Map<string, number>();
  const rows = context.rangeIsAllTime
    ? context.rows
    : deps.store.usageGroups({ sessionIds }, { by: ['session'] });
  for (const row of rows)
    if (row.session) allTime.set(row.session, (allTime.get(row.session) ?? 0) + row.costUsd);
  const scoped: BudgetUse[] = [];
  if (limits.project !== undefined)
    for (const project of context.projects)
      scoped.push({
        scope: 'project',
        subject: project.key,
        label: `Project ${project.label} (all its sessions, all time)`,
        limitUsd: limits.project,
        spentUsd: (projectSessions.get(project.key) ?? []).reduce(
          (sum, id) => sum + (allTime.get(id) ?? 0),
          0,
        ),
      });
  if (limits.session !== undefined)
    for (const session of context.sessions)
      scoped.push({
        scope: 'session',
        subject: session.key,
        label: `Session “${session.label}”`,
        limitUsd: limits.session,
        spentUsd: allTime.get(session.key) ?? 0,
      });
  // The projects', then the sessions': the most used of its limit first.
  return [
    ...uses,
    ...scoped.sort((a, b) => a.scope.localeCompare(b.scope) || b.spentUsd - a.spentUsd),
  ];
}

/**
 * The limits set in the `costs.budgets` setting and the person's policy's `budgets` section: the
 * smaller of the two for each scope. (A repository's policy can lower a project's limits further
 * for its sessions' calls; that is read per project at a commit, and not shown here.)
 */
export function budgetLimits(
  settings: Pick<SettingsService, 'get'>,
  personalBudgets: PersonalBudgets,
): BudgetLimits {
  const text = settings.get('policy.personal');
  const personal = text.trim() ? personalBudgets(text) : {};
  const set = settings.get('costs.budgets');
  const limits: BudgetLimits = {};
  for (const scope of ['session', 'project', 'day'] as const) {
    const values = [set[scope], personal[scope]].filter((value) => value !== undefined);
    if (values.length) limits[scope] = Math.min(...values);
  }
  return limits;
}

/**
 * What was spent today (local midnight to now) and, at the rate since midnight, what today comes
 * to by the next midnight. (The day's budget counts to the next midnight, as the budget check
 * does: the same figure, unless some calls are dated after now.)
 */
function todaySpend(store: CostReportDeps['store'], now: Date): CostReport['today'] {
  const { start, end } = localDay(now);
  const spentUsd = store.spend({ since: start.toISOString(), until: now.toISOString() }).costUsd;
  return { spentUsd, forecastUsd: forecast(spentUsd, start, end, now) };
}

/**
 * spent + (spent / hours elapsed since midnight) × hours left until the next midnight. Less than
 * an hour after midnight, an hour counts as elapsed: a call at 00:01 would otherwise forecast its
 * cost times 1,440. Nothing spent forecasts nothing.
 */
export function forecast(spentUsd: number, dayStart: Date, dayEnd: Date, now: Date): number {
  if (spentUsd <= 0) return 0;
  const HOUR = 3_600_000;
  const elapsed = Math.max(1, (now.getTime() - dayStart.getTime()) / HOUR);
  const left = Math.max(0, (dayEnd.getTime() - now.getTime()) / HOUR);
  return spentUsd + (spentUsd / elapsed) * left;
}

/** Local midnight before `time`, and the next (a day of 23 or 25 hours where clocks change). */
export function localDay(time: Date): { start: Date; end: Date } {
  return {
    start: new Date(time.getFullYear(), time.getMonth(), time.getDate()),
    end: new Date(time.getFullYear(), time.getMonth(), time.getDate() + 1),
  };
}

/** `YYYY-MM-DD` of a local time. */
function localDate(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A calendar date's weekday, by the date alone (no time zone in it). */
function weekday(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).getUTCDay();
}

function dayLabel(day: string): string {
  return `${WEEKDAYS[weekday(day)]} ${day}`;
}

/** The Monday of a calendar date's week, `YYYY-MM-DD`. */
export function mondayOf(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1));
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

/** A session's task as a label: its first line, at most 80 characters. */
function taskLabel(task: string): string {
  const line = task.trim().split('\n')[0]?.trim() ?? '';
  if (!line) return '(no task)';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** An ISO time as the index holds times (UTC, milliseconds), so comparing strings compares times. */
function isoTime(value: string, name: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`${name} is not a time: ${value}`);
  return new Date(time).toISOString();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
