/** Approval requests: what the policy could not decide, waiting for a person. */

export const APPROVAL_KINDS = ['tool', 'command', 'network', 'mcp', 'budget', 'review'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export const APPROVAL_STATES = ['pending', 'allowed', 'denied', 'expired'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** How far an answer reaches: this request, the rest of the session, or the project from now on. */
export const APPROVAL_SCOPES = ['once', 'session', 'project'] as const;
export type ApprovalScope = (typeof APPROVAL_SCOPES)[number];

export type ApprovalRisk = 'low' | 'medium' | 'high';

export interface ApprovalDecision {
  allow: boolean;
  scope: ApprovalScope;
  /** The person's name, or the rule or classifier that decided. */
  by: string;
  reason: string | null;
  decidedAt: string;
  /** How long the request waited, in ms. */
  waitedMs: number;
}

export interface ApprovalRequest {
  id: string;
  sessionId: string;
  projectPath: string;
  /** The agent preset (claude, codex, ...). */
  agent: string;
  kind: ApprovalKind;
  /** The policy form of what is asked: `Bash(npm install left-pad)`, `Network(example.com:443)`. */
  subject: string;
  /** Tool name and input as the agent sent them (rendered escaped, whole). */
  tool: string;
  input: string;
  risk: ApprovalRisk;
  /** The rule or the classifier's reason that sent it here. */
  reason: string;
  /** The end of the session's terminal before the request, for context (already redacted). */
  context: string;
  state: ApprovalState;
  createdAt: string;
  expiresAt: string;
  decision: ApprovalDecision | null;
}
