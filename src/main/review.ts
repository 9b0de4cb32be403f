/**
 * The quality gates wired into Paddock: the GateService with the sessions, the projects, the
 * policies (the person's, and the repository's at the target commit if trusted), the vault's
 * secrets; and each finished gate run raised as a `review` item in the inbox, whose answer is the
 * person's decision: allow promotes (squash), deny rejects and sends the failures back.
 */
import type { ApprovalService } from './core/approvals';
import { GateService, type By, type GateServiceOptions } from './core/gates';
import type { PolicyService } from './core/policy';
import type { ProjectsService } from './core/projects';
import type { KnownSecret } from './core/recorder';
import type { SessionManager } from './core/sessions';
import type { AuditStore } from './core/store';
import type { GitPerson } from './core/workspaces';
import type { GateRun } from '../shared/gates';

export interface ReviewDeps {
  store: AuditStore;
  sessions: SessionManager;
  projects: ProjectsService;
  policies: PolicyService;
  approvals: ApprovalService;
  person: () => GitPerson;
  knownSecrets: () => Promise<KnownSecret[]>;
  identity: GateServiceOptions['identity'];
}

export function reviewGates(deps: ReviewDeps): GateService {
  const gates = new GateService({
    store: deps.store,
    sessions: deps.sessions,
    projectPath: (projectId) => {
      const project = deps.projects.find(projectId);
      if (!project) throw new Error(`The project ${projectId} is not known to Paddock any more.`);
      return project.path;
    },
    policies: async (projectPath, commit) => {
      const { personal, repository } = await deps.policies.load(projectPath, commit);
      // Gates run commands and sign-off names whose word counts: neither from an untrusted file.
      const decisive = repository?.policy.gates ?? repository?.policy.signoff;
      if (!repository || repository.trusted || !decisive)
        return { policies: [personal, repository?.policy ?? null], untrusted: null };
      return {
        policies: [personal],
        untrusted: `${projectPath}'s .paddock/policy.yaml (${repository.sha256.slice(0, 12)}) sets gates or sign-offs, and you have not trusted this version: read it with \`paddock policy show --project ${projectPath}\`, trust it with \`paddock policy trust --project ${projectPath}\`, then run the gates again.`,
      };
    },
    person: deps.person,
    knownSecrets: deps.knownSecrets,
    identity: deps.identity,
  });
  const inbox = new ReviewInbox(deps, gates);
  gates.onChange((sessionId, what, run) => inbox.changed(sessionId, what, run));
  return gates;
}

/** One pending `review` item per session: the newest run's; an older one is withdrawn. */
class ReviewInbox {
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly deps: ReviewDeps,
    private readonly gates: GateService,
  ) {}

  changed(sessionId: string, what: string, run: GateRun | null): void {
    this.withdraw(sessionId);
    if (what === 'run' && run) this.raise(run);
  }

  private raise(run: GateRun): void {
    const session = this.deps.sessions.get(run.sessionId);
    const project = this.deps.projects.find(session.projectId);
    const failed = run.results.filter((result) => result.status !== 'passed');
    const { request, answer } = this.deps.approvals.request({
      sessionId: run.sessionId,
      projectPath: project?.path ?? '',
      agent: session.agentPreset,
      kind: 'review',
      subject: `Review(${session.branch ?? run.sessionId} → ${run.binding.targetBranch} ${run.id})`,
      tool: 'Review',
      input: JSON.stringify({ runId: run.id, verdict: run.verdict, binding: run.binding }),
      risk: run.verdict === 'pass' ? 'low' : 'high',
      reason:
        run.verdict === 'pass'
          ? `Every gate passed on ${run.binding.targetBranch}: ready to promote.`
          : `${failed.length} gate${failed.length === 1 ? '' : 's'} did not pass: ${failed.map((result) => result.name).join(', ')}.`,
      context:
        'Allow promotes the change (squash); deny rejects it and sends the failures back to the agent. Open the review for the diff and the evidence.',
    });
    this.pending.set(run.sessionId, request.id);
    void answer.then((decision) => this.answered(run.sessionId, request.id, decision.allow));
  }

  private async answered(sessionId: string, requestId: string, allow: boolean): Promise<void> {
    if (this.pending.get(sessionId) !== requestId) return; // withdrawn, or answered elsewhere
    this.pending.delete(sessionId);
    const decided = this.deps.approvals.list({ limit: 1000 }).find((r) => r.id === requestId);
    if (!decided?.decision || decided.state === 'expired') return;
    const by: By = { actor: 'person', actorId: decided.decision.by };
    try {
      if (allow)
        await this.gates.promote(sessionId, { mode: 'squash', removeWorkspace: false }, by);
      else
        await this.gates.reject(
          sessionId,
          decided.decision.reason ?? 'rejected in the inbox',
          true,
          by,
        );
    } catch (error) {
      this.deps.store.append({
        kind: 'review.inbox.failed',
        ...by,
        sessionId,
        payload: {
          requestId,
          allow,
          error: error instanceof Error ? error.message : String(error),
        },
      });
    }
  }

  private withdraw(sessionId: string): void {
    const id = this.pending.get(sessionId);
    if (!id) return;
    this.pending.delete(sessionId);
    try {
      this.deps.approvals.decide(
        [id],
        { allow: false, scope: 'once', reason: 'superseded: the review changed since' },
        { actor: 'system', actorId: 'gates' },
      );
    } catch {
      // already answered or expired
    }
  }
}
