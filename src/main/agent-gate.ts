/**
 * Where an agent's tool call meets the policy and the inbox (the hook endpoint's handlers): the
 * policy decides at the session's base commit; what it would ask is answered by an earlier "for
 * this session / project" answer, or waits in the inbox. Every decision is an audit event; what
 * the agent merely reports is recorded as such and decides nothing.
 */
import { createHash } from 'node:crypto';
import type { ApprovalRisk } from '../shared/approvals';
import type { ApprovalService } from './core/approvals';
import type { HookHandlers, ToolCall } from './core/hooks';
import { ready, type PolicyService } from './core/policy';
import type { ProjectsService } from './core/projects';
import { recordedTail } from './core/recorder';
import type { SessionManager } from './core/sessions';
import type { AuditStore } from './core/store';

interface GateParts {
  store: AuditStore;
  sessions: SessionManager;
  projects: ProjectsService;
  policies: PolicyService;
  approvals: ApprovalService;
}

/** Commands that can do lasting harm outside the workspace get a high risk label. */
const RISKY = /\b(rm|sudo|curl|wget|ssh|scp|chmod|chown|dd|mkfs|git\s+push|npm\s+publish)\b/;

function riskOf(call: ToolCall): ApprovalRisk {
  if (call.permission.tool === 'Bash' && 'command' in call.permission)
    return RISKY.test(call.permission.command) ? 'high' : 'medium';
  if (call.permission.tool === 'Read') return 'low';
  return 'medium';
}

export function agentGate(parts: GateParts): HookHandlers {
  const { store, sessions, projects, policies, approvals } = parts;
  const record = (
    sessionId: string,
    kind: string,
    payload: Record<string, string | number | boolean | null>,
  ) => store.append({ kind, actor: 'policy', actorId: 'policy', sessionId, payload });

  return {
    async preToolUse(sessionId, call) {
      const session = sessions.get(sessionId);
      const project = projects.find(session.projectId);
      if (!project || !session.workspace)
        return { allow: false, reason: 'Paddock does not know this session.' };
      await ready();
      const decision = await policies.decide(project.path, call.permission, {
        workspace: session.workspace,
        commit: session.baseCommit ?? undefined,
      });
      const inputSha256 = createHash('sha256').update(call.input).digest('hex');
      record(sessionId, 'policy.decided', {
        subject: call.subject,
        decision: decision.decision,
        reason: decision.reason,
        rule: decision.rule ?? null,
        source: decision.source ?? null,
        inputSha256,
      });
      if (decision.decision === 'allow')
        return { allow: true, reason: `Allowed by Paddock: ${decision.reason}` };
      if (decision.decision === 'deny')
        return { allow: false, reason: `Denied by Paddock's policy: ${decision.reason}` };
      const before = approvals.allowedBefore(sessionId, project.path, call.subject);
      if (before) return { allow: true, reason: `Allowed for this ${before} in Paddock's inbox.` };
      const { answer } = approvals.request({
        sessionId,
        projectPath: project.path,
        agent: session.agentPreset,
        kind: call.kind,
        subject: call.subject,
        tool: call.tool,
        input: call.input,
        risk: riskOf(call),
        reason: decision.reason,
        context: recordedTail(store, sessionId, 4000).data,
      });
      return answer;
    },
    reported(sessionId, event, body) {
      const detail = event === 'UserPromptSubmit' ? body.prompt : body.tool_name;
      store.append({
        kind: event === 'UserPromptSubmit' ? 'agent.reported.prompt' : 'agent.reported.tool-used',
        actor: 'agent',
        actorId: sessions.get(sessionId).agentPreset,
        sessionId,
        payload: {
          reportedByAgent: true,
          detail: typeof detail === 'string' ? detail.slice(0, 4000) : null,
          bodySha256: createHash('sha256').update(JSON.stringify(body)).digest('hex'),
        },
      });
    },
    waiting(sessionId, why) {
      sessions.agentSaysWaiting(sessionId, why);
    },
  };
}
