/**
 * What deserves a notification, from what main publishes: a request that just arrived, a session
 * that starts waiting for input, finishes or fails. Plain functions of the payload and what was
 * seen before, so the rules are tested without a connection.
 */
import type { ApprovalRequest } from '../../../shared/approvals';
import type { AuditEvent } from '../../../shared/audit';
import type { SessionRecord, SessionState } from '../../../shared/sessions';
import { escapeText } from '../escape-text';
import type { NotifyEvent } from './core';

/**
 * A new pending request notifies once; its later changes (decided, expired) do not. `announced`
 * remembers the ids already notified (the caller keeps it).
 */
export function approvalEvent(
  request: ApprovalRequest,
  announced: Set<string>,
): NotifyEvent | null {
  if (request.state !== 'pending' || announced.has(request.id)) return null;
  announced.add(request.id);
  if (request.kind === 'review') return reviewEvent(request);
  return {
    kind: 'approval',
    title: request.risk === 'high' ? 'Approval needed (high risk)' : 'Approval needed',
    // Escaped like in the inbox: a notification must not carry a disguised command either.
    body: `${request.agent} in ${request.sessionId}: ${escapeText(request.subject)}`,
    target: { screen: 'inbox', id: request.id },
  };
}

/** A gate run finished: the change is ready for review, or its gates failed (risk high). */
function reviewEvent(request: ApprovalRequest): NotifyEvent {
  const passed = request.risk === 'low';
  return {
    kind: passed ? 'review' : 'gate',
    title: passed ? 'A change is ready for review' : 'Gates failed: a change needs you',
    body: `${request.sessionId}: ${escapeText(request.reason)}`,
    target: { screen: 'sessions', id: request.sessionId, view: 'review' },
  };
}

/**
 * A budget passing 80% of its limit (main writes `cost.budget.warning` once per limit). The
 * payload is read field by field: a scope or figure out of shape is left out of the text.
 */
export function budgetEvent(event: AuditEvent): NotifyEvent | null {
  if (event.kind !== 'cost.budget.warning') return null;
  const { scope, limitUsd, spentUsd, percent } = event.payload;
  const what =
    scope === 'session' ? 'This session' : scope === 'project' ? 'This project' : 'Today';
  if (typeof limitUsd !== 'number' || typeof spentUsd !== 'number') return null;
  const share = typeof percent === 'number' ? ` (${percent}%)` : '';
  return {
    kind: 'budget',
    title: 'Budget almost spent',
    body: `${what} has spent $${spentUsd.toFixed(2)} of its $${limitUsd.toFixed(2)} budget${share}.`,
    target: event.sessionId ? { screen: 'sessions', id: event.sessionId } : { screen: 'costs' },
  };
}

const DONE: readonly SessionState[] = ['exited', 'failed'];

/**
 * A session entering `waiting`, `exited` or `failed` notifies; the same state again (a queued
 * message, a renamed task) does not. `previous` is the state last seen, if any.
 */
export function sessionEvent(
  session: SessionRecord,
  previous: SessionState | undefined,
): NotifyEvent | null {
  if (session.state === previous) return null;
  const what = escapeText(session.task || session.id);
  const target = { screen: 'sessions', id: session.id } as const;
  if (session.state === 'waiting')
    return {
      kind: 'session-waiting',
      title: 'A session is waiting for you',
      body: `${session.agentPreset}: ${what}${session.reason ? ` (${escapeText(session.reason)})` : ''}`,
      target,
    };
  if (!DONE.includes(session.state)) return null;
  const outcome =
    session.state === 'failed'
      ? `failed${session.reason ? `: ${escapeText(session.reason)}` : ''}`
      : `exit code ${session.exitCode ?? '?'}`;
  return {
    kind: 'session-done',
    title: session.state === 'failed' ? 'A session failed' : 'A session finished',
    body: `${session.agentPreset}: ${what} (${outcome})`,
    target,
  };
}
