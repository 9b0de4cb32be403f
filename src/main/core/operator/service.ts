/**
 * Operator runs as a product feature: each run is a session (agent preset `operator`, no project,
 * sandbox profile `ssh:<host>`) whose state follows the run (running, paused, waiting on the
 * inbox, then exited, failed or stopped), so the Sessions list, the timeline and the costs show it
 * like any other. Runs are started here with everything they need checked first (the host known
 * and pinned, a provider with its key in the vault), kept while live, and read back from their
 * audit events for the contract (view.ts).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AuditEvent } from '../../../shared/audit';
import {
  type OperatorChange,
  type OperatorRunSummary,
  type OperatorRunView,
  type OperatorStep,
} from '../../../shared/operator';
import { USAGE_EVENT } from '../../../shared/costs';
import { OPERATOR_PRESET, type SessionState } from '../../../shared/sessions';
import type { SettingsValues } from '../../../shared/settings';
import type { ApprovalService } from '../approvals';
import type { BrokerService } from '../broker';
import { parsePolicy, type Policy } from '../policy';
import type { KnownSecret } from '../recorder';
import type { OtherRecording, SessionManager, TerminalSize } from '../sessions';
import type { AuditStore } from '../store';
import type { SshService } from '../ssh';
import { remoteCommandDecider } from './decide';
import { OperatorError, OperatorRun, type OperatorOutcome, type Who } from './loop';
import { openOperatorProvider, type OpenedProvider, type ProviderSetting } from './open-provider';
import { remotePlace, sshRemoteShell, type RemotePlace } from './ssh-shell';
import { Takeover } from './takeover';
import { Transcript } from './transcript';
import { RunProjection } from './view';

export interface OperatorStartInput {
  host: string;
  goal: string;
  maxSteps?: number;
  maxMinutes?: number;
  maxBudgetUsd?: number | null;
  /** A name from `operator.providers`; default: `operator.defaultModel`'s. */
  provider?: string;
  /** The provider's model id; default: `operator.defaultModel`'s. */
  model?: string;
}

export interface OperatorServiceDeps {
  store: AuditStore;
  settings: {
    get<
      K extends
        'operator.providers' | 'operator.defaultModel' | 'vault.secrets' | 'policy.personal',
    >(
      key: K,
    ): SettingsValues[K];
  };
  sessions: Pick<SessionManager, 'createOther' | 'moveOther' | 'recordOther' | 'get' | 'list'>;
  ssh: Pick<SshService, 'exec' | 'list' | 'shell'>;
  approvals: Pick<ApprovalService, 'request' | 'allowedBefore' | 'onChange'>;
  broker: Pick<BrokerService, 'openProviderBroker'>;
  /** The vault's values, kept out of every observation. */
  knownSecrets: () => Promise<KnownSecret[]>;
  /** A directory for the run's model broker socket (private to this user). */
  socketDir: (sessionId: string) => string;
  /** Opens the run's model (default: the provider through the credential broker). */
  openProvider?: typeof openOperatorProvider;
  /** Limits of a run that names none. */
  defaults?: Partial<{ maxSteps: number; maxMinutes: number; commandTimeoutMs: number }>;
}

const DEFAULT_LIMITS = { maxSteps: 30, maxMinutes: 30, commandTimeoutMs: 120_000 };
const SYSTEM: Who = { actor: 'system', actorId: 'operator' };
/** How long `stop` and `close` wait for a run to end before answering anyway. */
const STOP_WAIT_MS = 10_000;
/** The newest runs `list` reads back. */
const MAX_LISTED = 200;
/** The transcript's terminal: wide enough for a command line and its output as a shell shows them. */
const TRANSCRIPT_SIZE = { cols: 120, rows: 32 };

interface LiveRun {
  run: OperatorRun;
  projection: RunProjection;
  provider: OpenedProvider;
  /** The session's terminal recording, drawn from the run's events as they are committed. */
  recording: OtherRecording;
  transcript: Transcript;
  done: Promise<void>;
  /** Metered cost so far, summed from the run's `cost.usage` events as they are committed. */
  spentUsd: number;
  /** A person's shell on the host, while they have taken it over. */
  takeover: Takeover | null;
  /** Who ended the take-over, when it was not the shell's own `exit`. */
  handedBackBy: Who | null;
}

type Listener = (change: OperatorChange) => void;

interface RunPlan {
  host: string;
  provider: ProviderSetting;
  model: string;
  limits: {
    maxSteps: number;
    maxMinutes: number;
    maxBudgetUsd: number | null;
    commandTimeoutMs: number;
  };
  place: RemotePlace;
}

export class OperatorService {
  private readonly live = new Map<string, LiveRun>();
  private readonly listeners = new Set<Listener>();
  private readonly unsubscribe: () => void;
  private policyCache: { text: string; policy: Policy | null } | null = null;

  constructor(private readonly deps: OperatorServiceDeps) {
    this.unsubscribe = deps.store.onAppend((events) => this.observe(events));
  }

  /** Starts a run once its host, provider and key are all in place; it goes on in the background. */
  async start(input: OperatorStartInput, by: Who): Promise<OperatorRunSummary> {
    const plan = await this.plan(input);
    const id = this.record(plan, input.goal, by);
    let opened: OpenedProvider | null = null;
    let recording: OtherRecording | null = null;
    try {
      // Nothing runs unrecorded: a run whose recording cannot start (the vault unreadable) fails.
      recording = await this.deps.sessions.recordOther(id, TRANSCRIPT_SIZE, {
        noKeys: `Paddock draws the operator's steps there. To type on the host, take the run over: paddock operator takeover ${id}`,
        // Nothing goes on unrecorded: not the person's shell, not the run.
        onFailed: (error) => this.recordingFailed(id, error),
      });
      opened = await this.openModel(id, plan);
      return this.launch(id, input.goal, plan, { provider: opened, recording }, by);
    } catch (error) {
      await opened?.close().catch(() => undefined);
      await recording?.close().catch(() => undefined);
      this.move(id, 'failed', SYSTEM, { reason: (error as Error).message });
      throw error;
    }
  }

  /** Everything a run needs, checked before anything is recorded. */
  private async plan(input: OperatorStartInput): Promise<RunPlan> {
    const host = this.readyHost(input.host);
    const { provider, model } = this.providerFor(input);
    const limits = this.limitsOf(input);
    // Connects, checking the pinned key: a changed key refuses here.
    const place = await remotePlace(this.deps.ssh, host);
    return { host, provider, model, limits, place };
  }

  private record(plan: RunPlan, goal: string, by: Who): string {
    const id = `ses_${randomBytes(4).toString('hex')}`;
    const { host, provider, model, place } = plan;
    this.deps.sessions.createOther(
      {
        id,
        projectId: null,
        agentPreset: OPERATOR_PRESET,
        task: goal,
        author: by.actorId,
        workspace: null,
        branch: null,
        baseCommit: null,
        sandboxProfile: `ssh:${host}`,
      },
      by,
      { host, remoteDirectory: place.workspace, provider: provider.name, model },
    );
    return id;
  }

  private async openModel(id: string, plan: RunPlan): Promise<OpenedProvider> {
    try {
      return await (this.deps.openProvider ?? openOperatorProvider)({
        broker: this.deps.broker,
        sessionId: id,
        provider: plan.provider,
        model: plan.model,
        socketPath: join(this.deps.socketDir(id), 'operator-model.sock'),
      });
    } catch (error) {
      throw new OperatorError(`The run could not reach its model: ${(error as Error).message}`);
    }
  }

  private launch(
    id: string,
    goal: string,
    plan: RunPlan,
    { provider, recording }: { provider: OpenedProvider; recording: OtherRecording },
    by: Who,
  ): OperatorRunSummary {
    const { host, limits, place } = plan;
    const run = new OperatorRun({
      sessionId: id,
      goal,
      host,
      limits: {
        maxSteps: limits.maxSteps,
        maxTimeMs: limits.maxMinutes * 60_000,
        maxBudgetUsd: limits.maxBudgetUsd,
      },
      provider,
      shell: sshRemoteShell(this.deps.ssh, host),
      decide: remoteCommandDecider({
        policy: () => this.personalPolicy(),
        host,
        workspace: place.workspace,
        home: place.home,
      }),
      store: this.deps.store,
      approvals: this.inboxOf(id),
      by,
      knownSecrets: this.deps.knownSecrets,
      spentUsd: () => this.spent(id),
      commandTimeoutMs: limits.commandTimeoutMs,
    });
    const projection = new RunProjection(id, this.blobs());
    const entry: LiveRun = {
      run,
      projection,
      provider,
      recording,
      transcript: new Transcript(recording, this.blobs()),
      done: Promise.resolve(),
      spentUsd: 0,
      takeover: null,
      handedBackBy: null,
    };
    this.live.set(id, entry);
    entry.done = run
      .run()
      .then(
        (result) => this.ended(id, result.outcome, result.reason),
        (error: unknown) => this.ended(id, 'failed', (error as Error).message),
      )
      // The store closing under a run (a crash on the way out) must not fail Paddock's close.
      .catch((error: unknown) =>
        console.error(`paddock: operator run ${id} did not end cleanly:`, error),
      );
    return projection.summary(true, 0);
  }

  list(): OperatorRunSummary[] {
    return this.deps.sessions
      .list()
      .filter((session) => session.agentPreset === OPERATOR_PRESET)
      .slice(0, MAX_LISTED)
      .map((session) => this.summaryOf(session.id));
  }

  get(id: string): OperatorRunView {
    if (this.deps.sessions.get(id).agentPreset !== OPERATOR_PRESET)
      throw new OperatorError(`Session ${id} is not an operator run.`);
    const { projection, live, spent } = this.read(id);
    return projection.view(live, spent);
  }

  pause(id: string, by: Who): OperatorRunSummary {
    const { run } = this.requireLive(id);
    run.pause(by);
    this.move(id, 'paused', by);
    return this.summaryOf(id);
  }

  resume(id: string, by: Who): OperatorRunSummary {
    this.requireLive(id).run.resume(by);
    this.goOn(id, by);
    return this.summaryOf(id);
  }

  /** The session's state once the run holds no more: waiting if a command is in the inbox. */
  private goOn(id: string, by: Who): void {
    const { projection } = this.requireLive(id);
    this.move(id, projection.status(true) === 'waiting' ? 'waiting' : 'running', by);
  }

  /** A note for the model, shown from its next turn on. */
  note(id: string, text: string, by: Who): OperatorRunSummary {
    this.requireLive(id).run.note(text, by);
    return this.summaryOf(id);
  }

  /**
   * Gives the person a login shell on the run's host, in the session's terminal (at their window's
   * size), and holds the run until they hand it back. Type through `session.input`.
   */
  async takeOver(id: string, size: TerminalSize, by: Who): Promise<OperatorRunSummary> {
    const live = this.requireLive(id);
    if (live.takeover)
      throw new OperatorError(`${live.run.takenOverBy ?? 'Someone'} has ${id}'s host already.`);
    const { host } = this.summaryOf(id);
    const shell = await this.deps.ssh.shell(host, size);
    if (!this.live.has(id) || live.takeover) {
      shell.close();
      throw new OperatorError(`The operator run ${id} changed meanwhile: try again.`);
    }
    try {
      live.run.takeOver(by);
    } catch (error) {
      shell.close();
      throw error;
    }
    this.move(id, 'paused', by, { reason: `${by.actorId} took over the host's terminal` });
    live.takeover = new Takeover(shell, live.recording, size, (screen) => {
      live.takeover = null;
      live.run.handBack(live.handedBackBy ?? by, screen);
      live.handedBackBy = null;
      if (this.live.has(id) && live.run.state === 'running') this.goOn(id, SYSTEM);
      this.publish(id, null);
    });
    return this.summaryOf(id);
  }

  private recordingFailed(id: string, error: Error): void {
    const live = this.live.get(id);
    if (!live) return;
    void this.endTakeover(live, SYSTEM);
    live.run.fail(`its recording failed: ${error.message}`);
  }

  /** Closes the person's shell on the host; the run goes on (unless it was paused before). */
  async handBack(id: string, by: Who): Promise<OperatorRunSummary> {
    await this.endTakeover(this.requireLive(id), by);
    return this.summaryOf(id);
  }

  private async endTakeover(live: LiveRun, by: Who): Promise<void> {
    if (!live.takeover) return;
    live.handedBackBy = by;
    await live.takeover.end();
  }

  /** Stops the run (a command running on the host is ended there) and waits for it to end. */
  async stop(id: string, by: Who): Promise<OperatorRunSummary> {
    const live = this.requireLive(id);
    await this.endTakeover(live, by);
    live.run.stop(by);
    await withinMs(live.done, STOP_WAIT_MS);
    return this.summaryOf(id);
  }

  /** Hears of every change of a run's state or steps. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a run of this session is live here. */
  has(id: string): boolean {
    return this.live.has(id);
  }

  /** Stops every live run (Paddock is closing) and waits for their records. */
  async close(): Promise<void> {
    const runs = [...this.live.values()];
    await Promise.all(runs.map((live) => this.endTakeover(live, SYSTEM)));
    for (const { run } of runs) run.stop(SYSTEM);
    await Promise.all(runs.map(({ done }) => withinMs(done, STOP_WAIT_MS)));
    this.unsubscribe();
  }

  /** The host by name, known and with a key to check it by: every other case refuses. */
  private readyHost(name: string): string {
    const host = this.deps.ssh.list().find((entry) => entry.name === name);
    if (!host)
      throw new OperatorError(
        `No SSH host "${name}". Add it first: paddock ssh add ${name} --address HOST --user USER < PRIVATE_KEY, then paddock ssh test ${name}.`,
      );
    if (host.hostKey === null && host.expectedHostKey === null)
      throw new OperatorError(
        `${name}'s host key is not pinned yet, so Paddock cannot tell it from an impostor. Check and pin it: paddock ssh test ${name}.`,
      );
    return host.name;
  }

  private providerFor(input: OperatorStartInput): { provider: ProviderSetting; model: string } {
    const fallback = this.deps.settings.get('operator.defaultModel');
    const name = input.provider ?? fallback.provider;
    const model = input.model ?? fallback.model;
    const providers = this.deps.settings.get('operator.providers');
    const provider = providers.find((entry) => entry.name === name);
    if (!provider)
      throw new OperatorError(
        `No model provider "${name}" in the operator.providers setting (${providers.map((p) => p.name).join(', ') || 'none set'}). Add it: paddock settings set operator.providers '[{"name":"${name}","api":"anthropic-messages","baseUrl":"https://api.anthropic.com","secret":"ANTHROPIC_API_KEY"}]', or choose one with operator.defaultModel.`,
      );
    if (!Object.hasOwn(this.deps.settings.get('vault.secrets'), provider.secret))
      throw new OperatorError(
        `The provider ${provider.name} calls its API with the vault secret ${provider.secret}, which is not set. Put the key in the keychain: paddock secrets set ${provider.secret}`,
      );
    return { provider, model };
  }

  private limitsOf(input: OperatorStartInput) {
    const defaults = { ...DEFAULT_LIMITS, ...this.deps.defaults };
    return {
      maxSteps: input.maxSteps ?? defaults.maxSteps,
      maxMinutes: input.maxMinutes ?? defaults.maxMinutes,
      maxBudgetUsd: input.maxBudgetUsd ?? null,
      commandTimeoutMs: defaults.commandTimeoutMs,
    };
  }

  /** The person's policy, parsed again only when its text changed (once per command otherwise). */
  private personalPolicy(): Policy | null {
    const text = this.deps.settings.get('policy.personal');
    if (this.policyCache?.text !== text)
      this.policyCache = {
        text,
        policy: text.trim() ? parsePolicy(text, 'your policy (setting policy.personal)') : null,
      };
    return this.policyCache.policy;
  }

  /** The inbox as the run uses it, with the session `waiting` while a command is held there. */
  private inboxOf(id: string): OperatorServiceDeps['approvals'] {
    const { approvals } = this.deps;
    return {
      allowedBefore: (...args) => approvals.allowedBefore(...args),
      onChange: (listener) => approvals.onChange(listener),
      request: (input) => {
        const held = approvals.request(input);
        this.moveIf(id, 'running', 'waiting');
        const answer = held.answer.finally(() => this.moveIf(id, 'waiting', 'running'));
        return { request: held.request, answer };
      },
    };
  }

  private moveIf(id: string, from: SessionState, to: SessionState): void {
    if (this.live.has(id) && this.deps.sessions.get(id).state === from) this.move(id, to, SYSTEM);
  }

  private move(
    id: string,
    state: SessionState,
    by: Who,
    details: { reason?: string; exitCode?: number } = {},
  ): void {
    // A second pause (or a resume of a running run) changes nothing, and records nothing.
    if (this.deps.sessions.get(id).state === state) return;
    this.deps.sessions.moveOther(id, state, by, details);
  }

  private async ended(id: string, outcome: OperatorOutcome, reason: string): Promise<void> {
    const live = this.live.get(id);
    // A limit reached while a person had the host: their shell closes with the run.
    if (live) await this.endTakeover(live, SYSTEM);
    this.live.delete(id);
    if (outcome === 'finished') this.move(id, 'exited', SYSTEM, { exitCode: 0, reason });
    else if (outcome === 'stopped') this.move(id, 'stopped', SYSTEM, { reason });
    else this.move(id, 'failed', SYSTEM, { reason });
    this.publish(id, null);
    await live?.provider.close().catch(() => undefined);
    // After the run's last event (`operator.finished`, drawn as it was committed).
    await live?.recording
      .close()
      .catch((error: unknown) =>
        console.error(`paddock: operator run ${id}'s recording did not close cleanly:`, error),
      );
  }

  /** Feeds the events of live runs to their projections, and tells listeners what changed. */
  private observe(events: readonly AuditEvent[]): void {
    const changed = new Map<string, OperatorStep | null>();
    for (const event of events) {
      const live = event.sessionId ? this.live.get(event.sessionId) : undefined;
      if (!live) continue;
      if (event.kind === USAGE_EVENT) live.spentUsd += costOf(event);
      live.transcript.apply(event);
      const step = live.projection.apply(event);
      if (step || !changed.has(live.projection.id)) changed.set(live.projection.id, step);
    }
    for (const [id, step] of changed) this.publish(id, step);
  }

  private publish(id: string, step: OperatorStep | null): void {
    if (this.listeners.size === 0) return;
    const change: OperatorChange = { run: this.summaryOf(id), step: step ? { ...step } : null };
    for (const listener of this.listeners) listener(change);
  }

  /** The run without its steps: published on every change, so no step is copied for it. */
  private summaryOf(id: string): OperatorRunSummary {
    const { projection, live, spent } = this.read(id);
    return projection.summary(live, spent);
  }

  /** A live run's projection, or one read back from the record, and what it has spent. */
  private read(id: string): { projection: RunProjection; live: boolean; spent: number } {
    const live = this.live.get(id);
    return {
      projection: live?.projection ?? this.project(id),
      live: live !== undefined,
      spent: this.spent(id),
    };
  }

  private project(id: string): RunProjection {
    const projection = new RunProjection(id, this.blobs());
    for (let after = 0; ;) {
      const page = this.deps.store.list({ sessionId: id, afterSeq: after, limit: 1000 });
      for (const event of page) projection.apply(event);
      if (page.length < 1000) return projection;
      after = (page.at(-1) as AuditEvent).seq;
    }
  }

  private blobs() {
    return { blob: (hash: string) => this.deps.store.getBlob(hash) };
  }

  /** A live run's tally (asked every step: the usage index is not consulted); else the record's. */
  private spent(id: string): number {
    return this.live.get(id)?.spentUsd ?? this.deps.store.spend({ sessionIds: [id] }).costUsd;
  }

  private requireLive(id: string): LiveRun {
    const live = this.live.get(id);
    if (live) return live;
    const session = this.deps.sessions.get(id);
    throw new OperatorError(
      session.agentPreset === OPERATOR_PRESET
        ? `The operator run ${id} is not running (${session.state}).`
        : `Session ${id} is not an operator run.`,
    );
  }
}

function costOf(event: AuditEvent): number {
  const cost = event.payload.costUsd;
  return typeof cost === 'number' && Number.isFinite(cost) && cost > 0 ? cost : 0;
}

/** Waits for `promise`, but at most `ms`. */
function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
