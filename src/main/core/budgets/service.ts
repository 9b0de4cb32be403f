/**
 * Budgets: spending limits that hold before money is spent. Every model call of a brokered session
 * is asked about before it reaches the provider: when what was spent so far plus the most the call
 * can cost (all its input, and its `max_tokens` of output, at the model's price) would pass a limit,
 * the call is held and the inbox asks the person to raise the budget or stop. Allowing lets the
 * call go (once, or for the rest of the session); denying, or leaving the question to expire,
 * stops the session. A model the price table does not know cannot be bounded: it is asked about
 * once per session, never counted as free.
 *
 * Limits: per session, per project (all its sessions) and per day (everything on the record that
 * day, local time). Spend is read from the store's usage index, so metered calls, imported
 * transcripts and other sessions all count. At 80% of a limit a `cost.budget.warning` event is
 * written once (the app turns it into a notification).
 */
import type { JsonObject } from '../../../shared/audit';
import type { ApprovalService } from '../approvals';
import type { AuditStore } from '../store';
import { SpendTracker, startOfDay } from './spend';

export const BUDGET_SCOPES = ['session', 'project', 'day'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];
export type BudgetLimits = Partial<Record<BudgetScope, number>>;

/** The share of a limit at which a warning is written. */
export const WARN_AT = 0.8;

export interface BudgetContext {
  sessionId: string;
  projectPath: string;
  agent: string;
}

/** A model call as the budget sees it, before it is sent. */
export interface ModelCall {
  provider: string;
  /** The model the request names, or null when it names none the broker could read. */
  model: string | null;
  /** The most the call can cost; null when its model is not in the price table. */
  worstCaseUsd: number | null;
}

export type Admission = { allow: true } | { allow: false; reason: string };

export interface BudgetServiceOptions {
  store: Pick<AuditStore, 'spend' | 'append' | 'onAppend'>;
  /** The limits that hold for a session now (the smallest of the policies' and the settings'). */
  limits: (context: BudgetContext) => Promise<BudgetLimits>;
  /** The project path of a session, or null when it is unknown (the project limit sums these). */
  projectOf: (sessionId: string) => string | null;
  /** Every session of a project (by path). */
  sessionsOf: (projectPath: string) => readonly string[];
  approvals: Pick<ApprovalService, 'request' | 'allowedBefore'>;
  /** Stops a session whose budget the person would not raise. */
  stop: (sessionId: string, reason: string) => void;
  now?: () => Date;
}

const BUDGETS = { actor: 'system', actorId: 'budgets' } as const;

export class BudgetService {
  /** Questions being asked, by session and subject: concurrent calls wait for the same answer. */
  private readonly asking = new Map<string, Promise<Admission>>();
  /** Warnings written, by scope key and limit: each is written once per run. */
  private readonly warned = new Set<string>();
  private readonly now: () => Date;
  private readonly tracker: SpendTracker;

  constructor(private readonly options: BudgetServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.tracker = new SpendTracker(options);
  }

  /** Stops following the store (Paddock is closing). */
  close(): void {
    this.tracker.close();
  }

  /** Whether a model call may go out now; may wait for the person. */
  async admit(context: BudgetContext, call: ModelCall): Promise<Admission> {
    const limits = await this.options.limits(context);
    const scopes = BUDGET_SCOPES.filter((scope) => limits[scope] !== undefined);
    if (scopes.length === 0) return { allow: true };
    if (call.worstCaseUsd === null) {
      const model = call.model ?? 'unnamed model';
      return this.hold(context, `Budget(unpriced ${model})`, {
        reason: `${model} is not in the price table, so what its calls cost cannot be counted against your budget`,
        details: { model, provider: call.provider },
      });
    }
    const spent = this.spent(context);
    for (const scope of scopes) {
      const limit = limits[scope] as number;
      if (spent[scope] + call.worstCaseUsd <= limit) continue;
      const admission = await this.hold(context, `Budget(${scope} ${usd(limit)})`, {
        reason: `this call could cost up to ${usd(call.worstCaseUsd)}; ${scopeText(scope)} has spent ${usd(spent[scope])} of its ${usd(limit)} budget`,
        details: {
          scope,
          limitUsd: limit,
          spentUsd: round(spent[scope]),
          worstCaseUsd: round(call.worstCaseUsd),
          model: call.model,
        },
      });
      if (!admission.allow) return admission;
    }
    return { allow: true };
  }

  /** After a call's cost is on the record: a warning at 80% of a limit, once per limit. */
  async observe(context: BudgetContext): Promise<void> {
    const limits = await this.options.limits(context);
    const spent = this.spent(context);
    for (const scope of BUDGET_SCOPES) {
      const limit = limits[scope];
      if (limit === undefined || spent[scope] < limit * WARN_AT) continue;
      const key = `${this.scopeKey(scope, context)} ${limit}`;
      if (this.warned.has(key)) continue;
      this.warned.add(key);
      this.event(context.sessionId, 'cost.budget.warning', {
        scope,
        limitUsd: limit,
        spentUsd: round(spent[scope]),
        percent: Math.floor((spent[scope] / limit) * 100),
        projectPath: context.projectPath,
      });
    }
  }

  /** Spend so far in each scope the session belongs to. */
  spent(context: Pick<BudgetContext, 'sessionId' | 'projectPath'>): Record<BudgetScope, number> {
    return {
      session: this.tracker.session(context.sessionId),
      project: this.tracker.project(context.projectPath),
      day: this.tracker.day(startOfDay(this.now())),
    };
  }

  /** Holds the call for the person's answer (or an earlier one for the session or project). */
  private hold(
    context: BudgetContext,
    subject: string,
    why: { reason: string; details: JsonObject },
  ): Promise<Admission> {
    const before = this.options.approvals.allowedBefore(
      context.sessionId,
      context.projectPath,
      subject,
    );
    if (before) return Promise.resolve({ allow: true });
    const key = `${context.sessionId} ${subject}`;
    const pending = this.asking.get(key);
    if (pending) return pending;
    const asked = this.ask(context, subject, why).finally(() => this.asking.delete(key));
    this.asking.set(key, asked);
    return asked;
  }

  private async ask(
    context: BudgetContext,
    subject: string,
    why: { reason: string; details: JsonObject },
  ): Promise<Admission> {
    const { request, answer } = this.options.approvals.request({
      sessionId: context.sessionId,
      projectPath: context.projectPath,
      agent: context.agent,
      kind: 'budget',
      subject,
      tool: 'Budget',
      input: JSON.stringify(why.details),
      risk: 'medium',
      reason: `Raise the budget or stop: ${why.reason}.`,
      context:
        'Allow lets this call go (for the session: every call this limit would hold). Deny stops the session.',
    });
    this.event(context.sessionId, 'cost.budget.held', {
      subject,
      approvalId: request.id,
      reason: why.reason,
      ...why.details,
    });
    const { allow, reason } = await answer;
    if (allow) {
      this.event(context.sessionId, 'cost.budget.released', { subject, approvalId: request.id });
      return { allow: true };
    }
    const stopped = `budget not raised (${subject}): ${reason}`;
    this.event(context.sessionId, 'cost.budget.stopped', {
      subject,
      approvalId: request.id,
      reason,
    });
    this.options.stop(context.sessionId, stopped);
    return { allow: false, reason: stopped };
  }

  private scopeKey(scope: BudgetScope, context: BudgetContext): string {
    if (scope === 'session') return `session ${context.sessionId}`;
    if (scope === 'project') return `project ${context.projectPath}`;
    return `day ${startOfDay(this.now()).toISOString()}`;
  }

  private event(sessionId: string, kind: string, payload: JsonObject): void {
    this.options.store.append({ kind, ...BUDGETS, sessionId, payload });
  }
}

function scopeText(scope: BudgetScope): string {
  return scope === 'session' ? 'this session' : scope === 'project' ? 'this project' : 'today';
}

function usd(amount: number): string {
  return `$${amount < 1 ? amount.toFixed(4) : amount.toFixed(2)}`;
}

function round(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}
