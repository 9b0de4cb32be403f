/**
 * A run as the contract shows it, read from its session's audit events: the same reading serves a
 * live run (fed each event as it is committed) and one that ended long ago (fed its whole record).
 * Payloads are Paddock's own, but a store can be imported: every field is read by type.
 */
import type { AuditEvent, JsonObject, JsonValue } from '../../../shared/audit';
import {
  LIVE_OPERATOR_STATUSES,
  OPERATOR_EXCERPT_BYTES,
  OPERATOR_STATUSES,
  type OperatorOutput,
  type OperatorRunSummary,
  type OperatorRunView,
  type OperatorStatus,
  type OperatorStep,
} from '../../../shared/operator';

const str = (value: JsonValue | undefined): string | null =>
  typeof value === 'string' ? value : null;
const num = (value: JsonValue | undefined): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const obj = (value: JsonValue | undefined): JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};

/** What the reading needs besides the events. */
export interface ViewSources {
  /** A blob's bytes, or null when dropped. */
  blob(hash: string): Buffer | null;
}

type Base = Omit<OperatorRunSummary, 'status' | 'spentUsd'>;

export class RunProjection {
  private readonly base: Base;
  private readonly steps = new Map<number, OperatorStep>();
  private outcome: OperatorStatus | null = null;
  private paused = false;

  constructor(
    readonly id: string,
    private readonly sources: ViewSources,
  ) {
    this.base = {
      id,
      host: '',
      goal: '',
      provider: '',
      model: '',
      turns: 0,
      limits: { maxSteps: 0, maxMinutes: 0, maxBudgetUsd: null },
      startedAt: '',
      endedAt: null,
      reason: null,
      summary: null,
      waitingOn: null,
      notes: [],
      takenOverBy: null,
    };
  }

  get ended(): boolean {
    return this.outcome !== null;
  }

  /** Takes in one of the session's events; returns the step it changed, if any. */
  apply(event: AuditEvent): OperatorStep | null {
    const p = event.payload;
    const step = num(p.step);
    switch (event.kind) {
      case 'operator.started':
        return this.started(event);
      case 'operator.model.called':
        this.base.turns = Math.max(this.base.turns, step ?? 0);
        return null;
      case 'operator.step.thought':
        return this.open(step, event, { thought: str(p.thought) ?? '' });
      case 'operator.command.proposed':
        return this.open(step, event, { command: str(p.command) ?? '' });
      case 'operator.command.decided':
        return this.decided(step, event);
      case 'operator.command.output':
        return this.output(step, event);
      case 'operator.paused':
        this.paused = true;
        return null;
      case 'operator.resumed':
        this.paused = false;
        return null;
      case 'operator.note':
        this.base.notes.push(str(p.text) ?? '');
        return null;
      case 'operator.takeover.started':
        this.base.takenOverBy = event.actorId;
        return null;
      case 'operator.takeover.ended':
        this.base.takenOverBy = null;
        return null;
      case 'operator.finished':
        this.outcome = outcomeOf(str(p.outcome));
        this.base.reason = str(p.reason);
        this.base.summary = str(p.summary);
        this.base.endedAt = event.ts;
        this.base.waitingOn = null;
        this.base.takenOverBy = null;
        return null;
      case 'approval.requested':
        this.base.waitingOn = str(p.id);
        return null;
      default:
        return null;
    }
  }

  /**
   * How the run stands: its outcome once it ended; while `live`, running, paused or waiting; a run
   * that neither ended nor runs died with a previous Paddock.
   */
  status(live: boolean): OperatorStatus {
    if (this.outcome) return this.outcome;
    if (!live) return 'interrupted';
    if (this.base.waitingOn) return 'waiting';
    return this.paused ? 'paused' : this.base.startedAt ? 'running' : 'starting';
  }

  summary(live: boolean, spentUsd: number): OperatorRunSummary {
    return {
      ...this.base,
      notes: [...this.base.notes],
      limits: { ...this.base.limits },
      status: this.status(live),
      spentUsd,
    };
  }

  view(live: boolean, spentUsd: number): OperatorRunView {
    const steps = [...this.steps.values()].sort((a, b) => a.step - b.step);
    return { ...this.summary(live, spentUsd), steps: steps.map((step) => ({ ...step })) };
  }

  private started(event: AuditEvent): null {
    const p = event.payload;
    const limits = obj(p.limits);
    Object.assign(this.base, {
      host: str(p.host) ?? '',
      goal: str(p.goal) ?? '',
      provider: str(p.provider) ?? '',
      model: str(p.model) ?? '',
      startedAt: event.ts,
      limits: {
        maxSteps: num(limits.maxSteps) ?? 0,
        maxMinutes: (num(limits.maxTimeMs) ?? 0) / 60_000,
        maxBudgetUsd: num(limits.maxBudgetUsd),
      },
    });
    return null;
  }

  private open(
    step: number | null,
    event: AuditEvent,
    part: Partial<Pick<OperatorStep, 'thought' | 'command'>>,
  ): OperatorStep | null {
    if (step === null) return null;
    const existing = this.steps.get(step);
    const entry: OperatorStep = existing ?? {
      step,
      at: event.ts,
      thought: '',
      command: '',
      decision: null,
      output: null,
      durationMs: null,
    };
    Object.assign(entry, part);
    this.steps.set(step, entry);
    return entry;
  }

  private decided(step: number | null, event: AuditEvent): OperatorStep | null {
    const entry = step === null ? undefined : this.steps.get(step);
    this.base.waitingOn = null;
    if (!entry) return null;
    const p = event.payload;
    entry.decision = {
      allow: p.allow === true,
      reason: str(p.reason) ?? '',
      actor: event.actor,
      actorId: event.actorId,
      approvalId: str(p.approvalId),
    };
    if (!entry.decision.allow) entry.durationMs = elapsed(entry.at, event.ts);
    return entry;
  }

  private output(step: number | null, event: AuditEvent): OperatorStep | null {
    const entry = step === null ? undefined : this.steps.get(step);
    if (!entry) return null;
    const p = event.payload;
    const blob = event.blobs[0] ?? null;
    const output: OperatorOutput = {
      exitCode: num(p.exitCode),
      signal: str(p.signal),
      truncated: p.truncated === true,
      durationMs: num(p.durationMs) ?? 0,
      excerpt: blob ? excerptOf(this.sources.blob(blob)) : '',
      blob,
    };
    entry.output = output;
    entry.durationMs = elapsed(entry.at, event.ts);
    return entry;
  }
}

/** How a run can end as the loop records it; anything else read back counts as failed. */
const OUTCOMES: readonly OperatorStatus[] = OPERATOR_STATUSES.filter(
  (status) => !LIVE_OPERATOR_STATUSES.includes(status) && status !== 'interrupted',
);

function outcomeOf(outcome: string | null): OperatorStatus {
  return OUTCOMES.find((known) => known === outcome) ?? 'failed';
}

function excerptOf(bytes: Buffer | null): string {
  if (!bytes) return '';
  return bytes
    .subarray(0, OPERATOR_EXCERPT_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

function elapsed(from: string, to: string): number | null {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}
