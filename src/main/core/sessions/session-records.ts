/**
 * Session rows and their transitions. Every change of state is written together with the audit
 * event that says who caused it, in one transaction: the record and the log never disagree.
 */
import type { Actor, JsonObject } from '../../../shared/audit';
import type { SessionRecord, SessionState } from '../../../shared/sessions';
import type { AuditStore } from '../store';

export type By = { actor: Actor; actorId: string };

interface SessionRow {
  id: string;
  /** NULL for a session without a repository (a remote operator run). */
  project_id: string | null;
  agent_preset: string;
  task: string;
  author: string;
  workspace: string | null;
  branch: string | null;
  base_commit: string | null;
  sandbox_profile: string | null;
  state: SessionState;
  exit_code: number | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewSession {
  id: string;
  /** Null for a session that works on no repository (a remote operator run on an SSH host). */
  projectId: string | null;
  agentPreset: string;
  task: string;
  author: string;
  workspace: string | null;
  branch: string | null;
  baseCommit: string | null;
  /** The sandbox backend the session runs in, `unsandboxed`, or `ssh:<host>` for an operator run. */
  sandboxProfile: string;
}

export class SessionRecords {
  constructor(private readonly store: AuditStore) {}

  create(session: NewSession, by: By, details: JsonObject = {}): SessionRecord {
    const now = new Date().toISOString();
    this.store.transaction(() => {
      this.store.database
        .prepare(
          `INSERT INTO sessions (id, project_id, agent_preset, task, author, workspace, branch, base_commit, sandbox_profile, state, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'starting', ?, ?)`,
        )
        .run(
          session.id,
          session.projectId,
          session.agentPreset,
          session.task,
          session.author,
          session.workspace,
          session.branch,
          session.baseCommit,
          session.sandboxProfile,
          now,
          now,
        );
      this.store.append({
        kind: 'session.created',
        ...by,
        sessionId: session.id,
        payload: {
          projectId: session.projectId,
          agentPreset: session.agentPreset,
          task: session.task,
          workspace: session.workspace,
          branch: session.branch,
          baseCommit: session.baseCommit,
          sandbox: session.sandboxProfile,
          ...details,
        },
      });
    });
    return this.require(session.id);
  }

  /** Moves a session to `state`, recording who did it and why. */
  transition(
    id: string,
    state: SessionState,
    by: By,
    details: { exitCode?: number | null; reason?: string | null; payload?: JsonObject } = {},
  ): SessionRecord {
    const before = this.require(id);
    this.store.transaction(() => {
      this.store.database
        .prepare(
          'UPDATE sessions SET state = ?, exit_code = ?, reason = ?, updated_at = ? WHERE id = ?',
        )
        .run(state, details.exitCode ?? null, details.reason ?? null, new Date().toISOString(), id);
      this.store.append({
        kind: `session.${state}`,
        ...by,
        sessionId: id,
        payload: {
          from: before.state,
          ...(details.exitCode != null ? { exitCode: details.exitCode } : {}),
          ...(details.reason ? { reason: details.reason } : {}),
          ...(details.payload ?? {}),
        },
      });
    });
    return this.require(id);
  }

  get(id: string): SessionRecord | null {
    const row = this.store.database.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as
      SessionRow | undefined;
    return row ? toRecord(row) : null;
  }

  require(id: string): SessionRecord {
    const record = this.get(id);
    if (!record) throw new SessionError(`No session ${id}. \`paddock session list\` shows them.`);
    return record;
  }

  list(): SessionRecord[] {
    return (
      this.store.database
        .prepare('SELECT * FROM sessions ORDER BY created_at DESC')
        .all() as SessionRow[]
    ).map(toRecord);
  }

  inStates(states: readonly SessionState[]): SessionRecord[] {
    return this.list().filter((session) => states.includes(session.state));
  }
}

export class SessionError extends Error {}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    projectId: row.project_id ?? '',
    agentPreset: row.agent_preset,
    task: row.task,
    author: row.author,
    workspace: row.workspace,
    branch: row.branch,
    baseCommit: row.base_commit,
    sandboxProfile: row.sandbox_profile,
    state: row.state,
    exitCode: row.exit_code,
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
