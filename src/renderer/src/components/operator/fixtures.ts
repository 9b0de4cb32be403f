/** Runs and steps for the Operator screen's tests; `overrides` change what a test is about. */
import type {
  OperatorDecision,
  OperatorRunSummary,
  OperatorStep,
} from '../../../../shared/operator';

export function operatorRun(overrides: Partial<OperatorRunSummary> = {}): OperatorRunSummary {
  return {
    id: 'ses_0000000a',
    host: 'staging',
    goal: 'Prepare the release',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    status: 'running',
    turns: 2,
    limits: { maxSteps: 10, maxMinutes: 30, maxBudgetUsd: 1 },
    spentUsd: 0.25,
    startedAt: '2026-01-01T10:00:00.000Z',
    endedAt: null,
    reason: null,
    summary: null,
    waitingOn: null,
    notes: [],
    takenOverBy: null,
    ...overrides,
  };
}

export function operatorStep(number: number, overrides: Partial<OperatorStep> = {}): OperatorStep {
  return {
    step: number,
    at: `2026-01-01T10:00:0${number}.000Z`,
    thought: `thought ${number}`,
    command: `ls ${number}`,
    decision: null,
    output: null,
    durationMs: null,
    ...overrides,
  };
}

export const ALLOWED_BY_RULE: OperatorDecision = {
  allow: true,
  reason: 'rule: Ssh(staging:ls:*)',
  actor: 'policy',
  actorId: 'Ssh(staging:ls:*)',
  approvalId: null,
};
