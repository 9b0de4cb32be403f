/**
 * Model costs, wired: what the broker asks before a model call goes out (the budgets, with the
 * most the call can cost at the price table's rates) and what it reports after (its metered usage,
 * priced and written as a `cost.usage` event, then checked against the 80% warnings).
 *
 * Limits come from the `costs.budgets` setting and the budgets sections of the person's policy and
 * the repository's: the smallest of each that is set holds (a repository can only lower them, so
 * its policy needs no trust for this).
 */
import type { JsonObject } from '../shared/audit';
import { USAGE_EVENT, type ModelProvider, type UsageRecord } from '../shared/costs';
import type { Admission, BrokerCallRecord, CallPreview } from './core/broker';
import {
  BUDGET_SCOPES,
  BudgetService,
  type BudgetContext,
  type BudgetLimits,
} from './core/budgets';
import { createUsageMeter, estimateInputTokens, PriceTable } from './core/costs';
import type { ApprovalService } from './core/approvals';
import type { PolicyService } from './core/policy';
import type { ProjectsService } from './core/projects';
import type { SessionManager } from './core/sessions';
import type { SettingsService } from './core/settings';
import type { AuditStore } from './core/store';

/** The output limit assumed for a request that names none and a model whose entry has none. */
const FALLBACK_MAX_OUTPUT = 64_000;

export interface ModelCostsDeps {
  store: AuditStore;
  settings: SettingsService;
  policies: Pick<PolicyService, 'load' | 'personal'>;
  projects: Pick<ProjectsService, 'find'>;
  sessions: Pick<SessionManager, 'get' | 'list' | 'stop'>;
  approvals: Pick<ApprovalService, 'request' | 'allowedBefore'>;
}

export interface ModelCosts {
  budgets: BudgetService;
  /** The price table with the person's overrides (rebuilt when they change). */
  prices(): PriceTable;
  admit(sessionId: string, preview: CallPreview): Promise<Admission>;
  meter: typeof createUsageMeter;
  /** Prices a finished call's metered usage and writes it as a `cost.usage` event. */
  recordCall(sessionId: string, record: BrokerCallRecord): void;
}

export function modelCosts(deps: ModelCostsDeps): ModelCosts {
  let table: { overrides: string; prices: PriceTable } | null = null;
  const prices = (): PriceTable => {
    const overrides = deps.settings.get('costs.prices');
    const key = JSON.stringify(overrides);
    if (table?.overrides !== key) table = { overrides: key, prices: PriceTable.bundled(overrides) };
    return table.prices;
  };
  const contextOf = (sessionId: string): BudgetContext & { baseCommit: string } => {
    const session = deps.sessions.get(sessionId);
    // A session without a repository (a remote operator run) has no project budget to count in.
    if (session.projectId === '')
      return { sessionId, projectPath: '', agent: session.agentPreset, baseCommit: '' };
    const project = deps.projects.find(session.projectId);
    if (!project) throw new Error(`session ${sessionId}'s project is gone`);
    return {
      sessionId,
      projectPath: project.path,
      agent: session.agentPreset,
      baseCommit: session.baseCommit ?? 'HEAD',
    };
  };
  const budgets = new BudgetService({
    store: deps.store,
    limits: async (context) => {
      if (context.projectPath === '') {
        const { project: _none, ...limits } = smallest([
          deps.settings.get('costs.budgets'),
          deps.policies.personal()?.budgets ?? {},
        ]);
        return limits;
      }
      const { baseCommit } = contextOf(context.sessionId);
      const loaded = await deps.policies.load(context.projectPath, baseCommit);
      return smallest([
        deps.settings.get('costs.budgets'),
        loaded.personal?.budgets ?? {},
        loaded.repository?.policy.budgets ?? {},
      ]);
    },
    projectOf: (sessionId) => {
      try {
        return contextOf(sessionId).projectPath || null;
      } catch {
        return null; // an event of a session this Paddock does not know (an import)
      }
    },
    sessionsOf: (projectPath) => {
      const project = deps.projects.find(projectPath);
      return deps.sessions
        .list()
        .filter((session) => session.projectId === project?.id)
        .map((session) => session.id);
    },
    approvals: deps.approvals,
    stop: (sessionId, reason) => {
      try {
        deps.sessions.stop(sessionId, { actor: 'system', actorId: `budgets: ${reason}` });
      } catch {
        // Ended already: nothing left to stop.
      }
    },
  });

  return {
    budgets,
    prices,
    meter: createUsageMeter,
    admit: async (sessionId, preview) => {
      const table = prices();
      const model = preview.model;
      const provider = preview.provider as ModelProvider;
      const found = model === null ? null : table.lookup(model, provider);
      const maxOutput =
        preview.maxOutputTokens ?? found?.entry.max_output_tokens ?? FALLBACK_MAX_OUTPUT;
      const worstCaseUsd =
        model === null
          ? null
          : table.worstCase(model, estimateInputTokens(preview.bodyBytes), maxOutput, provider);
      return budgets.admit(contextOf(sessionId), {
        provider: preview.provider,
        model,
        worstCaseUsd,
      });
    },
    recordCall: (sessionId, record) => {
      const event = meteredUsage(record, prices());
      if (!event) return;
      deps.store.append({
        kind: USAGE_EVENT,
        actor: 'system',
        actorId: 'broker',
        sessionId,
        payload: event as unknown as JsonObject,
      });
      void budgets.observe(contextOf(sessionId)).catch(() => undefined);
    },
  };
}

/** A finished call's metered usage as a `cost.usage` payload, priced; null when none was read. */
export function meteredUsage(record: BrokerCallRecord, prices: PriceTable): UsageRecord | null {
  const usage = record.usage;
  if (!usage || record.provider === null) return null;
  const model = usage.model ?? record.requestedModel ?? 'unknown';
  const priced = prices.cost(model, usage.tokens, record.provider);
  return {
    source: 'metered',
    provider: record.provider,
    model,
    tokens: usage.tokens,
    costUsd: priced?.costUsd ?? null,
    pricedAs: priced?.pricedAs ?? null,
    requestId: record.requestId,
    messageId: usage.messageId,
    at: record.startedAt,
    latencyMs: record.durationMs,
  };
}

/** Each scope's smallest limit among those set. */
function smallest(all: readonly BudgetLimits[]): BudgetLimits {
  const limits: BudgetLimits = {};
  for (const scope of BUDGET_SCOPES) {
    const set = all.map((limit) => limit[scope]).filter((value) => value !== undefined);
    if (set.length) limits[scope] = Math.min(...set);
  }
  return limits;
}
