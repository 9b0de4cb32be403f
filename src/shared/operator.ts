/**
 * The remote operator (#17) as every process sees it: a run is a session (its id is the session's),
 * read back from the session's `operator.*` audit events, so a live run and one that ended weeks
 * ago look the same.
 */
import type { Actor } from './audit';

/** How a run stands: live (`running`, `paused`, `waiting` for the inbox) or how it ended. */
export const OPERATOR_STATUSES = [
  'starting',
  'running',
  'paused',
  'waiting',
  'finished',
  'step-limit',
  'time-limit',
  'budget',
  'stopped',
  'failed',
  /** Paddock closed (or crashed) while it ran. */
  'interrupted',
] as const;
export type OperatorStatus = (typeof OPERATOR_STATUSES)[number];

export const LIVE_OPERATOR_STATUSES: readonly OperatorStatus[] = [
  'starting',
  'running',
  'paused',
  'waiting',
];

export interface OperatorLimitsView {
  maxSteps: number;
  maxMinutes: number;
  /** The run's own spending limit; null: only the budgets in settings and policy hold. */
  maxBudgetUsd: number | null;
}

/** Who decided a command: the policy (its rule), a person in the inbox, or Paddock (expiry). */
export interface OperatorDecision {
  allow: boolean;
  reason: string;
  actor: Actor;
  /** The rule (`Ssh(staging:ls:*)`, `classifier`), or the person's name. */
  actorId: string;
  approvalId: string | null;
}

export interface OperatorOutput {
  exitCode: number | null;
  signal: string | null;
  truncated: boolean;
  durationMs: number;
  /** The start of the redacted output (the whole of it is the event's blob). */
  excerpt: string;
  /** The blob holding the redacted output, for `audit.blob`. */
  blob: string | null;
}

/** One turn of the model that proposed a command, or a reply without a valid tool call. */
export interface OperatorStep {
  step: number;
  /** When the proposal was recorded. */
  at: string;
  thought: string;
  command: string;
  /** Null while the policy or the inbox decides. */
  decision: OperatorDecision | null;
  /** Null while it runs, and for a command that was not run. */
  output: OperatorOutput | null;
  /** From the proposal to the output (or the decision, for one not run); null while open. */
  durationMs: number | null;
}

/** A run as listed: everything but its steps. */
export interface OperatorRunSummary {
  /** The session's id. */
  id: string;
  host: string;
  goal: string;
  provider: string;
  model: string;
  status: OperatorStatus;
  /** Model turns so far. */
  turns: number;
  limits: OperatorLimitsView;
  /** Metered cost of the run's model calls, in US dollars. */
  spentUsd: number;
  startedAt: string;
  endedAt: string | null;
  /** Why it ended, for a person. */
  reason: string | null;
  /** The model's summary, when it finished. */
  summary: string | null;
  /** The inbox request a held command waits on. */
  waitingOn: string | null;
  /** The person's notes, in order. */
  notes: string[];
  /** Who has taken over the host's terminal (the run holds meanwhile), if anyone. */
  takenOverBy: string | null;
}

export interface OperatorRunView extends OperatorRunSummary {
  steps: OperatorStep[];
}

/** The `operator.changed` topic: the run as it stands, and the step that changed (if one did). */
export interface OperatorChange {
  run: OperatorRunSummary;
  step: OperatorStep | null;
}

/** Output shown in a step's excerpt; the rest is in the blob. */
export const OPERATOR_EXCERPT_BYTES = 2048;
