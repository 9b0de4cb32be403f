/**
 * Budgets against a real store (its usage index) and the real approval inbox: a call that would
 * pass a limit is held until a person answers; allowing lets it go, denying stops the session.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../shared/audit';
import { USAGE_EVENT, type UsageRecord } from '../../../shared/costs';
import { tempDir } from '../../../test-support/temp';
import { ApprovalService } from '../approvals';
import { SettingsService } from '../settings';
import { AuditStore } from '../store';
import { BudgetService, type BudgetLimits } from './index';

const person = { actor: 'person' as const, actorId: 'ada' };
const context = { sessionId: 'ses_a', projectPath: '/work/app', agent: 'claude' };
const NOW = new Date(2026, 11, 5, 15, 0, 0);
const opened: AuditStore[] = [];
afterEach(() => {
  while (opened.length) opened.pop()?.close();
});

function spent(store: AuditStore, sessionId: string | null, costUsd: number | null, at = NOW) {
  const record: UsageRecord = {
    source: 'metered',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    tokens: { input: 1, output: 1, cacheWrite: 0, cacheRead: 0 },
    costUsd,
    pricedAs: costUsd === null ? null : 'claude-sonnet-4-5',
    requestId: null,
    messageId: null,
    at: at.toISOString(),
    latencyMs: 1,
  };
  store.append({
    kind: USAGE_EVENT,
    actor: 'system',
    actorId: 'broker',
    sessionId,
    payload: record as unknown as JsonObject,
  });
}

function fixture(limits: BudgetLimits) {
  const store = AuditStore.open({ home: tempDir() });
  opened.push(store);
  const approvals = new ApprovalService(store, new SettingsService(store), 2000);
  const stopped: string[] = [];
  const budgets = new BudgetService({
    store,
    limits: async () => limits,
    projectOf: (sessionId: string) => (['ses_a', 'ses_b'].includes(sessionId) ? '/work/app' : null),
    sessionsOf: () => ['ses_a', 'ses_b'],
    approvals,
    stop: (sessionId, reason) => stopped.push(`${sessionId}: ${reason}`),
    now: () => NOW,
  });
  const kinds = () => store.list({ limit: 1000 }).map((event) => event.kind);
  return { store, approvals, budgets, stopped, kinds };
}

/** Answers the next pending request as soon as it is filed. */
function answer(approvals: ApprovalService, allow: boolean, scope: 'once' | 'session' = 'once') {
  const stop = approvals.onChange((request) => {
    if (request.state !== 'pending') return;
    stop();
    setImmediate(() => approvals.decide([request.id], { allow, scope }, person));
  });
}

const call = (worstCaseUsd: number | null, model = 'claude-sonnet-4-5') => ({
  provider: 'anthropic',
  model,
  worstCaseUsd,
});

describe('BudgetService', () => {
  it('lets a call go when no limit is set, or the call fits under every limit', async () => {
    expect(await fixture({}).budgets.admit(context, call(1000))).toEqual({ allow: true });
    const { store, budgets, kinds } = fixture({ session: 5, project: 8, day: 20 });
    spent(store, 'ses_a', 3);
    spent(store, 'ses_b', 2);
    expect(budgets.spent(context)).toEqual({ session: 3, project: 5, day: 5 });
    expect(await budgets.admit(context, call(1.99))).toEqual({ allow: true });
    // Read once, then kept up to date by each new call on the record.
    spent(store, 'ses_b', 0.5);
    spent(store, 'ses_z', 0.25);
    expect(budgets.spent(context)).toEqual({ session: 3, project: 5.5, day: 5.75 });
    expect(kinds()).not.toContain('cost.budget.held');
  });

  it('holds a call that could pass the session limit, and lets it go when the person allows', async () => {
    const { store, approvals, budgets, kinds, stopped } = fixture({ session: 5 });
    spent(store, 'ses_a', 4.5);
    answer(approvals, true);
    expect(await budgets.admit(context, call(0.75))).toEqual({ allow: true });
    const [request] = approvals.list();
    expect(request).toMatchObject({
      kind: 'budget',
      subject: 'Budget(session $5.00)',
      state: 'allowed',
    });
    expect(request?.reason).toContain('this session has spent $4.50 of its $5.00 budget');
    expect(kinds()).toEqual(expect.arrayContaining(['cost.budget.held', 'cost.budget.released']));
    expect(stopped).toEqual([]);
  });

  it('stops the session when the person denies, or leaves the question to expire', async () => {
    const { store, approvals, budgets, stopped, kinds } = fixture({ day: 10 });
    // Yesterday's spend does not count against today's limit; another session's today does.
    spent(store, 'ses_z', 50, new Date(2026, 11, 4, 23, 0, 0));
    spent(store, 'ses_z', 9.5);
    answer(approvals, false);
    const denied = await budgets.admit(context, call(1));
    expect(denied).toEqual({ allow: false, reason: expect.stringContaining('budget not raised') });
    expect(stopped).toEqual([
      expect.stringMatching(/^ses_a: budget not raised \(Budget\(day \$10.00\)\)/),
    ]);
    expect(kinds()).toContain('cost.budget.stopped');
    // Unanswered, it expires (2 s here): the same as a deny.
    const expired = await budgets.admit(context, call(1));
    expect(expired.allow).toBe(false);
    expect(stopped).toHaveLength(2);
  }, 10_000);

  it('asks once for concurrent calls, and not again this session after "allow for the session"', async () => {
    const { store, approvals, budgets } = fixture({ session: 1 });
    spent(store, 'ses_a', 0.9);
    answer(approvals, true, 'session');
    const both = await Promise.all([
      budgets.admit(context, call(0.5)),
      budgets.admit(context, call(0.5)),
    ]);
    expect(both).toEqual([{ allow: true }, { allow: true }]);
    expect(await budgets.admit(context, call(0.5))).toEqual({ allow: true });
    expect(approvals.list()).toHaveLength(1);
  });

  it('never counts an unpriced model as free: it is asked about', async () => {
    const { approvals, budgets } = fixture({ session: 100 });
    answer(approvals, true, 'session');
    expect(await budgets.admit(context, call(null, 'local-llama'))).toEqual({ allow: true });
    expect(approvals.list()[0]?.subject).toBe('Budget(unpriced local-llama)');
    expect(await budgets.admit(context, call(null, 'local-llama'))).toEqual({ allow: true });
    expect(approvals.list()).toHaveLength(1);
  });

  it('warns once at 80% of a limit', async () => {
    const { store, budgets, kinds } = fixture({ session: 10, project: 100 });
    spent(store, 'ses_a', 7.9);
    await budgets.observe(context);
    expect(kinds()).not.toContain('cost.budget.warning');
    spent(store, 'ses_a', 0.2);
    await budgets.observe(context);
    await budgets.observe(context);
    const warnings = store.list({ limit: 100 }).filter((e) => e.kind === 'cost.budget.warning');
    expect(warnings.map((e) => e.payload)).toEqual([
      { scope: 'session', limitUsd: 10, spentUsd: 8.1, percent: 81, projectPath: '/work/app' },
    ]);
  });
});
