/**
 * Quality gates and promotion, as the renderer and the CLI see them. A gate run checks exactly
 * what would land: the session's work (snapshotted by Paddock) on the target branch as it is now,
 * merged first when the target moved. Every result is bound to that landing (GateBinding); any
 * later change to the work or the target makes it stale, and promotion then refuses.
 */
import type { SessionDiff } from './sessions';
import type { SignoffStatus } from './signoff';

/** What a failed gate does: stops promotion, only says so, or needs a person's sign-off. */
export const GATE_ACTIONS = ['block', 'warn', 'require-signoff'] as const;
export type GateAction = (typeof GATE_ACTIONS)[number];

/** `policy`: the repository's gates could not be read or are not trusted (it fails closed). */
export const GATE_KINDS = [
  'tests',
  'secrets',
  'protected-paths',
  'diff-limits',
  'command',
  'policy',
] as const;
export type GateKind = (typeof GATE_KINDS)[number];

/** `error`: the gate could not run (a missing program, a time limit); it counts as failed. */
export type GateStatus = 'passed' | 'failed' | 'error';

/** What a result is about: the change that would land, named by its parts' ids. */
export interface GateBinding {
  /** The branch the change lands on (refs/heads/<targetBranch> in the project). */
  targetBranch: string;
  /** The target's commit the landing was computed on. */
  targetCommit: string;
  /** Paddock's snapshot commit of the session's work. */
  headCommit: string;
  /** The tree that would land: the head's tree, or the merge of head and a moved target. */
  landingTree: string;
  /** SHA-256 of the landing diff (target → landing tree, full index, binary). */
  diffHash: string;
}

export interface GateFinding {
  /** A file of the change, when the finding is about one. */
  path?: string;
  line?: number;
  /** Where else it was seen: `terminal recording`, `session.exec #812`, ... */
  where?: string;
  message: string;
}

export interface GateResult {
  /** The gate's name in the policy (`unit tests`), or its kind for the built-in ones. */
  name: string;
  kind: GateKind;
  action: GateAction;
  status: GateStatus;
  /** One line for the list. */
  summary: string;
  findings: GateFinding[];
  /** The command a command gate ran, and how it ended. */
  command?: string[];
  exitCode?: number | null;
  durationMs: number;
  /** The end of the command's output (redacted), at most 16 KiB; the whole is the evidence. */
  outputTail?: string;
  /** The audit event holding the full output (a `session.exec` event's blob). */
  evidenceSeq?: number;
}

/** pass: every block gate passed. needs-signoff: only require-signoff gates failed. */
export type GateVerdict = 'pass' | 'fail' | 'needs-signoff';

export interface GateRun {
  id: string;
  sessionId: string;
  startedAt: string;
  finishedAt: string;
  binding: GateBinding;
  /** The target had moved since the session's base: the gates ran on the merge result. */
  merged: boolean;
  results: GateResult[];
  verdict: GateVerdict;
  /** The `gates.run.finished` event. */
  seq: number;
}

/** A path of the change that runs or is trusted outside the sandbox later, and why. */
export interface ProtectedChange {
  path: string;
  /** The glob that matched (`.github/**`, `package.json`, ...). */
  pattern: string;
}

/** The review screen's whole state for one session: `gates.status`. */
export interface ReviewState {
  sessionId: string;
  /** The landing as it is now, or why it cannot be computed (a conflict, a missing branch). */
  current: GateBinding | null;
  problem: string | null;
  merged: boolean;
  /** The change that would land (target → landing tree), and its protected paths. */
  diff: SessionDiff | null;
  protectedChanges: ProtectedChange[];
  lastRun: GateRun | null;
  /** Why the last run no longer describes what would land (empty when it does). */
  staleReasons: string[];
  /** The sign-offs the policy asks for, and the statements given for this landing. */
  signoff: SignoffStatus;
  /** Why promotion would refuse now (empty when it would land). */
  blockers: string[];
  promoted: Promotion | null;
  rejected: { reason: string; by: string; at: string } | null;
}

export type PromotionMode = 'squash' | 'merge';

export interface Promotion {
  sessionId: string;
  targetBranch: string;
  mode: PromotionMode;
  /** The target's head before and after. */
  before: string;
  after: string;
  binding: GateBinding;
  /** The person's checkout had the target checked out, clean, and was fast-forwarded. */
  checkoutUpdated: boolean;
  workspaceRemoved: boolean;
  at: string;
}

/** How a message reached the agent: typed in (live), or the agent restarted to receive it. */
export interface SendBackResult {
  delivered: 'queued' | 'restarted';
  message: string;
}
