import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../shared/approvals';
import type { SessionRecord } from '../../../shared/sessions';
import type { JsonObject } from '../../../shared/audit';
import { approvalEvent, budgetEvent, sessionEvent } from './events';
import { approvalRequest, proxyEvent } from '../test-support';

const REQUEST: ApprovalRequest = approvalRequest();

const SESSION: SessionRecord = {
  id: 'ses_1234abcd',
  projectId: 'prj_1',
  agentPreset: 'claude',
  task: 'fix the flaky test',
  author: 'ada',
  workspace: null,
  branch: null,
  baseCommit: null,
  sandboxProfile: null,
  state: 'running',
  exitCode: null,
  reason: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  updatedAt: '2026-01-01T10:00:00.000Z',
};

describe('approvalEvent', () => {
  it('notifies a new pending request once, pointing at it in the inbox', () => {
    const announced = new Set<string>();
    expect(approvalEvent(REQUEST, announced)).toEqual({
      kind: 'approval',
      title: 'Approval needed',
      body: 'claude in ses_1234abcd: Bash(npm install left-pad)',
      target: { screen: 'inbox', id: 'apr_0123456789ab' },
    });
    expect(approvalEvent(REQUEST, announced)).toBeNull();
  });

  it('notifies a change ready for review, or failed gates, opening the session on its review', () => {
    const review = { ...REQUEST, kind: 'review' as const, reason: 'Every gate passed on main.' };
    expect(approvalEvent({ ...review, risk: 'low' }, new Set())).toEqual({
      kind: 'review',
      title: 'A change is ready for review',
      body: 'ses_1234abcd: Every gate passed on main.',
      target: { screen: 'sessions', id: 'ses_1234abcd', view: 'review' },
    });
    expect(approvalEvent({ ...review, risk: 'high' }, new Set())).toMatchObject({
      kind: 'gate',
      title: 'Gates failed: a change needs you',
    });
  });

  it('does not notify decided or expired requests', () => {
    for (const state of ['allowed', 'denied', 'expired'] as const)
      expect(approvalEvent({ ...REQUEST, state }, new Set())).toBeNull();
  });

  it('says when the risk is high, and escapes the subject', () => {
    const event = approvalEvent(
      { ...REQUEST, risk: 'high', subject: 'Bash(ls \u202Etxt.exe\r)' },
      new Set(),
    );
    expect(event?.title).toBe('Approval needed (high risk)');
    expect(event?.body).toBe('claude in ses_1234abcd: Bash(ls <U+202E>txt.exe\\r)');
  });
});

describe('sessionEvent', () => {
  it('notifies a session that starts waiting, once', () => {
    const waiting = { ...SESSION, state: 'waiting' as const, reason: 'a question' };
    expect(sessionEvent(waiting, 'running')).toEqual({
      kind: 'session-waiting',
      title: 'A session is waiting for you',
      body: 'claude: fix the flaky test (a question)',
      target: { screen: 'sessions', id: 'ses_1234abcd' },
    });
    expect(sessionEvent(waiting, 'waiting')).toBeNull();
  });

  it('notifies a session that exits or fails', () => {
    expect(sessionEvent({ ...SESSION, state: 'exited', exitCode: 0 }, 'running')).toMatchObject({
      kind: 'session-done',
      title: 'A session finished',
      body: 'claude: fix the flaky test (exit code 0)',
    });
    expect(
      sessionEvent({ ...SESSION, state: 'failed', reason: 'sandbox refused' }, 'starting'),
    ).toMatchObject({
      kind: 'session-done',
      title: 'A session failed',
      body: 'claude: fix the flaky test (failed: sandbox refused)',
    });
  });

  it('stays quiet for every other change, and for the person’s own stops', () => {
    for (const state of ['starting', 'running', 'paused', 'stopped', 'promoted'] as const)
      expect(sessionEvent({ ...SESSION, state }, 'waiting')).toBeNull();
  });

  it('names a session without a task by its id', () => {
    expect(
      sessionEvent({ ...SESSION, task: '', state: 'exited', exitCode: 1 }, 'running')?.body,
    ).toBe('claude: ses_1234abcd (exit code 1)');
  });
});

describe('budgetEvent', () => {
  const warning = (payload: JsonObject, sessionId = 'ses_1234abcd') =>
    proxyEvent(1, 'cost.budget.warning', payload, sessionId);

  it('notifies a budget past 80%, pointing at the session', () => {
    expect(
      budgetEvent(warning({ scope: 'session', limitUsd: 10, spentUsd: 8.1, percent: 81 })),
    ).toEqual({
      kind: 'budget',
      title: 'Budget almost spent',
      body: 'This session has spent $8.10 of its $10.00 budget (81%).',
      target: { screen: 'sessions', id: 'ses_1234abcd' },
    });
  });

  it('says which limit, and stays quiet for other events or figures out of shape', () => {
    expect(budgetEvent(warning({ scope: 'day', limitUsd: 50, spentUsd: 40 }))?.body).toBe(
      'Today has spent $40.00 of its $50.00 budget.',
    );
    expect(budgetEvent(proxyEvent(2, 'cost.usage', { scope: 'day' }))).toBeNull();
    expect(budgetEvent(warning({ scope: 'day', limitUsd: '50', spentUsd: 40 }))).toBeNull();
  });
});
