/**
 * The session manager: turns (project, preset, task) into an agent working in a workspace of its
 * own, in a pseudo-terminal, with every byte recorded; and carries each session through its states.
 *
 * Everything that can be checked is checked before anything is made (project, preset and its
 * program, base, workspace root), so a bad request leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { AuditEvent, JsonObject } from '../../../shared/audit';
import { commandLine } from '../../../shared/command-line';
import type { Promotion } from '../../../shared/gates';
import type {
  Project,
  SessionDiff,
  SessionRecord,
  SessionScreen,
  SessionState,
} from '../../../shared/sessions';
import { LIVE_STATES } from '../../../shared/sessions';
import {
  BUILT_IN_PRESETS,
  buildSpawnPlan,
  getPreset,
  launchCommand,
  paddockBinDirs,
  prepareSessionHome,
  resolvePresetProgram,
  type AgentPreset,
  type SpawnPlan,
  type SpawnRequest,
} from '../agents';
import type { ProjectsService } from '../projects';
import {
  exportAsciicast,
  recordedTail,
  RecordingThread,
  Redactor,
  TerminalRecorder,
} from '../recorder';
import type { NetworkContext, SessionNetwork } from '../network';
import { SessionNetworks } from './session-networks';
import {
  removeBridgeDir,
  SandboxService,
  type ContainedRun,
  type LoopbackBridge,
  type SandboxServiceOptions,
} from '../sandbox';
import type { SettingsService } from '../settings';
import type { AuditStore } from '../store';
import {
  branchFor,
  copyIntoWorkspace,
  createWorkspace,
  hideFromGit,
  removeWorkspace,
  sessionLayout,
  resolveBase,
  workspaceBytes,
  workspaceDiff,
  type Workspace,
} from '../workspaces';
import { spawnAgent, type AgentProcess } from './agent-process';
import { commandPreset, runInTerminal, runWithPipes, type ExecIo, type ExecOptions } from './exec';
import {
  OtherTerminal,
  type OtherRecording,
  type OtherTerminalOptions,
  type TerminalSize,
} from './other-terminal';
import { SessionError, SessionRecords, type By, type NewSession } from './session-records';

export interface SessionManagerOptions {
  store: AuditStore;
  projects: ProjectsService;
  settings: SettingsService;
  /** $PADDOCK_HOME: session homes live under it, workspaces too unless a setting moves them. */
  home: string;
  /** Who commits in the workspace (the person's git identity). */
  gitIdentity: { name: string; email: string };
  /** The person's signing identity (#13), if they made one: a new session's author. */
  authorIdentity?: () => { name: string; fingerprint: string; publicKey: string } | null;
  /** The environment agents' allowlist draws from (PATH, LANG, ...). */
  sourceEnv?: NodeJS.ProcessEnv;
  /** No output for this long while running: the session is waiting. */
  idleMs?: number;
  stopGraceMs?: number;
  /** The person's own presets, beside the built-in ones. */
  customPresets?: () => readonly AgentPreset[];
  /**
   * How a project's workspaces are set up (its policy's `workspace` section, read at the base
   * commit). Throwing refuses the session before anything is made (a broken policy).
   */
  workspaceSetup?: (project: Project, baseCommit: string) => Promise<WorkspaceSetup | null>;
  /**
   * Extra arguments that connect an agent to Paddock's hook endpoint (Claude Code's `--settings`),
   * given the session and its private directory; none for agents without hooks.
   */
  agentHooks?: (sessionId: string, preset: AgentPreset, sessionDir: string) => Promise<AgentHooks>;
  /** The sandbox every session's processes run in: the platform's, with the settings' limits. */
  sandbox?: Partial<SandboxServiceOptions>;
  /**
   * A sandboxed session's network: its proxy (and a local model's tunnel), opened with its first
   * sandboxed process and closed after its last. Without it, sandboxed processes have no network.
   */
  network?: (context: NetworkContext) => Promise<SessionNetwork>;
  /**
   * The model broker for a sandboxed agent session, when the vault holds its provider's key: the
   * agent gets the broker's URL and a placeholder instead of the model settings. Null: none.
   */
  modelBroker?: (context: {
    sessionId: string;
    agent: string;
  }) => Promise<SessionModelBroker | null>;
  /**
   * The vault's secrets, redacted as `[secret:NAME]` from every recording and command output. A
   * failure (secrets stored, keychain unreadable) refuses the session: its record could not be kept
   * clean of them.
   */
  knownSecrets?: () => Promise<ReadonlyArray<{ name: string; value: string }>>;
  /** Whether the project's policy lets agents read `.env` files (default: no, they are masked). */
  envFilesAllowed?: (project: Project, baseCommit: string) => Promise<boolean>;
}

/** How an agent reaches Paddock's hook endpoint: its arguments, the bridges and files they name. */
export interface AgentHooks {
  args: string[];
  /** What the agent reaches as 127.0.0.1:PORT from its sandbox (the hook endpoint). */
  bridges: LoopbackBridge[];
  /** Files the agent must read (its settings, in the session's private directory). */
  files: string[];
}

/** A session's model broker, as the session manager uses it. */
export interface SessionModelBroker {
  model: ModelSettings;
  bridge: LoopbackBridge;
  close(): Promise<void>;
}

/** The sandbox profile of a session the person chose to run without one. */
export const UNSANDBOXED = 'unsandboxed';

/** Made ready before the agent starts: files copied from the person's checkout, then a command. */
export interface WorkspaceSetup {
  /** Project-relative files or folders (gitignored ones included), copied if present. */
  copy: readonly string[];
  /**
   * Run in the workspace through the launcher (a string by `sh -c`, a list as program and
   * arguments), its output recorded; must exit 0.
   */
  command?: string | readonly string[];
  /** Default 10 minutes. */
  timeoutMs?: number;
}

/** A set-up command ready to run: its spawn plan and how long it may take. */
interface SetupStep {
  plan: SpawnPlan;
  command: string;
  timeoutMs: number;
}

const DEFAULT_SETUP_TIMEOUT_MS = 10 * 60_000;

export interface ExecRequest {
  project: string;
  argv: readonly string[];
  base?: string;
  keep?: boolean;
  /** Run CMD in a pseudo-terminal (stdout and stderr merged, as a terminal shows them). */
  tty?: { cols: number; rows: number };
  /** Without the sandbox: the person's explicit choice, recorded. */
  unsandboxed?: boolean;
}

export interface ExecResult {
  session: SessionRecord;
  exitCode: number;
  workspace: string;
}

export interface StartRequest {
  project: string;
  /** Default: the preset the project's last session used. */
  preset?: string;
  task?: string;
  base?: string;
  cols?: number;
  rows?: number;
  /** Without the sandbox: the person's explicit choice, recorded and shown on the session. */
  unsandboxed?: boolean;
}

interface LiveSession {
  /** The set-up command's process, then the agent's. */
  process: AgentProcess;
  /** The sandbox of that process; null when the session runs unsandboxed. */
  sandboxRun: ContainedRun | null;
  phase: 'setup' | 'agent';
  /** Made at the first byte either way (its first write is an fsync, kept off the start path). */
  recorder: TerminalRecorder | null;
  newRecorder: () => TerminalRecorder;
  /** Whether the session has been marked running (at its first output, or after a second). */
  running: boolean;
  /** Marked waiting for want of output; the next output makes it running again. */
  waiting: boolean;
  workspace: Workspace;
  stopRequestedBy: By | null;
  idleTimer: NodeJS.Timeout | null;
  /** Why the session cannot go on (its recording or set-up failed): it ends `failed`. */
  failure: string | null;
  /** Output events sent to listeners so far. */
  outputSeq: number;
  size: { cols: number; rows: number };
  /** The person's messages for the agent, typed in one by one as it waits. */
  queued: string[];
}

/** `seq` counts the session's output events: 1, 2, 3, ... (see `screen`). */
type OutputListener = (sessionId: string, data: string, seq: number) => void;
type ChangeListener = (session: SessionRecord) => void;

export class SessionManager {
  readonly records: SessionRecords;
  private readonly live = new Map<string, LiveSession>();
  private readonly outputListeners = new Set<OutputListener>();
  private readonly changeListeners = new Set<ChangeListener>();
  private thread: RecordingThread | null = null;
  /** The open terminals of sessions made with `createOther`. */
  private readonly others = new Map<string, OtherTerminal>();
  readonly sandbox: SandboxService;
  private readonly networks = new SessionNetworks();
  private readonly brokers = new Map<string, SessionModelBroker>();

  constructor(private readonly options: SessionManagerOptions) {
    this.records = new SessionRecords(options.store);
    this.sandbox = new SandboxService({
      paddockHome: options.home,
      workspacesRoot: () => this.workspacesRoot(),
      limits: () => options.settings.get('sandbox.limits'),
      installModules: paddockModules(),
      ...options.sandbox,
    });
  }

  /** Sessions whose process died with a previous Paddock are interrupted, not running. */
  recoverAfterRestart(): SessionRecord[] {
    return this.records.inStates(LIVE_STATES).map((session) =>
      this.changed(
        this.records.transition(session.id, 'interrupted', SYSTEM, {
          reason: 'Paddock restarted; the agent’s process is gone',
        }),
      ),
    );
  }

  /**
   * Starts an agent. The record is written first, before the checkout (an fsync then is cheap,
   * and nothing runs unrecorded); the session is `running` once the agent prints, or after a second.
   */
  async start(request: StartRequest, by: By): Promise<SessionRecord> {
    const preset = getPreset(this.presetFor(request), this.options.customPresets?.() ?? []);
    const model = this.modelSettings();
    resolvePresetProgram(preset, this.options.sourceEnv ?? process.env);
    const sandboxProfile = await this.sandboxProfile(request.unsandboxed);
    const reserved = await this.reserve(request, by);
    const { project, id } = reserved;
    const setup = await this.setupFor(project, reserved.baseCommit);
    // One transaction, one fsync: the record, and the project's last preset.
    const record = this.options.store.transaction(() => {
      this.options.projects.rememberPreset(project.id, preset.id);
      return this.records.create(
        {
          id,
          projectId: project.id,
          agentPreset: preset.id,
          task: request.task ?? '',
          author: this.authorOf(by).name,
          workspace: sessionLayout(reserved.root, project.id, id).work,
          branch: branchFor(id.slice(4)),
          baseCommit: reserved.baseCommit,
          sandboxProfile,
        },
        by,
        this.authorOf(by).details,
      );
    });
    this.changed(record);
    let workspace: Workspace | null = null;
    try {
      workspace = await this.checkout(reserved);
      const setupStep = this.prepareWorkspace(id, project, workspace, setup, model);
      const hooks = await this.hookArgs(id, preset);
      const brokered = await this.brokeredModel(id, preset.id, sandboxProfile, model);
      const plan = this.plan(id, preset, workspace.path, brokered.model, {
        task: request.task,
        extraArgs: hooks.args,
      });
      const files = [...hooks.files, ...presetFiles(preset)];
      const agent = { plan, bridges: [...hooks.bridges, ...brokered.bridges], files };
      await this.launch(record, workspace, agent, request, setupStep);
      return record;
    } catch (error) {
      await this.closeBroker(id);
      if (workspace) await removeWorkspace(workspace).catch(() => undefined);
      rmSync(join(this.options.home, 'sessions', id), { recursive: true, force: true });
      this.changed(
        this.records.transition(id, 'failed', SYSTEM, { reason: (error as Error).message }),
      );
      throw error;
    }
  }

  /**
   * A one-shot session: CMD in a fresh workspace through the same launcher as an agent, with
   * pipes. The workspace is discarded afterwards unless `keep`; the record stays.
   */
  async exec(request: ExecRequest, io: ExecIo, by: By): Promise<ExecResult> {
    const preset = commandPreset(request.argv);
    const model = this.modelSettings();
    const sandboxProfile = await this.sandboxProfile(request.unsandboxed);
    const reserved = await this.reserve(request, by);
    const { project, id } = reserved;
    const setup = await this.setupFor(project, reserved.baseCommit);
    const workspace = await this.checkout(reserved);
    let plan;
    try {
      plan = this.plan(id, preset, workspace.path, model);
    } catch (error) {
      await removeWorkspace(workspace).catch(() => undefined);
      rmSync(join(this.options.home, 'sessions', id), { recursive: true, force: true });
      throw error;
    }
    this.records.create(
      {
        id,
        projectId: project.id,
        agentPreset: 'exec',
        task: commandLine(request.argv),
        author: this.authorOf(by).name,
        workspace: workspace.path,
        branch: workspace.branch,
        baseCommit: workspace.baseCommit,
        sandboxProfile,
      },
      by,
      { argv: [...request.argv], ...this.authorOf(by).details },
    );
    this.changed(this.records.transition(id, 'running', SYSTEM));
    let knownSecrets: ReadonlyArray<{ name: string; value: string }>;
    try {
      knownSecrets = await this.secretsToRedact();
    } catch (error) {
      this.endExec(id, { reason: (error as Error).message });
      throw error;
    }
    const recorder = new TerminalRecorder({
      thread: this.recordingThread(),
      sessionId: id,
      cols: 80,
      rows: 24,
      knownSecrets,
    });
    let exitCode: number;
    let breach: string | null;
    try {
      const setupStep = this.prepareWorkspace(id, project, workspace, setup, model);
      // Its output goes to stderr: stdout carries CMD's output only.
      if (setupStep)
        await this.runSetupWithPipes(
          id,
          setupStep,
          { stdout: io.stderr, stderr: io.stderr },
          recorder,
        );
      ({ exitCode, breach } = await this.runContained(id, plan, !!request.tty, (signal) =>
        request.tty
          ? runInTerminal(plan, io, recorder, request.tty, signal)
          : runWithPipes(plan, io, recorder, signal),
      ));
    } catch (error) {
      await recorder.close().catch(() => undefined);
      this.endExec(id, { reason: (error as Error).message });
      throw new SessionError(`Could not start ${request.argv[0]}: ${(error as Error).message}`);
    }
    await recorder.close();
    if (breach) {
      this.endExec(id, { reason: `the sandbox stopped it: ${breach}`, exitCode });
      throw new SessionError(`${request.argv[0]} was stopped by the sandbox: ${breach}`);
    }
    let session = this.changed(this.records.transition(id, 'exited', SYSTEM, { exitCode }));
    if (!request.keep) session = (await this.discard(id, SYSTEM)).session;
    return { session, exitCode, workspace: workspace.path };
  }

  /** A one-shot session that failed: its workspace stays for a look (`paddock gc` removes it). */
  private endExec(id: string, failure: { reason: string; exitCode?: number }): void {
    this.changed(this.records.transition(id, 'failed', SYSTEM, failure));
  }

  /**
   * Starts the agent again in the session's workspace (after it exited, was stopped, or Paddock
   * restarted), continuing its own conversation where the preset knows how.
   */
  async restart(id: string, by: By): Promise<SessionRecord> {
    const session = this.records.require(id);
    if (this.live.has(id))
      throw new SessionError(`Session ${id} is ${session.state}: its agent is already running.`);
    if (!['exited', 'stopped', 'interrupted', 'failed'].includes(session.state)) {
      throw new SessionError(
        `Session ${id} is ${session.state}; only an exited, stopped, interrupted or failed session can be restarted.`,
      );
    }
    const preset = getPreset(session.agentPreset, this.options.customPresets?.() ?? []);
    const workspace = this.workspaceOf(id);
    if (!existsSync(workspace.path))
      throw new SessionError(`Session ${id}'s workspace ${workspace.path} is gone.`);
    const resumable = Boolean(preset.resume.latest);
    const hooks = await this.hookArgs(id, preset);
    const brokered = await this.brokeredModel(
      id,
      preset.id,
      session.sandboxProfile ?? UNSANDBOXED,
      this.modelSettings(),
    );
    const plan = this.plan(id, preset, workspace.path, brokered.model, {
      extraArgs: hooks.args,
      ...(resumable ? { resume: {} } : {}),
    });
    try {
      await this.launch(
        session,
        workspace,
        {
          plan,
          bridges: [...hooks.bridges, ...brokered.bridges],
          files: [...hooks.files, ...presetFiles(preset)],
        },
        {},
      );
    } catch (error) {
      await this.closeBroker(id);
      throw error;
    }
    return this.changed(
      this.records.transition(id, 'running', by, {
        payload: { restarted: true, resumedConversation: resumable },
      }),
    );
  }

  /**
   * Runs a command in an existing session's workspace, through the same launcher (the quality
   * gates use this). Its output passes through and is recorded, redacted, in one `session.exec`
   * event (the agent's own terminal recording is left as it is).
   */
  async execIn(
    id: string,
    argv: readonly string[],
    io: ExecIo,
    by: By,
    options: ExecOptions = {},
  ): Promise<{ exitCode: number; timedOut: boolean; event: AuditEvent }> {
    const session = this.records.require(id);
    const workspace = this.workspaceOf(id);
    if (session.state === 'discarded' || !existsSync(workspace.path))
      throw new SessionError(`Session ${id} has no workspace any more.`);
    const preset = commandPreset(argv);
    const model = this.modelSettings();
    const plan = this.plan(id, preset, options.workTree ?? workspace.path, model);
    const redactor = new Redactor({ knownSecrets: await this.secretsToRedact() });
    const recorded: Buffer[] = [];
    const findings: string[] = [];
    const keep = (part: { data: Buffer; findings: Array<{ ruleId: string }> }) => {
      recorded.push(part.data);
      findings.push(...part.findings.map((f) => f.ruleId));
    };
    const started = Date.now();
    let timedOut = false;
    // One event for the command and its sandbox (a second fsync would cost every gate command).
    const { exitCode, breach, sandbox } = await this.runContained(
      id,
      plan,
      false,
      (signal) => {
        const limit = new AbortController();
        signal.addEventListener('abort', () => limit.abort(), { once: true });
        const timer = options.timeoutMs
          ? setTimeout(() => {
              timedOut = true;
              limit.abort();
            }, options.timeoutMs)
          : null;
        const output = { output: (chunk: Buffer) => keep(redactor.write(chunk)) };
        return runWithPipes(plan, io, output, limit.signal).finally(() => {
          if (timer) clearTimeout(timer);
        });
      },
      { record: false, network: options.network ?? true },
    );
    keep(redactor.flush());
    const event = this.options.store.append({
      kind: 'session.exec',
      ...by,
      sessionId: id,
      payload: {
        argv: [...argv],
        exitCode,
        durationMs: Date.now() - started,
        redactions: findings,
        sandbox,
        ...(options.workTree ? { workTree: options.workTree } : {}),
        ...(timedOut ? { timedOutAfterMs: options.timeoutMs ?? null } : {}),
        ...(breach ? { sandboxStopped: breach } : {}),
      },
      blobs: [Buffer.concat(recorded)],
    });
    if (breach) throw new SessionError(`${argv[0]} was stopped by the sandbox: ${breach}`);
    return { exitCode, timedOut, event };
  }

  /**
   * Who a new session is by: the person's signing identity once they have one (its key in the
   * `session.created` event, so a sign-off by that key never counts for it), else their name.
   */
  private authorOf(by: By): { name: string; details: JsonObject } {
    const identity = by.actor === 'person' ? (this.options.authorIdentity?.() ?? null) : null;
    if (!identity) return { name: by.actorId, details: {} };
    return {
      name: identity.name,
      details: { authorKey: identity.fingerprint, authorPublicKey: identity.publicKey },
    };
  }

  /** The session's workspace (for the gates, which read it as data through its control dir). */
  workspace(id: string): Workspace {
    return this.workspaceOf(id);
  }

  /** The session's terminal recording as asciicast v2 (plays in asciinema). */
  async exportAsciicast(id: string): Promise<string> {
    this.records.require(id);
    await (this.live.get(id)?.recorder ?? this.others.get(id)?.recorder)?.flush();
    return exportAsciicast(this.options.store, id);
  }

  /** Every preset a session may start: the built-in ones, then the person's own. */
  presets(): AgentPreset[] {
    return [...BUILT_IN_PRESETS, ...(this.options.customPresets?.() ?? [])];
  }

  list(): SessionRecord[] {
    return this.records.list().map((session) => this.withQueue(session));
  }

  get(id: string): SessionRecord {
    return this.withQueue(this.records.require(id));
  }

  /**
   * The record of a session Paddock runs itself rather than as an agent process (a remote operator
   * run): created `running`, so lists, the timeline, costs and change listeners see it like any
   * other. Its owner moves it on with `moveOther`.
   */
  createOther(session: NewSession, by: By, details: JsonObject = {}): SessionRecord {
    return this.options.store.transaction(() => {
      this.records.create(session, by, details);
      return this.moveOther(session.id, 'running', SYSTEM);
    });
  }

  /** A state change of a session made with `createOther`, told to change listeners. */
  moveOther(
    id: string,
    state: SessionState,
    by: By,
    details: Parameters<SessionRecords['transition']>[3] = {},
  ): SessionRecord {
    if (this.live.has(id)) throw new SessionError(`Session ${id} is an agent's: it moves itself.`);
    return this.changed(this.records.transition(id, state, by, details));
  }

  /**
   * A terminal recording for a session made with `createOther`, which draws it itself: redacted
   * like an agent's (the vault's secrets as `[secret:NAME]`), so it replays and exports the same
   * way, and sent live to output listeners. It takes keys only while lent (`noKeys` says why not
   * otherwise); if the recording fails, it takes no more keys and `onFailed` hears of it. One at a
   * time per session; Paddock's shutdown closes any still open.
   */
  async recordOther(
    id: string,
    size: TerminalSize,
    options: OtherTerminalOptions = {},
  ): Promise<OtherRecording> {
    this.records.require(id);
    if (this.live.has(id))
      throw new SessionError(`Session ${id} is an agent's: it records itself.`);
    const knownSecrets = await this.secretsToRedact();
    if (this.others.has(id)) throw new SessionError(`Session ${id} is being recorded already.`);
    let terminal: OtherTerminal | null = null;
    const recorder = new TerminalRecorder({
      thread: this.recordingThread(),
      sessionId: id,
      ...size,
      knownSecrets,
      onError: (error) => {
        console.error(`paddock: session ${id}: ${error.message}`);
        terminal?.failed(error);
      },
      onBackpressure: (behind) => terminal?.behind(behind),
    });
    const emit = (text: string, seq: number) => {
      for (const listener of this.outputListeners) listener(id, text, seq);
    };
    terminal = new OtherTerminal(recorder, size, emit, options);
    this.others.set(id, terminal);
    return terminal.recording(() => {
      if (this.others.get(id) === terminal) this.others.delete(id);
    });
  }

  /**
   * What the session's terminal shows now: for a running agent, everything its output drew so
   * far (apply output events after `seq`); for an ended one, the end of its recording.
   */
  async screen(id: string): Promise<SessionScreen> {
    this.records.require(id);
    const live = this.live.get(id);
    const other = this.others.get(id);
    if (other) {
      const seq = other.outputSeq;
      return { sessionId: id, live: true, seq, ...(await other.recorder.screen()) };
    }
    if (!live)
      return { sessionId: id, live: false, seq: 0, ...recordedTail(this.options.store, id) };
    // Taken before the request: the screen covers exactly the events sent until now.
    const seq = live.outputSeq;
    const screen = live.recorder ? await live.recorder.screen() : { data: '', ...live.size };
    return { sessionId: id, live: true, seq, ...screen };
  }

  /**
   * The agent says it waits for the person (Claude Code's Notification and Stop hooks). Reported,
   * so it only moves the state shown; nothing is decided on it.
   */
  agentSaysWaiting(id: string, why: string): void {
    const live = this.live.get(id);
    if (!live || this.records.get(id)?.state !== 'running') return;
    this.clearIdle(live);
    live.waiting = true;
    this.changed(
      this.records.transition(id, 'waiting', SYSTEM, { reason: `the agent reports: ${why}` }),
    );
    this.deliverQueued(id, live);
  }

  /** A message for the agent, typed in (with Enter) as soon as it waits for input. */
  queue(id: string, text: string, by: By): SessionRecord {
    const live = this.requireLive(id);
    live.queued.push(text);
    this.event(id, 'session.message.queued', { text, queued: live.queued.length }, by);
    if (live.waiting) this.deliverQueued(id, live);
    return this.changed(this.get(id));
  }

  write(id: string, data: string): void {
    const other = this.others.get(id);
    if (other) return other.type(id, data);
    const live = this.requireLive(id);
    recorderOf(live).input(data);
    live.process.write(data);
  }

  resize(id: string, cols: number, rows: number): void {
    const other = this.others.get(id);
    if (other) return other.resize(cols, rows);
    const live = this.requireLive(id);
    recorderOf(live).resize(cols, rows);
    live.process.resize(cols, rows);
    live.size = { cols, rows };
  }

  pause(id: string, by: By): SessionRecord {
    const live = this.requireLive(id);
    const session = this.records.require(id);
    if (session.state === 'paused') return session;
    live.process.pause();
    this.clearIdle(live);
    return this.changed(this.records.transition(id, 'paused', by));
  }

  resume(id: string, by: By): SessionRecord {
    const session = this.records.require(id);
    if (session.state !== 'paused')
      throw new SessionError(`Session ${id} is ${session.state}, not paused.`);
    const live = this.requireLive(id);
    live.process.resume();
    const record = this.changed(this.records.transition(id, 'running', by));
    this.armIdle(id, live);
    return record;
  }

  /** Stops the agent: SIGTERM, then SIGKILL after the grace period. The state follows on exit. */
  stop(id: string, by: By): SessionRecord {
    const live = this.requireLive(id);
    live.stopRequestedBy = by;
    live.process.stop(this.options.stopGraceMs ?? 5000);
    return this.records.require(id);
  }

  /** Waits until the session's process has exited (for tests and one-shot runs). */
  async waitForExit(id: string, timeoutMs = 60_000): Promise<SessionRecord> {
    const deadline = Date.now() + timeoutMs;
    while (this.live.has(id)) {
      if (Date.now() > deadline)
        throw new SessionError(`Session ${id} did not exit within ${timeoutMs} ms.`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.records.require(id);
  }

  async diff(id: string): Promise<SessionDiff> {
    return workspaceDiff(this.workspaceOf(id));
  }

  /**
   * The session's change landed on its project's branch (the gates did it). The workspace stays
   * unless `removeWorkspace`, for a look at what the agent left beside the change.
   */
  async markPromoted(
    id: string,
    by: By,
    promotion: Promotion,
    removeWorkspace: boolean,
  ): Promise<SessionRecord> {
    if (this.live.has(id))
      throw new SessionError(`Session ${id}'s agent is running: stop it before promoting.`);
    const bytesFreed = removeWorkspace ? await this.removeFiles(id) : 0;
    return this.changed(
      this.records.transition(id, 'promoted', by, {
        payload: {
          ...promotion,
          ...(removeWorkspace ? { bytesFreed } : {}),
        } as unknown as JsonObject,
      }),
    );
  }

  /** Removes the workspace (and so the session's branch). The record stays. */
  async discard(id: string, by: By): Promise<{ session: SessionRecord; bytesFreed: number }> {
    if (this.live.has(id)) {
      this.stop(id, by);
      await this.waitForExit(id, (this.options.stopGraceMs ?? 5000) + 5000);
    }
    const session = this.records.require(id);
    if (session.state === 'discarded') return { session, bytesFreed: 0 };
    const bytesFreed = await this.removeFiles(id);
    return {
      session: this.changed(
        this.records.transition(id, 'discarded', by, { payload: { bytesFreed } }),
      ),
      bytesFreed,
    };
  }

  private async removeFiles(id: string): Promise<number> {
    const bytesFreed = await removeWorkspace(this.workspaceOf(id));
    rmSync(join(this.options.home, 'sessions', id), { recursive: true, force: true });
    return bytesFreed;
  }

  /**
   * Removes what discarded (or forgotten) sessions left on disk: workspace folders whose session is
   * discarded or unknown, and their session homes. Returns what it removed and the bytes freed.
   */
  gc(by: By): { removed: string[]; bytesFreed: number } {
    const root = this.workspacesRoot();
    const keep = new Set(
      this.records
        .list()
        .filter((s) => s.state !== 'discarded')
        .map((s) => s.id),
    );
    const removed: string[] = [];
    let bytesFreed = 0;
    for (const dir of sessionDirs(root).concat(
      sessionDirs(join(this.options.home, 'sessions'), 1),
    )) {
      if (keep.has(basename(dir))) continue;
      bytesFreed += workspaceBytes(dir);
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
    this.options.store.append({ kind: 'sessions.gc', ...by, payload: { removed, bytesFreed } });
    return { removed, bytesFreed };
  }

  onOutput(listener: OutputListener): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Stops every live session (Paddock is shutting down) and waits for their records. */
  async shutdown(): Promise<void> {
    const ids = [...this.live.keys()];
    for (const id of ids) this.stop(id, SYSTEM);
    await Promise.all(
      ids.map((id) =>
        this.waitForExit(id, (this.options.stopGraceMs ?? 5000) + 5000).catch(() => undefined),
      ),
    );
    // An owner that did not end its recording in time: what it wrote is kept, and closed.
    const others = [...this.others.values()];
    this.others.clear();
    await Promise.all(others.map(({ recorder }) => recorder.close().catch(() => undefined)));
    await this.thread?.close();
    this.thread = null;
    await this.networks.closeAll();
    await Promise.all([...this.brokers.keys()].map((id) => this.closeBroker(id)));
    await this.sandbox.close();
  }

  /** An event of the session, caused by Paddock itself unless `by` says who. */
  private event(id: string, kind: string, payload: JsonObject, by: By = SYSTEM): void {
    this.options.store.append({ kind, ...by, sessionId: id, payload });
  }

  /** Types the next queued message into a waiting agent's terminal. */
  private deliverQueued(id: string, live: LiveSession): void {
    const text = live.queued.shift();
    if (text === undefined) return;
    this.event(id, 'session.message.delivered', { text, queued: live.queued.length });
    this.write(id, `${text}\r`);
    this.changed(this.get(id));
  }

  private withQueue(session: SessionRecord): SessionRecord {
    const queued = this.live.get(session.id)?.queued;
    return queued?.length ? { ...session, queued: [...queued] } : session;
  }

  /** `exec`'s set-up: the command with pipes, recorded; throws unless it exits 0. */
  private async runSetupWithPipes(
    id: string,
    setup: SetupStep,
    io: ExecIo,
    recorder: TerminalRecorder,
  ): Promise<void> {
    const started = Date.now();
    this.event(id, 'workspace.setup.started', {
      command: setup.command,
      timeoutMs: setup.timeoutMs,
    });
    const { exitCode, breach } = await this.runContained(id, setup.plan, false, (signal) =>
      runWithPipes(setup.plan, io, recorder, signal),
    );
    if (breach) throw new SessionError(`the sandbox stopped the set-up command: ${breach}`);
    this.event(id, 'workspace.setup.finished', {
      command: setup.command,
      exitCode,
      durationMs: Date.now() - started,
    });
    if (exitCode !== 0)
      throw new SessionError(`the set-up command \`${setup.command}\` exited with ${exitCode}`);
  }

  /** The project's workspace set-up, if it has one; a broken policy throws before anything is made. */
  private async setupFor(project: Project, baseCommit: string): Promise<WorkspaceSetup | null> {
    return (await this.options.workspaceSetup?.(project, baseCommit)) ?? null;
  }

  /** Copies the files the set-up names (an event lists them) and plans its command, if any. */
  private prepareWorkspace(
    id: string,
    project: Project,
    workspace: Workspace,
    setup: WorkspaceSetup | null,
    model: ModelSettings,
  ): SetupStep | null {
    if (!setup) return null;
    if (setup.copy.length > 0) {
      const report = copyIntoWorkspace(project.path, workspace.path, setup.copy);
      this.event(id, 'workspace.copied', { copied: report.copied, missing: report.missing });
    }
    if (!setup.command?.length) return null;
    const argv = typeof setup.command === 'string' ? ['sh', '-c', setup.command] : setup.command;
    return {
      plan: this.plan(id, commandPreset(argv), workspace.path, model),
      command: typeof setup.command === 'string' ? setup.command : setup.command.join(' '),
      timeoutMs: setup.timeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
    };
  }

  /** One recording thread for every session of this store, started again if it died. */
  private recordingThread(): RecordingThread {
    if (!this.thread?.alive) this.thread = RecordingThread.start(this.options.store);
    return this.thread;
  }

  private async launch(
    record: Pick<SessionRecord, 'id'>,
    workspace: Workspace,
    agent: Reach & { plan: SpawnPlan },
    request: Pick<StartRequest, 'cols' | 'rows'>,
    setup: SetupStep | null = null,
  ): Promise<void> {
    const cols = request.cols ?? 120;
    const rows = request.rows ?? 32;
    const knownSecrets = await this.secretsToRedact();
    // Started now, so it is up by the first byte.
    const thread = this.recordingThread();
    const id = record.id;
    // In the sandbox first: a step whose sandbox cannot start never runs.
    const spawnStep = async (step: SpawnPlan, reach: Reach = NO_REACH) => {
      const run = await this.contain(id, step, true, reach);
      const { file, args } = launchCommand(step);
      const signalTargets = step.wrapper?.signalTargets ?? null;
      try {
        return {
          run,
          process: spawnAgent({
            file,
            args,
            cwd: step.cwd,
            env: step.env,
            cols,
            rows,
            signalTargets,
          }),
        };
      } catch (error) {
        await run?.release();
        throw error;
      }
    };
    const first = await spawnStep(setup?.plan ?? agent.plan, setup ? undefined : agent);
    const live: LiveSession = {
      process: first.process,
      sandboxRun: first.run,
      phase: setup ? 'setup' : 'agent',
      recorder: null,
      newRecorder: () =>
        new TerminalRecorder({
          thread,
          sessionId: id,
          cols,
          rows,
          knownSecrets,
          // Reading waits while the recording catches up: bounded memory, nothing dropped.
          onBackpressure: (behind) => live.process.holdOutput(behind),
          onError: (error) => this.recordingFailed(id, live, error),
        }),
      running: false,
      waiting: false,
      workspace,
      stopRequestedBy: null,
      idleTimer: null,
      failure: null,
      outputSeq: 0,
      size: { cols, rows },
      queued: [],
    };
    this.live.set(id, live);
    this.watchSandbox(id, live);
    // Clients get text; a sequence split between two reads is completed by the next one.
    const decoder = new TextDecoder();
    const wire = (process: AgentProcess) =>
      process.onData((data) => {
        // The person sees it first; then it is recorded (redacted) and the state follows.
        const text = decoder.decode(data, { stream: true });
        live.outputSeq += 1;
        for (const listener of this.outputListeners) listener(id, text, live.outputSeq);
        recorderOf(live).output(data);
        if (live.phase === 'setup') return;
        this.markRunning(id, live);
        this.noteActivity(id, live);
      });
    const startAgent = () => {
      setTimeout(() => this.markRunning(id, live), 1000).unref();
      wire(live.process);
      live.process.onExit(
        ({ exitCode, signal }) => void this.afterExit(id, live, exitCode, signal),
      );
    };
    if (!setup) return startAgent();
    wire(live.process);
    this.runSetup(id, live, setup, async () => {
      live.phase = 'agent';
      try {
        const next = await spawnStep(agent.plan, agent);
        live.process = next.process;
        live.sandboxRun = next.run;
      } catch (error) {
        live.failure ??= `the agent could not start: ${(error as Error).message}`;
        return void this.afterExit(id, live, 1, null);
      }
      this.watchSandbox(id, live);
      if (live.stopRequestedBy) live.process.stop(0);
      startAgent();
    });
  }

  /** A breach of the sandbox's limits stops the session's processes, and it ends failed. */
  private watchSandbox(id: string, live: LiveSession): void {
    live.sandboxRun?.watch((why) => {
      live.failure ??= `the sandbox stopped it: ${why}`;
      this.event(id, 'sandbox.breach', { reason: why });
      live.process.stop(0);
    });
  }

  /**
   * The set-up command runs first, in the session's terminal (recorded like the agent); the agent
   * starts only after it exits 0 within its time. Otherwise the session ends `failed`, saying why.
   */
  private runSetup(
    id: string,
    live: LiveSession,
    setup: SetupStep,
    next: () => Promise<void>,
  ): void {
    const started = Date.now();
    this.event(id, 'workspace.setup.started', {
      command: setup.command,
      timeoutMs: setup.timeoutMs,
    });
    const timer = setTimeout(() => {
      live.failure ??= `the set-up command \`${setup.command}\` took longer than ${setup.timeoutMs / 1000} s`;
      live.process.stop(this.options.stopGraceMs ?? 5000);
    }, setup.timeoutMs);
    timer.unref();
    live.process.onExit(async ({ exitCode, signal }) => {
      clearTimeout(timer);
      const code = signal ? 128 + signal : exitCode;
      this.event(id, 'workspace.setup.finished', {
        command: setup.command,
        exitCode: code,
        durationMs: Date.now() - started,
      });
      await live.sandboxRun?.release();
      live.sandboxRun = null;
      if (code === 0 && !live.failure && !live.stopRequestedBy) return next();
      if (!live.stopRequestedBy)
        live.failure ??= `the set-up command \`${setup.command}\` exited with ${code}; its output is in the session's recording`;
      void this.afterExit(id, live, exitCode, signal);
    });
  }

  /** The agent is up: at its first output, or a second after it started if it stays quiet. */
  private markRunning(id: string, live: LiveSession): void {
    if (live.running || !this.live.has(id)) return;
    live.running = true;
    if (this.records.get(id)?.state !== 'starting') return; // paused or stopping meanwhile
    this.changed(
      this.records.transition(id, 'running', SYSTEM, { payload: { pid: live.process.pid } }),
    );
    this.armIdle(id, live);
  }

  private async afterExit(
    id: string,
    live: LiveSession,
    exitCode: number,
    signal: number | null,
  ): Promise<void> {
    this.clearIdle(live);
    await live.sandboxRun?.release();
    live.sandboxRun = null;
    await this.closeBroker(id);
    await recorderOf(live)
      .close()
      .catch((error: Error) => (live.failure ??= `its recording failed: ${error.message}`));
    this.live.delete(id);
    const code = signal ? 128 + signal : exitCode;
    if (live.failure)
      this.changed(
        this.records.transition(id, 'failed', SYSTEM, {
          reason: live.failure,
          exitCode: code,
        }),
      );
    else if (live.stopRequestedBy)
      this.changed(
        this.records.transition(id, 'stopped', live.stopRequestedBy, { exitCode: code }),
      );
    else this.changed(this.records.transition(id, 'exited', SYSTEM, { exitCode: code }));
  }

  /** Nothing runs unrecorded: a session whose recording fails is stopped, and ends failed. */
  private recordingFailed(id: string, live: LiveSession, error: Error): void {
    console.error(`paddock: session ${id}: ${error.message}`);
    if (live.failure !== null || !this.live.has(id)) return;
    live.failure = `its recording failed: ${error.message}`;
    live.process.stop(this.options.stopGraceMs ?? 5000);
  }

  private noteActivity(id: string, live: LiveSession): void {
    if (live.waiting) {
      live.waiting = false;
      this.changed(this.records.transition(id, 'running', SYSTEM, { reason: 'output resumed' }));
    }
    this.armIdle(id, live);
  }

  private armIdle(id: string, live: LiveSession): void {
    this.clearIdle(live);
    live.idleTimer = setTimeout(() => {
      if (this.records.get(id)?.state !== 'running') return;
      live.waiting = true;
      this.changed(this.records.transition(id, 'waiting', SYSTEM, { reason: 'no output' }));
      this.deliverQueued(id, live);
    }, this.options.idleMs ?? 10_000);
    live.idleTimer.unref();
  }

  private clearIdle(live: LiveSession): void {
    if (live.idleTimer) clearTimeout(live.idleTimer);
    live.idleTimer = null;
  }

  private requireLive(id: string): LiveSession {
    const live = this.live.get(id);
    if (!live)
      throw new SessionError(
        `Session ${id} is ${this.records.require(id).state}: its agent is not running.`,
      );
    return live;
  }

  private workspaceOf(id: string): Workspace {
    const live = this.live.get(id);
    if (live) return live.workspace;
    const session = this.records.require(id);
    if (!session.workspace || !session.baseCommit || !session.branch)
      throw new SessionError(`Session ${id} has no workspace.`);
    return {
      path: session.workspace,
      controlDir: join(session.workspace, '..', 'control.git'),
      branch: session.branch,
      baseCommit: session.baseCommit,
    };
  }

  private presetFor(request: StartRequest): string {
    if (request.preset) return request.preset;
    const last = this.options.projects.find(request.project)?.lastPreset;
    if (!last)
      throw new SessionError(
        `Say which agent to start (--agent): ${request.project} has no earlier session to take it from.`,
      );
    return last;
  }

  /** The project (added if new), the base commit, the workspaces root and a new session id. */
  private async reserve(request: { project: string; base?: string }, by: By) {
    const project =
      this.options.projects.find(request.project) ??
      (await this.options.projects.add(request.project, by));
    const baseCommit = await resolveBase(project.path, request.base);
    return { project, baseCommit, root: this.workspacesRoot(), id: newSessionId() };
  }

  private checkout(reserved: Awaited<ReturnType<SessionManager['reserve']>>): Promise<Workspace> {
    const { project, baseCommit, root, id } = reserved;
    return createWorkspace({
      projectPath: project.path,
      root,
      projectId: project.id,
      sessionId: id,
      base: baseCommit,
      shortId: id.slice(4),
    });
  }

  private workspacesRoot(): string {
    const root =
      this.options.settings.get('workspaces.root') || join(this.options.home, 'workspaces');
    try {
      mkdirSync(root, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new SessionError(
        `Cannot make workspaces under ${root}: ${(error as Error).message}. Change the setting workspaces.root or free that folder.`,
      );
    }
    return root;
  }

  /** Prepares the session's HOME for the preset and builds the launcher's spawn plan. */
  private plan(
    id: string,
    preset: AgentPreset,
    workspace: string,
    model: ModelSettings,
    extra: Pick<SpawnRequest, 'task' | 'resume' | 'extraArgs'> = {},
  ): SpawnPlan {
    const sessionHome = this.sessionHome(id);
    prepareSessionHome({
      home: sessionHome,
      preset,
      workspace,
      person: this.options.gitIdentity,
      model,
    });
    return buildSpawnPlan({
      preset,
      workspace,
      sessionHome,
      sourceEnv: this.options.sourceEnv ?? process.env,
      model,
      ...extra,
    });
  }

  private hookArgs(id: string, preset: AgentPreset): Promise<AgentHooks> {
    return (
      this.options.agentHooks?.(id, preset, this.sessionDir(id)) ??
      Promise.resolve({ args: [], bridges: [], files: [] })
    );
  }

  private sessionDir(id: string): string {
    return join(this.options.home, 'sessions', id);
  }

  /**
   * The profile a new session records: the platform's sandbox, or `unsandboxed` when the person
   * asked for that. Checked before anything is made: no sandbox, no session.
   */
  private async sandboxProfile(unsandboxed: boolean | undefined): Promise<string> {
    if (unsandboxed) return UNSANDBOXED;
    const problem = await this.sandbox.problem();
    if (problem)
      throw new SessionError(
        `${problem} (The session did not start. \`paddock doctor\` checks the sandbox; --unsandboxed runs without one, at your own risk.)`,
      );
    return this.sandbox.backendName;
  }

  /** Puts a spawn plan into the session's sandbox (sets its wrapper); null for unsandboxed sessions. */
  private async contain(
    id: string,
    plan: SpawnPlan,
    ownTerminal: boolean,
    reach: Reach = NO_REACH,
    how: {
      /** Its own `sandbox.started` event; a caller that records the run itself says false. */
      record?: boolean;
      /** The session's network (its proxy); false runs it with none at all. */
      network?: boolean;
    } = {},
  ): Promise<SessionRun | null> {
    const { record = true, network: networked = true } = how;
    const session = this.records.require(id);
    if (session.sandboxProfile === UNSANDBOXED) return null;
    const project = this.options.projects.find(session.projectId);
    if (!project) throw new SessionError(`Session ${id}'s project is gone.`);
    const network = networked
      ? await this.networks.acquire(id, () =>
          this.options.network
            ? this.options.network({
                sessionId: id,
                projectPath: project.path,
                agent: session.agentPreset,
                baseCommit: session.baseCommit ?? 'HEAD',
                processes: () => this.sandbox.processes(id),
              })
            : Promise.resolve(null),
        )
      : null;
    const releaseNetwork = () => (networked ? this.networks.release(id) : Promise.resolve());
    const bridges = [...(network?.bridges ?? []), ...reach.bridges];
    let contained: ContainedRun;
    try {
      contained = await this.containIn(id, session, project, plan, ownTerminal, reach, {
        bridges,
        env: network?.env ?? {},
      });
    } catch (error) {
      await releaseNetwork();
      throw error;
    }
    const run: SessionRun = {
      ...contained,
      bridgedPorts: bridges.map((bridge) => bridge.port),
      release: async () => {
        await contained.release();
        await releaseNetwork();
      },
    };
    if (record) this.event(id, 'sandbox.started', containment(run, plan));
    return run;
  }

  private async containIn(
    id: string,
    session: SessionRecord,
    project: Project,
    plan: SpawnPlan,
    ownTerminal: boolean,
    reach: Reach,
    network: { bridges: LoopbackBridge[]; env: Record<string, string> },
  ): Promise<ContainedRun> {
    const run = await this.sandbox.contain({
      sessionId: id,
      sessionDir: this.sessionDir(id),
      workspace: plan.cwd,
      sessionHome: this.sessionHome(id),
      projectPath: project.path,
      program: plan.file,
      env: { ...plan.env, ...network.env },
      bridges: network.bridges,
      readable: reach.files,
      ownTerminal,
      allowEnvFiles: session.baseCommit
        ? ((await this.options.envFilesAllowed?.(project, session.baseCommit)) ?? false)
        : false,
      baseCommit: session.baseCommit ?? 'HEAD',
      copied: this.copiedPaths(id),
    });
    try {
      if (run.stubs.length) hideFromGit(this.workspaceOf(id), run.stubs);
    } catch (error) {
      await run.release();
      throw error;
    }
    plan.wrapper = run.wrapper;
    return run;
  }

  /** What the set-up copied into the session's workspace (its `workspace.copied` event). */
  private copiedPaths(id: string): string[] {
    // One of a session's first events: it is copied before anything runs.
    const copied = this.options.store
      .list({ sessionId: id, limit: 20 })
      .find((event) => event.kind === 'workspace.copied')?.payload.copied;
    if (!Array.isArray(copied)) return [];
    return copied.flatMap((entry) =>
      entry && typeof entry === 'object' && 'path' in entry && typeof entry.path === 'string'
        ? [entry.path]
        : [],
    );
  }

  /**
   * Runs a one-shot step in the sandbox: a breach of its limits kills it (SIGKILL through the
   * signal), and the breach is returned beside the exit code.
   */
  private async runContained(
    id: string,
    plan: SpawnPlan,
    ownTerminal: boolean,
    run: (signal: AbortSignal) => Promise<number>,
    how: { record?: boolean; network?: boolean } = {},
  ): Promise<{ exitCode: number; breach: string | null; sandbox: JsonObject | null }> {
    const contained = await this.contain(id, plan, ownTerminal, undefined, how);
    const abort = new AbortController();
    let breach: string | null = null;
    contained?.watch((why) => {
      breach = why;
      this.event(id, 'sandbox.breach', { reason: why });
      abort.abort();
    });
    let exitCode: number;
    try {
      exitCode = await run(abort.signal);
    } finally {
      // Its last look at the limits can still report a breach.
      await contained?.release();
    }
    return { exitCode, breach, sandbox: contained && containment(contained, plan) };
  }

  /**
   * The model an agent is given: in a sandbox, its broker's when the vault holds a credential for
   * its provider (the agent then holds a placeholder, and reaches the broker through a bridge);
   * otherwise the model settings, which hold no real key (see modelSettings).
   */
  private async brokeredModel(
    id: string,
    agent: string,
    sandboxProfile: string,
    settings: ModelSettings,
  ): Promise<{ model: ModelSettings; bridges: LoopbackBridge[] }> {
    await this.closeBroker(id);
    const broker =
      sandboxProfile === UNSANDBOXED
        ? null
        : ((await this.options.modelBroker?.({ sessionId: id, agent })) ?? null);
    if (!broker) return { model: settings, bridges: [] };
    this.brokers.set(id, broker);
    return { model: broker.model, bridges: [broker.bridge] };
  }

  private async closeBroker(id: string): Promise<void> {
    const broker = this.brokers.get(id);
    this.brokers.delete(id);
    await broker?.close();
  }

  private async secretsToRedact(): Promise<ReadonlyArray<{ name: string; value: string }>> {
    try {
      return (await this.options.knownSecrets?.()) ?? [];
    } catch (error) {
      throw new SessionError(
        `The vault holds secrets, but they cannot be read to keep them out of the recording: ${(error as Error).message}`,
      );
    }
  }

  private sessionHome(id: string): string {
    return join(this.options.home, 'sessions', id, 'home');
  }

  /**
   * The model an agent is given without a broker (an unsandboxed session, or no credential for its
   * provider in the vault): the endpoint in the settings, with the stand-in key when one is set (a
   * keyless endpoint such as a local model server: Claude Code will not start without some key),
   * else nothing. Never a real key: that comes only from the vault, through a sandboxed session's
   * broker, so an unsandboxed session gets none from Paddock.
   */
  private modelSettings(): ModelSettings {
    const baseUrl = this.options.settings.get('agents.model.baseUrl');
    return { baseUrl, apiKey: baseUrl ? NO_MODEL_KEY : '' };
  }

  private changed(session: SessionRecord): SessionRecord {
    // An ended session's sockets go with it (a restart or a command in it makes them again).
    if (!LIVE_STATES.includes(session.state) && !this.live.has(session.id))
      removeBridgeDir(session.id);
    for (const listener of this.changeListeners) listener(session);
    return session;
  }
}

const SYSTEM: By = { actor: 'system', actorId: 'sessions' };

/** What a process must reach from its sandbox beyond its session's network: hooks, settings files. */
interface Reach {
  bridges: readonly LoopbackBridge[];
  files: readonly string[];
}
const NO_REACH: Reach = { bridges: [], files: [] };

/** A run in the session's sandbox, with the ports bridged into it (for the record). */
type SessionRun = ContainedRun & { bridgedPorts: number[] };

/** How a process is contained, for the record: which limits hold, what is masked and blocked. */
function containment(run: SessionRun, plan: SpawnPlan): JsonObject {
  return {
    backend: run.backend,
    program: plan.file,
    cgroup: run.enforced.cgroup,
    limits: { ...run.enforced.limits },
    masked: run.masked.map((path) => relative(plan.cwd, path)),
    blocked: run.blocked.map((path) => relative(plan.cwd, path)),
    bridgedPorts: run.bridgedPorts,
  };
}

/** Paddock's node_modules (bundled agents live there). */
function paddockModules(): string | undefined {
  const [bin] = paddockBinDirs();
  return bin ? dirname(bin) : undefined;
}

/**
 * Files an agent preset's own arguments name (a custom preset's script): the person configured
 * them, so they are readable in the sandbox. Never the task's words or a command's arguments.
 */
function presetFiles(preset: AgentPreset): string[] {
  return preset.args.filter((arg) => {
    if (!isAbsolute(arg)) return false;
    try {
      return statSync(arg).isFile();
    } catch {
      return false;
    }
  });
}

function recorderOf(live: LiveSession): TerminalRecorder {
  live.recorder ??= live.newRecorder();
  return live.recorder;
}

/**
 * The key an agent is given for the endpoint in the settings: not a secret (it is the same for
 * every session, and redacted nowhere), only something for agents that refuse to start keyless.
 */
export const NO_MODEL_KEY = 'paddock-no-key';

/** The model endpoint an agent is given (see ModelEndpoint in core/agents). */
export interface ModelSettings {
  baseUrl: string;
  /** The broker's placeholder, the stand-in NO_MODEL_KEY, or '' (none): never a real key. */
  apiKey: string;
  /** The variable the key travels in, when not the preset's own (a bearer token). */
  keyVariable?: string;
}

/** Folders named like sessions, `depth` levels below `root` (workspaces: <project>/<session>). */
function sessionDirs(root: string, depth = 2): string[] {
  const children = (dir: string) => {
    try {
      return readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(dir, e.name));
    } catch {
      return [];
    }
  };
  let level = [root];
  for (let i = 0; i < depth; i++) level = level.flatMap(children);
  return level.filter((dir) => /^ses_[0-9a-f]{8}$/.test(basename(dir)));
}

function newSessionId(): string {
  return `ses_${randomBytes(4).toString('hex')}`;
}

export type { AgentPreset };
