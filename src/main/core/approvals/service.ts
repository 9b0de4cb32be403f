/**
 * The approval service: whatever the policy cannot decide waits here for a person, from any
 * agent and any source (tool calls now; network, budgets and reviews raise theirs the same way).
 *
 * A request resolves once: allowed or denied by a person (once, for the session, or for the
 * project), or denied when it expires. Every request and answer is an audit event with a hash of
 * the input, who decided, the scope and how long it waited. Answers for the session are kept in
 * memory (the session's agent would not outlive Paddock); answers for the project are kept in the
 * setting `approvals.project` as rules, which count like the person's own allows (a deny still
 * wins: they are only consulted where the policy would ask).
 */
import { createHash, randomBytes } from 'node:crypto';
import type {
  ApprovalDecision,
  ApprovalKind,
  ApprovalRequest,
  ApprovalRisk,
  ApprovalScope,
  ApprovalState,
} from '../../../shared/approvals';
import type { Actor } from '../../../shared/audit';
import type { AuditStore } from '../store';

/** What a request is about; `subject` is the policy form an answer covers (`Bash(npm install)`). */
export type ApprovalInput = Pick<
  ApprovalRequest,
  | 'sessionId'
  | 'projectPath'
  | 'agent'
  | 'kind'
  | 'subject'
  | 'tool'
  | 'input'
  | 'risk'
  | 'reason'
  | 'context'
>;

/** What the agent is told. */
export interface Answer {
  allow: boolean;
  reason: string;
}

export interface ApprovalSettings {
  get(key: 'approvals.expiryMinutes'): number;
  get(key: 'approvals.project'): Record<string, string[]>;
  set(key: 'approvals.project', value: unknown, by: { actor: Actor; actorId: string }): unknown;
}

interface Who {
  actor: Actor;
  actorId: string;
}

type Listener = (request: ApprovalRequest) => void;

const SYSTEM: Who = { actor: 'system', actorId: 'approvals' };
/** Context kept with a request: enough to judge, small enough to list many. */
const MAX_CONTEXT = 4000;

export class ApprovalError extends Error {
  override readonly name = 'ApprovalError';
}

export class ApprovalService {
  private readonly waiting = new Map<
    string,
    { resolve: (answer: Answer) => void; timer: NodeJS.Timeout }
  >();
  private readonly sessionAllows = new Map<string, Set<string>>();
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly store: AuditStore,
    private readonly settings: ApprovalSettings,
    /** Overrides the setting (minutes) with milliseconds: for tests. */
    private readonly expiryMs?: number,
  ) {}

  /** Requests left pending by a previous run of Paddock: their agents are gone. */
  expireLeftovers(): void {
    for (const request of this.list({ state: 'pending', limit: 1000 }))
      this.finish(
        request,
        'expired',
        { allow: false, scope: 'once', reason: 'Paddock restarted' },
        SYSTEM,
      );
  }

  /** Files a request; `answer` resolves when a person answers or the request expires. */
  request(input: ApprovalInput): { request: ApprovalRequest; answer: Promise<Answer> } {
    const now = new Date();
    const waitMs = this.expiryMs ?? this.settings.get('approvals.expiryMinutes') * 60_000;
    const expiresAt = new Date(now.getTime() + waitMs);
    const request: ApprovalRequest = {
      ...input,
      context: input.context.slice(-MAX_CONTEXT),
      id: `apr_${randomBytes(6).toString('hex')}`,
      state: 'pending',
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      decision: null,
    };
    this.store.transaction(() => {
      this.insert(request);
      this.store.append({
        kind: 'approval.requested',
        ...SYSTEM,
        sessionId: request.sessionId,
        payload: {
          id: request.id,
          kind: request.kind,
          subject: request.subject,
          risk: request.risk,
          reason: request.reason,
          inputSha256: sha256(request.input),
          expiresAt: request.expiresAt,
        },
      });
    });
    const answer = new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => this.expire(request.id), waitMs);
      timer.unref();
      this.waiting.set(request.id, { resolve, timer });
    });
    this.announce(request);
    return { request, answer };
  }

  /** Answers requests (several at once); returns them as decided. */
  decide(
    ids: readonly string[],
    answer: { allow: boolean; scope: ApprovalScope; reason?: string },
    by: Who,
  ): ApprovalRequest[] {
    const requests = ids.map((id) => this.require(id));
    const done = requests.find((request) => request.state !== 'pending');
    if (done) throw new ApprovalError(`Request ${done.id} is ${done.state} already.`);
    if (!answer.allow && answer.scope !== 'once')
      throw new ApprovalError('A deny answers one request: deny rules belong in the policy.');
    const review = requests.find((request) => request.kind === 'review');
    if (review && answer.scope !== 'once')
      throw new ApprovalError(
        `Request ${review.id} is a review: it decides one change, so it is answered once (allowing it promotes that change).`,
      );
    const projectless = requests.find((request) => request.projectPath === '');
    if (projectless && answer.scope === 'project')
      throw new ApprovalError(
        `Request ${projectless.id} belongs to no project (an operator run on an SSH host): allow it once or for its session, or add an Ssh(...) rule to your policy.`,
      );
    return requests.map((request) => {
      if (answer.allow && answer.scope !== 'once') this.remember(request, answer.scope, by);
      const state = answer.allow ? 'allowed' : 'denied';
      return this.finish(request, state, { ...answer, reason: answer.reason ?? null }, by);
    });
  }

  /** Whether an earlier answer for the session or the project covers `subject`. */
  allowedBefore(
    sessionId: string,
    projectPath: string,
    subject: string,
  ): 'session' | 'project' | null {
    if (this.sessionAllows.get(sessionId)?.has(subject)) return 'session';
    if (this.settings.get('approvals.project')[projectPath]?.includes(subject)) return 'project';
    return null;
  }

  /** The session ended: its pending requests are denied, and its answers forgotten. */
  endSession(sessionId: string): void {
    this.sessionAllows.delete(sessionId);
    for (const request of this.list({ state: 'pending', limit: 1000 }))
      if (request.sessionId === sessionId)
        this.finish(
          request,
          'expired',
          { allow: false, scope: 'once', reason: 'the session ended' },
          SYSTEM,
        );
  }

  list(query: { state?: ApprovalState; limit?: number } = {}): ApprovalRequest[] {
    const limit = Math.min(Math.max(query.limit ?? 200, 1), 1000);
    const rows = (
      query.state
        ? this.store.database
            .prepare('SELECT * FROM approvals WHERE state = ? ORDER BY created_at DESC LIMIT ?')
            .all(query.state, limit)
        : this.store.database
            .prepare('SELECT * FROM approvals ORDER BY created_at DESC LIMIT ?')
            .all(limit)
    ) as ApprovalRow[];
    return rows.map(fromRow);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Paddock is stopping: every pending request is denied, so no agent is left waiting. */
  shutdown(): void {
    for (const request of this.list({ state: 'pending', limit: 1000 }))
      this.finish(
        request,
        'expired',
        { allow: false, scope: 'once', reason: 'Paddock is shutting down' },
        SYSTEM,
      );
  }

  private expire(id: string): void {
    const request = this.get(id);
    if (request?.state !== 'pending') return;
    const seconds = Math.round(
      (Date.parse(request.expiresAt) - Date.parse(request.createdAt)) / 1000,
    );
    const reason = `no answer within ${seconds} s`;
    this.finish(request, 'expired', { allow: false, scope: 'once', reason }, SYSTEM);
  }

  private remember(request: ApprovalRequest, scope: ApprovalScope, by: Who): void {
    if (scope === 'session') {
      const allows = this.sessionAllows.get(request.sessionId) ?? new Set<string>();
      allows.add(request.subject);
      this.sessionAllows.set(request.sessionId, allows);
      return;
    }
    const project = this.settings.get('approvals.project');
    const rules = project[request.projectPath] ?? [];
    if (!rules.includes(request.subject))
      this.settings.set(
        'approvals.project',
        { ...project, [request.projectPath]: [...rules, request.subject] },
        by,
      );
  }

  private finish(
    request: ApprovalRequest,
    state: Exclude<ApprovalState, 'pending'>,
    answer: { allow: boolean; scope: ApprovalScope; reason: string | null },
    by: Who,
  ): ApprovalRequest {
    const now = new Date();
    const decision: ApprovalDecision = {
      allow: answer.allow,
      scope: answer.scope,
      by: by.actorId,
      reason: answer.reason,
      decidedAt: now.toISOString(),
      waitedMs: now.getTime() - Date.parse(request.createdAt),
    };
    const decided: ApprovalRequest = { ...request, state, decision };
    this.store.transaction(() => {
      this.store.database
        .prepare("UPDATE approvals SET state = ?, decision = ? WHERE id = ? AND state = 'pending'")
        .run(state, JSON.stringify(decision), request.id);
      this.store.append({
        kind: state === 'expired' ? 'approval.expired' : 'approval.decided',
        ...by,
        sessionId: request.sessionId,
        payload: {
          id: request.id,
          allow: decision.allow,
          scope: decision.scope,
          reason: decision.reason,
          waitedMs: decision.waitedMs,
          inputSha256: sha256(request.input),
        },
      });
    });
    const waiter = this.waiting.get(request.id);
    this.waiting.delete(request.id);
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve({ allow: answer.allow, reason: tellAgent(state, decision) });
    }
    this.announce(decided);
    return decided;
  }

  private insert(request: ApprovalRequest): void {
    this.store.database
      .prepare(
        'INSERT INTO approvals (id, session_id, project_path, agent, kind, subject, tool, input, risk, reason, context, state, created_at, expires_at, decision) VALUES (@id, @sessionId, @projectPath, @agent, @kind, @subject, @tool, @input, @risk, @reason, @context, @state, @createdAt, @expiresAt, NULL)',
      )
      .run(request);
  }

  private get(id: string): ApprovalRequest | null {
    const row = this.store.database.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as
      ApprovalRow | undefined;
    return row ? fromRow(row) : null;
  }

  private require(id: string): ApprovalRequest {
    const request = this.get(id);
    if (!request) throw new ApprovalError(`No approval request ${id}.`);
    return request;
  }

  private announce(request: ApprovalRequest): void {
    for (const listener of this.listeners) listener(request);
  }
}

/** What the agent reads when it is refused or let through. */
function tellAgent(state: ApprovalState, decision: ApprovalDecision): string {
  const why = decision.reason ? `: ${decision.reason}` : '';
  if (state === 'expired') return `Denied by Paddock: ${decision.reason ?? 'expired'}.`;
  if (!decision.allow) return `Denied by ${decision.by} in Paddock's inbox${why}.`;
  return `Allowed by ${decision.by} in Paddock's inbox (${decision.scope})${why}.`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface ApprovalRow {
  id: string;
  session_id: string;
  project_path: string;
  agent: string;
  kind: ApprovalKind;
  subject: string;
  tool: string;
  input: string;
  risk: ApprovalRisk;
  reason: string;
  context: string;
  state: ApprovalState;
  created_at: string;
  expires_at: string;
  decision: string | null;
}

function fromRow(row: ApprovalRow): ApprovalRequest {
  return {
    id: row.id,
    sessionId: row.session_id,
    projectPath: row.project_path,
    agent: row.agent,
    kind: row.kind,
    subject: row.subject,
    tool: row.tool,
    input: row.input,
    risk: row.risk,
    reason: row.reason,
    context: row.context,
    state: row.state,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decision: row.decision ? (JSON.parse(row.decision) as ApprovalDecision) : null,
  };
}
