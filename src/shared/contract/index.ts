/**
 * The one contract between a client (renderer, CLI, tests) and main: call names, their inputs and
 * results, event topics and their payloads, and the error every failure becomes.
 */
import type { AuditEvent, PruneReport, VerifyReport } from '../audit';
import type { DoctorReport } from '../doctor';
import type { SettingsValues } from '../settings';
import type { ApprovalRequest } from '../approvals';
import type { CommandDecision, PolicyView } from '../policy';
import type { Project, SessionDiff, SessionRecord, SessionScreen } from '../sessions';
import type { SecretEntry } from '../vault';
import type { UsageImportSummary } from '../usage-import';
import type { CostReport, SpendTotals } from '../costs';
import type { GateRun, Promotion, ReviewState, SendBackResult } from '../gates';
import type { IdentityInfo, SignoffStatus, StatementCheck } from '../signoff';
import type { SshHost, SshTestResult } from '../ssh';
import type { OperatorChange, OperatorRunSummary, OperatorRunView } from '../operator';
import type { CallName, Topic } from './names';
import type { CallInput } from './schemas';

export * from './names';
export type { CallInput } from './schemas';

export interface SystemInfo {
  version: string;
  home: string;
  /** Which host serves this client. */
  host: 'desktop' | 'serve' | 'in-process';
  pid: number;
  /** The local person, as actions are recorded. */
  person: string;
}

export interface CallOutputs {
  'system.info': SystemInfo;
  'doctor.run': DoctorReport;
  'audit.list': AuditEvent[];
  'audit.get': AuditEvent | null;
  'audit.search': AuditEvent[];
  /** Null when the store has no such blob, or its content was dropped (retention). */
  'audit.blob': { text: string; bytes: number; truncated: boolean } | null;
  'audit.verify': VerifyReport;
  /** Drops the content only events older than `before` name (see PruneReport). */
  'audit.prune': PruneReport;
  'settings.all': SettingsValues;
  'settings.set': SettingsValues;
  'project.add': Project;
  'project.list': Project[];
  'project.remove': Project;
  'agents.detect': AgentAvailability[];
  'session.start': SessionRecord;
  'session.list': SessionRecord[];
  'session.get': SessionRecord;
  /** What its terminal shows now; live output events after `seq` follow. */
  'session.screen': SessionScreen;
  'session.queue': SessionRecord;
  'session.input': null;
  'session.resize': null;
  'session.pause': SessionRecord;
  'session.resume': SessionRecord;
  'session.stop': SessionRecord;
  'session.discard': { session: SessionRecord; bytesFreed: number };
  'session.diff': SessionDiff;
  'sessions.gc': { removed: string[]; bytesFreed: number };
  /** The recording as asciicast v2 text. */
  'session.export': string;
  'session.restart': SessionRecord;
  'session.exec': ExecOutput;
  /** A one-shot session run by the host (`paddock exec` while a host runs). */
  'exec.run': ExecOutput & { sessionId: string; workspace: string };
  /** Each command's decision, in order; nothing is run. */
  'policy.check': CommandDecision[];
  'policy.show': PolicyView;
  /** The version now trusted. */
  'policy.trust': { sha256: string; trustedAt: string };
  'policy.untrust': { forgotten: boolean };
  /** Newest first. */
  'approvals.list': ApprovalRequest[];
  /** The requests as decided (one answer for several at once). */
  'approvals.decide': ApprovalRequest[];
  /** The vault's index, by name: never a value. */
  'secrets.list': SecretEntry[];
  /** The secret as now listed; `rotated` when it replaced a value. */
  'secrets.set': { secret: SecretEntry; rotated: boolean };
  /** The secret as it was listed before removal. */
  'secrets.remove': SecretEntry;
  /** Usage the broker did not meter, read from agents' transcripts into `cost.usage` events. */
  'costs.import': UsageImportSummary;
  /** Totals of the recorded calls a filter selects (a session's, or a time range's). */
  'costs.spend': SpendTotals;
  /** The cost dashboard's figures for a time range (see CostReport). */
  'costs.report': CostReport;
  /** Runs the gates on what would land now (snapshotting the work first). */
  'gates.run': GateRun;
  'gates.status': ReviewState;
  'review.promote': Promotion;
  'review.reject': { rejected: true; sentBack: SendBackResult | null };
  'review.sendBack': SendBackResult;
  /** The signed statement (also recorded, and noted in git for a local session). */
  'review.sign': SignedReview;
  /** A review bundle (JSON text) for a reviewer without access to this machine. */
  'review.export': { bundle: string; sessionId: string };
  'review.import': ReviewImport;
  'signoff.verify': SignoffStatus;
  'signoff.verifyCommit': SignoffStatus;
  'identity.create': IdentityInfo;
  'identity.show': IdentityInfo | null;
  /** The identity sealed with the passphrase (scrypt + AES-256-GCM), as text. */
  'identity.export': { backup: string };
  'identity.import': IdentityInfo;
  /** The SSH hosts: never a private key. */
  'ssh.list': SshHost[];
  'ssh.add': SshHost;
  /** The host as it was; its private key is deleted from the keychain. */
  'ssh.remove': SshHost;
  /** Connects and runs `true`; an unpinned key comes back for the person to confirm. */
  'ssh.test': SshTestResult;
  /** Starts a run on an SSH host; it goes on in the background (follow `operator.changed`). */
  'operator.start': OperatorRunSummary;
  /** Every run, newest first (the last 200). */
  'operator.list': OperatorRunSummary[];
  /** A run with its steps so far. */
  'operator.get': OperatorRunView;
  /** Held before its next model call (a command running on the host finishes first). */
  'operator.pause': OperatorRunSummary;
  'operator.resume': OperatorRunSummary;
  /** A note for the model, shown from its next turn on. */
  'operator.note': OperatorRunSummary;
  /** Ends the run (a command running on the host is ended there); answers once it has ended. */
  'operator.stop': OperatorRunSummary;
  /**
   * A login shell on the run's host in the session's terminal, at this size; the run holds until
   * it is handed back (or the shell exits). Type with `session.input`, follow `session.output`.
   */
  'operator.takeover': OperatorRunSummary;
  /** Closes the person's shell on the host; the run goes on unless it was paused before. */
  'operator.handback': OperatorRunSummary;
}

/** A statement just signed: the envelope (JSON text for a file) and how it counts here. */
export interface SignedReview {
  sessionId: string;
  text: string;
  check: StatementCheck;
}

/** What `review.import` took in. */
export type ReviewImport =
  | { kind: 'bundle'; sessionId: string; task: string; targetBranch: string; diffHash: string }
  | { kind: 'statement'; sessionId: string; check: StatementCheck };

/** A command's own output (it goes to the person who ran it), capped at 4 MiB a stream. */
export interface ExecOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

/** Whether an agent preset's program is installed here. */
export interface AgentAvailability {
  id: string;
  name: string;
  installed: boolean;
  version: string | null;
  /** What to do when it is not installed. */
  install: string | null;
}
export type CallOutput<N extends CallName> = CallOutputs[N];

export interface TopicPayloads {
  'audit.appended': AuditEvent[];
  /** Terminal output of a live session, as it arrives (already recorded, redacted in the record). */
  'session.output': { sessionId: string; data: string; seq: number };
  'session.changed': SessionRecord;
  /** A request arrived, was decided or expired. */
  'approvals.changed': ApprovalRequest;
  /** A gate run, sign-off, rejection or promotion happened in this session: read gates.status. */
  'review.changed': { sessionId: string };
  /** A run's state or one of its steps changed: the run as it stands, and that step. */
  'operator.changed': OperatorChange;
}
export type TopicPayload<T extends Topic> = T extends keyof TopicPayloads
  ? TopicPayloads[T]
  : TopicPayloads['session.output'];

export const ERROR_CODES = [
  'unauthorized',
  'unknown-call',
  'bad-input',
  'bad-frame',
  'failed',
  'internal',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What a failed call returns, over any transport. */
export interface ContractErrorShape {
  code: ErrorCode;
  message: string;
  /** For bad-input: where and what. */
  issues?: Array<{ path: string; message: string }>;
}

export class ContractError extends Error implements ContractErrorShape {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'ContractError';
  }

  toShape(): ContractErrorShape {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
    };
  }
}

export type CallResult<N extends CallName = CallName> =
  { ok: true; value: CallOutput<N> } | { ok: false; error: ContractErrorShape };

/** How a client reaches main: IPC in Electron, a WebSocket in the browser and CLI, a function call in-process. */
export interface Transport {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
  subscribe<T extends Topic>(topic: T, listener: (payload: TopicPayload<T>) => void): () => void;
}

type Domain<N> = N extends `${infer D}.${string}` ? D : never;
type Method<N, D extends string> = N extends `${D}.${infer M}` ? M : never;

/** The typed client: `api.audit.list({ limit: 50 })`, `api.on('audit.appended', fn)`. */
export type PaddockApi = {
  [D in Domain<CallName>]: {
    [M in Method<CallName, D>]: `${D}.${M}` extends infer N extends CallName
      ? (input: CallInput<N>) => Promise<CallOutput<N>>
      : never;
  };
} & {
  on<T extends Topic>(topic: T, listener: (payload: TopicPayload<T>) => void): () => void;
};

/**
 * What the Electron preload exposes to the renderer: one function per call (never a generic
 * invoke), results as plain data (errors do not keep their class across contextBridge).
 */
export interface IpcBridge {
  calls: { [N in CallName]: (input: CallInput<N>) => Promise<CallResult<N>> };
  subscribe<T extends Topic>(topic: T, listener: (payload: TopicPayload<T>) => void): () => void;
}

/** The renderer's transport over the preload's bridge. */
export function bridgeTransport(bridge: IpcBridge): Transport {
  return {
    async call(name, input) {
      const result = await (bridge.calls[name] as (input: unknown) => Promise<CallResult>)(input);
      if (result.ok) return result.value as never;
      throw new ContractError(result.error.code, result.error.message, result.error.issues);
    },
    subscribe: (topic, listener) => bridge.subscribe(topic, listener),
  };
}
