/**
 * Shared by the renderer's tests: a sample approval request, a session record, a proxy's audit
 * event, and the text of rendered HTML.
 */
import type { ApprovalRequest } from '../../shared/approvals';
import type { AuditEvent, JsonObject } from '../../shared/audit';
import type { SessionRecord } from '../../shared/sessions';

/** A running agent session; `overrides` change what a test is about. */
export function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: 'ses_1234abcd',
    projectId: 'prj_1',
    agentPreset: 'claude',
    task: '',
    author: 'ada',
    workspace: null,
    branch: null,
    baseCommit: null,
    sandboxProfile: 'bubblewrap',
    state: 'running',
    exitCode: null,
    reason: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
    ...overrides,
  };
}

/** A pending command request; `overrides` change what a test is about. */
export function approvalRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: 'apr_0123456789ab',
    sessionId: 'ses_1234abcd',
    projectPath: '/home/ada/app',
    agent: 'claude',
    kind: 'command',
    subject: 'Bash(npm install left-pad)',
    tool: 'Bash',
    input: '{"command":"npm install left-pad"}',
    risk: 'medium',
    reason: 'no rule allows npm install',
    context: '$ ',
    state: 'pending',
    createdAt: '2026-01-01T10:00:00.000Z',
    expiresAt: '2026-01-01T10:10:00.000Z',
    decision: null,
    ...overrides,
  };
}

/** The text a reader sees: tags dropped, entities decoded. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}

/** An audit event as the session proxy writes it (`network.connection`, `network.request`, ...). */
export function proxyEvent(
  seq: number,
  kind: string,
  payload: JsonObject,
  sessionId = 'ses_1234abcd',
): AuditEvent {
  return {
    seq,
    id: `store-${seq}`,
    ts: '2026-01-01T10:00:00.000Z',
    sessionId,
    kind,
    actor: 'system',
    actorId: 'proxy',
    payload,
    blobs: [],
    prevHash: '',
    sessionPrevHash: '',
    hash: '',
  };
}
