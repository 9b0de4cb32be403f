/** Projects and sessions as every process sees them. */

export const SESSION_STATES = [
  'starting',
  'running',
  'waiting',
  'paused',
  'exited',
  'failed',
  'stopped',
  'interrupted',
  'promoted',
  'discarded',
] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** States in which the agent's process is alive. */
export const LIVE_STATES: readonly SessionState[] = ['starting', 'running', 'waiting', 'paused'];

export interface Project {
  id: string;
  /** Absolute path of the repository's working tree. */
  path: string;
  name: string;
  addedAt: string;
  /** The agent preset last used for a session of this project. */
  lastPreset: string | null;
}

export interface SessionRecord {
  id: string;
  /**
   * The project's id; '' for a session that works on no repository: a remote operator run, whose
   * `sandboxProfile` is `ssh:<host>` (see OPERATOR_PRESET).
   */
  projectId: string;
  agentPreset: string;
  task: string;
  author: string;
  workspace: string | null;
  branch: string | null;
  baseCommit: string | null;
  sandboxProfile: string | null;
  state: SessionState;
  /** Exit code once exited; the reason once failed or interrupted. */
  exitCode: number | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  /** Messages the person queued for the agent, sent when it next waits (live sessions only). */
  queued?: string[];
}

/** The terminal sizes the contract takes (a session's window, a taken-over host's shell). */
export const TERMINAL_LIMITS = {
  cols: { min: 10, max: 1000 },
  rows: { min: 5, max: 500 },
} as const;

/** The agent preset of a remote operator run's session (#17). */
export const OPERATOR_PRESET = 'operator';

/** Where an operator run works, for a person (`on staging`, from its profile `ssh:staging`); else null. */
export function operatorPlaceOf(
  session: Pick<SessionRecord, 'agentPreset' | 'sandboxProfile'>,
): string | null {
  if (session.agentPreset !== OPERATOR_PRESET) return null;
  const profile = session.sandboxProfile ?? '';
  return `on ${profile.startsWith('ssh:') && profile.length > 4 ? profile.slice(4) : 'an SSH host'}`;
}

/** What a session's terminal shows, for a client that attaches. */
export interface SessionScreen {
  sessionId: string;
  /** Whether the agent still runs (live output follows) or the screen is the recording's end. */
  live: boolean;
  /**
   * How many `session.output` events of this session `data` covers: apply only later ones
   * (`seq` greater than this).
   */
  seq: number;
  /** Write into a fresh terminal of `cols`×`rows`. */
  data: string;
  cols: number;
  rows: number;
}

/** One file in a session's diff against its base. */
export interface FileChange {
  path: string;
  /** A added, M modified, D deleted, R renamed (from `oldPath`), T type changed. */
  status: 'A' | 'M' | 'D' | 'R' | 'T';
  oldPath?: string;
  additions: number | null;
  deletions: number | null;
}

export interface SessionDiff {
  baseCommit: string;
  files: FileChange[];
  /** Unified diff of committed and uncommitted changes against the base. */
  patch: string;
}
