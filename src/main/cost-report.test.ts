/**
 * The cost report read straight from the store (what `paddock costs` does when no host runs) is
 * the report the host serves: same figures, same budgets (the person's policy included), same
 * agent names.
 */
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../shared/settings';
import { appendCalls, insertProjects, insertSessions } from './core/costs/fixtures/usage';
import { parsePolicy } from './core/policy';
import { ProjectsService } from './core/projects';
import { SessionRecords } from './core/sessions/session-records';
import { SettingsService } from './core/settings';
import { AuditStore } from './core/store';
import { costReport, readCostReport, REPORT_SETTING_DEFAULTS } from './cost-report';
import { tempDir } from '../test-support/temp';

const NOW = new Date('2026-03-10T19:00:00.000Z');
const by = { actor: 'person' as const, actorId: 'ada' };
const tokens = { input: 10, output: 1, cacheWrite: 100, cacheRead: 1000 };

function seeded(home: string) {
  const store = AuditStore.open({ home });
  insertProjects(store, [{ id: 'prj_1', path: '/home/ada/app', name: 'app' }]);
  insertSessions(store, [
    { id: 'ses_1', projectId: 'prj_1', agentPreset: 'claude', task: 'Fix the login bug' },
    { id: 'ses_2', projectId: 'prj_1', agentPreset: 'mine', task: 'Tidy up' },
  ]);
  appendCalls(store, [
    {
      sessionId: 'ses_1',
      at: '2026-03-10T09:00:00.000Z',
      source: 'metered',
      model: 'claude-sonnet-4-5',
      tokens,
      costUsd: 1.5,
    },
    {
      sessionId: 'ses_2',
      at: '2026-03-10T10:30:00.000Z',
      source: 'reported',
      model: 'gpt-5',
      tokens,
      costUsd: 2,
    },
    {
      sessionId: null,
      at: '2026-03-09T23:59:59.999Z',
      source: 'metered',
      model: 'local-llama',
      tokens,
      costUsd: null,
    },
  ]);
  store.flushIndexes();
  return store;
}

describe('the cost report without a host', () => {
  it('knows the defaults of the settings it reads', () => {
    for (const [key, value] of Object.entries(REPORT_SETTING_DEFAULTS))
      expect(value, key).toEqual(SETTINGS[key as keyof typeof REPORT_SETTING_DEFAULTS].default);
  });

  it('is the report the host serves, with the person’s policy and settings', async () => {
    const home = tempDir();
    const store = seeded(home);
    const settings = new SettingsService(store);
    settings.set('costs.budgets', { session: 5, day: 10 }, by);
    // The smaller limit holds: the policy's day limit, and the setting's session limit.
    settings.set('policy.personal', 'version: 1\nbudgets:\n  day: 3\n  session: 9\n', by);
    settings.set('agents.custom', [{ id: 'mine', name: 'My agent', command: '/bin/true' }], by);
    const served = costReport(
      {
        store,
        settings,
        sessions: new SessionRecords(store),
        projects: new ProjectsService(store),
      },
      { now: NOW },
      parsePolicy,
    );
    store.close();

    const read = await readCostReport(home, { now: NOW });
    expect(read).toEqual(served);
    expect(read.totals.calls).toBe(3);
    expect(read.budgets.map((use) => [use.scope, use.limitUsd])).toEqual([
      ['day', 3],
      ['session', 5],
      ['session', 5],
    ]);
    expect(read.byAgent.map((group) => group.label).sort()).toEqual([
      '(outside Paddock)',
      'Claude Code',
      'My agent',
    ]);
  });

  it('leaves out only the sections it is told to', async () => {
    const home = tempDir();
    const store = seeded(home);
    new SettingsService(store).set('costs.budgets', { session: 5, day: 10 }, by);
    store.close();
    const whole = await readCostReport(home, { now: NOW });
    const lean = await readCostReport(home, { now: NOW, without: ['days', 'budgets'] });
    expect(whole.byDay).not.toEqual([]);
    expect(whole.budgets).not.toEqual([]);
    expect(lean).toEqual({ ...whole, byDay: [], byWeek: [], budgets: [] });
    // Summed by model alone: the same models, totals and unpriced calls.
    const byModel = await readCostReport(home, { now: NOW, without: ['sessions'] });
    expect(byModel).toEqual({
      ...whole,
      byProject: [],
      bySession: [],
      byAgent: [],
      budgets: [],
    });
  });

  it('reads a store with nothing set: the defaults, and no budgets', async () => {
    const home = tempDir();
    seeded(home).close();
    const read = await readCostReport(home, { now: NOW });
    expect(read.budgets).toEqual([]);
    expect(read.unpricedModels).toEqual([{ model: 'local-llama', calls: 1 }]);
  });
});
