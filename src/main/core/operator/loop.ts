/**
 * The remote operator's loop: think, act, observe, until the model finishes or a limit ends it.
 *
 * Each step the model is shown the goal, the steps so far and the last observation, and must
 * call run_command or finish. A command is decided by policy (decide.ts): an allowed one runs on
 * the host, a held one waits in the inbox and runs only once a person allows it, a denied one
 * never runs and its denial is the observation. Output is redacted (the vault's values and known
 * token shapes) and capped before it is the observation or a record. Everything is an audit
 * event of the run's session: the model's proposals as the agent, decisions as the policy or the
 * person, outputs and model calls as the system.
 */
import type { Actor, JsonObject } from '../../../shared/audit';
import type { ApprovalService } from '../approvals';
import type { Decision } from '../policy';
import { redact, type KnownSecret } from '../recorder';
import type { AppendInput, AuditStore } from '../store';
import type { CommandDecider } from './decide';
import { actionOf, OPERATOR_TOOLS, type OperatorAction } from './protocol';
import { systemPrompt, turnPrompt, type HistoryEntry } from './prompt';
import type { ModelProvider, ModelReply } from './providers';
import type { RemoteResult, RemoteShell } from './remote-shell';

export interface OperatorLimits {
  maxSteps: number;
  maxTimeMs: number;
  /** Metered spend of the run's session at which no further model call is made; null: none. */
  maxBudgetUsd: number | null;
}

export interface Who {
  actor: Actor;
  actorId: string;
}

export interface OperatorRunOptions {
  /** The run's session: every event is recorded under it, and budgets count its calls. */
  sessionId: string;
  goal: string;
  host: string;
  limits: OperatorLimits;
  provider: ModelProvider;
  shell: RemoteShell;
  decide: CommandDecider;
  store: Pick<AuditStore, 'appendMany'>;
  approvals: Pick<ApprovalService, 'request' | 'allowedBefore' | 'onChange'>;
  /** The person who started the run. */
  by: Who;
  /** The vault's values, kept out of every observation (read once, at the start). */
  knownSecrets?: () => Promise<KnownSecret[]>;
  /** What the session's model calls cost so far (metered), for the budget limit. */
  spentUsd?: () => number;
  /** Stops the run, like `stop()`. */
  signal?: AbortSignal;
  commandTimeoutMs?: number;
  maxOutputBytes?: number;
  /** Replies in a row without a valid tool call before the run fails. */
  maxInvalidReplies?: number;
  maxOutputTokens?: number;
}

export type OperatorOutcome =
  'finished' | 'step-limit' | 'time-limit' | 'budget' | 'stopped' | 'failed';

export interface OperatorResult {
  outcome: OperatorOutcome;
  /** Why it ended, for a person. */
  reason: string;
  /** The model's summary, when it finished. */
  summary: string | null;
  /** Model turns taken. */
  steps: number;
}

export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}

const DEFAULTS = {
  commandTimeoutMs: 120_000,
  maxOutputBytes: 16 * 1024,
  maxInvalidReplies: 3,
  maxOutputTokens: 4096,
};
const MAX_NOTE_CHARS = 4_000;
/** The end of a person's terminal the model is shown after they hand the host back. */
const TAKEOVER_SCREEN_BYTES = 4_096;
const MAX_GOAL_CHARS = 8_000;
const SYSTEM: Who = { actor: 'system', actorId: 'operator' };
/** The reason of a command the person allowed for the whole run (decided without asking again). */
export const ALLOWED_FOR_RUN = 'allowed for this run in the inbox';

interface Verdict {
  allow: boolean;
  /** What the model is told, and the record's reason. */
  reason: string;
  by: Who;
  approvalId: string | null;
}

class Ended extends Error {
  constructor(
    readonly outcome: OperatorOutcome,
    reason: string,
  ) {
    super(reason);
  }
}

export class OperatorRun {
  private readonly settings: typeof DEFAULTS;
  private readonly stopper = new AbortController();
  private readonly history: HistoryEntry[] = [];
  private lastObservation: string | null = null;
  private steps = 0;
  private invalidInARow = 0;
  private startedAt = 0;
  private paused: Gate | null = null;
  /** A person working on the host in a terminal of their own; the run holds meanwhile. */
  private takeover: {
    by: Who;
    startedAt: number;
    resumeAfter: boolean;
    /** Opened at the hand-back: a command allowed meanwhile waits at it. */
    handedBack: Gate;
  } | null = null;
  private stoppedBy: Who | null = null;
  private failure: string | null = null;
  private secrets: KnownSecret[] = [];
  private running = false;
  private ended = false;
  /** Events written with the next ones (see `write`). */
  private readonly pending: AppendInput[] = [];

  constructor(private readonly options: OperatorRunOptions) {
    if (options.goal.trim() === '' || options.goal.length > MAX_GOAL_CHARS)
      throw new OperatorError(`a goal is 1 to ${MAX_GOAL_CHARS} characters`);
    if (!(options.limits.maxSteps >= 1) || !(options.limits.maxTimeMs > 0))
      throw new OperatorError('the step and time limits must be above 0');
    this.settings = {
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
      maxOutputBytes: options.maxOutputBytes ?? DEFAULTS.maxOutputBytes,
      maxInvalidReplies: options.maxInvalidReplies ?? DEFAULTS.maxInvalidReplies,
      maxOutputTokens: options.maxOutputTokens ?? DEFAULTS.maxOutputTokens,
    };
  }

  /**
   * Runs to the end and resolves with how it ended (a failure is an outcome, not a rejection).
   * The time limit is wall-clock time: a pause and a wait in the inbox count.
   */
  async run(): Promise<OperatorResult> {
    if (this.running) throw new OperatorError('this run has started already');
    this.running = true;
    this.startedAt = performance.now();
    const { goal, host, limits, provider, by } = this.options;
    this.record('operator.started', by, {
      goal,
      host,
      provider: provider.name,
      model: provider.model,
      limits: { ...limits },
    });
    const timeout = AbortSignal.timeout(limits.maxTimeMs);
    const signal = AbortSignal.any([this.stopper.signal, timeout, ...this.external()]);
    try {
      this.secrets = (await this.options.knownSecrets?.()) ?? [];
      for (;;) await this.step(signal);
    } catch (error) {
      return this.end(this.endingOf(error, timeout));
    }
  }

  get state(): 'ready' | 'running' | 'paused' | 'ended' {
    if (this.ended) return 'ended';
    if (!this.running) return 'ready';
    return this.paused ? 'paused' : 'running';
  }

  /**
   * Holds the run before its next model call, until `resume` (a command running on the host
   * finishes, and one the person allows in the inbox meanwhile runs: they asked for it).
   */
  pause(by: Who): void {
    if (this.paused) return;
    this.paused = gate();
    this.record('operator.paused', by, {});
  }

  resume(by: Who): void {
    const paused = this.paused;
    if (!paused) return;
    if (this.takeover)
      throw new OperatorError(
        `${this.takeover.by.actorId} has the host's terminal: hand it back first, and the run goes on.`,
      );
    this.paused = null;
    this.record('operator.resumed', by, {});
    paused.open();
  }

  /**
   * A person takes the host's terminal: the run holds before its next model call (a command
   * already running on the host finishes; one allowed in the inbox meanwhile waits) until
   * `handBack`, so nothing of the model's runs under the person's hands.
   */
  takeOver(by: Who): void {
    if (this.ended) throw new OperatorError('the run has ended');
    if (this.takeover)
      throw new OperatorError(`${this.takeover.by.actorId} has the host's terminal already`);
    const resumeAfter = !this.paused;
    this.pause(by);
    this.takeover = { by, startedAt: performance.now(), resumeAfter, handedBack: gate() };
    this.record('operator.takeover.started', by, {});
  }

  /**
   * The person hands the host back. The model is told, from its next turn on, that someone worked
   * there and what their terminal showed last (redacted and capped, like an observation); the run
   * goes on unless it was paused before the take-over.
   */
  handBack(by: Who, screen: string): void {
    const takeover = this.takeover;
    if (!takeover) return;
    this.takeover = null;
    takeover.handedBack.open();
    const redacted = this.redacted(screen);
    const tail = lastBytes(redacted, TAKEOVER_SCREEN_BYTES);
    const seconds = Math.round((performance.now() - takeover.startedAt) / 1000);
    this.write({
      ...this.event('operator.takeover.ended', by, {
        takenBy: takeover.by.actorId,
        seconds,
        screenBytes: Buffer.byteLength(tail),
      }),
      blobs: [tail],
    });
    this.history.push({ kind: 'takeover', by: takeover.by.actorId, seconds, screen: tail });
    if (takeover.resumeAfter && !this.ended) this.resume(by);
  }

  /** Who has the host's terminal, if anyone. */
  get takenOverBy(): string | null {
    return this.takeover?.by.actorId ?? null;
  }

  /** A note from the person, shown to the model from its next turn on. */
  note(text: string, by: Who): void {
    if (text.trim() === '' || text.length > MAX_NOTE_CHARS)
      throw new OperatorError(`a note is 1 to ${MAX_NOTE_CHARS} characters`);
    this.record('operator.note', by, { text });
    this.history.push({ kind: 'note', text });
  }

  stop(by: Who): void {
    this.stoppedBy ??= by;
    this.stopper.abort();
  }

  /** Ends the run as failed (what it needs is gone: its recording, say); a command running ends. */
  fail(reason: string): void {
    this.failure ??= reason;
    this.stopper.abort();
  }

  private external(): AbortSignal[] {
    return this.options.signal ? [this.options.signal] : [];
  }

  private async step(signal: AbortSignal): Promise<void> {
    this.checkLimits(signal);
    await this.whilePaused(signal);
    const reply = await this.ask(signal);
    this.steps += 1;
    const parsed = actionOf(reply.calls);
    if (!parsed.ok) return this.invalid(parsed.problem, reply);
    this.invalidInARow = 0;
    if (parsed.action.tool === 'finish') throw new Ended('finished', parsed.action.summary);
    await this.act(parsed.action, signal);
  }

  private checkLimits(signal: AbortSignal): void {
    signal.throwIfAborted();
    const { maxSteps, maxBudgetUsd } = this.options.limits;
    if (this.steps >= maxSteps)
      throw new Ended('step-limit', `the step limit (${maxSteps}) was reached`);
    const spent = this.options.spentUsd?.() ?? 0;
    if (maxBudgetUsd !== null && spent >= maxBudgetUsd)
      throw new Ended(
        'budget',
        `the budget ($${maxBudgetUsd}) was reached: $${spent.toFixed(4)} spent`,
      );
  }

  private async whilePaused(signal: AbortSignal): Promise<void> {
    while (this.paused) await untilAborted(this.paused.opened, signal);
  }

  /** One model call, recorded with what it took. */
  private async ask(signal: AbortSignal): Promise<ModelReply> {
    const { provider, goal, host, limits } = this.options;
    const started = performance.now();
    const base = { step: this.steps + 1, provider: provider.name, model: provider.model };
    const prompt = turnPrompt({
      goal,
      history: this.history,
      lastObservation: this.lastObservation,
      stepsLeft: limits.maxSteps - this.steps,
      secondsLeft: Math.max(0, Math.round((limits.maxTimeMs - this.elapsedMs()) / 1000)),
    });
    try {
      const reply = await provider.complete(
        {
          system: systemPrompt(host),
          prompt,
          tools: OPERATOR_TOOLS,
          maxOutputTokens: this.settings.maxOutputTokens,
        },
        signal,
      );
      // Written with what the reply leads to: one commit (a full sync) less per step.
      this.pending.push(
        this.event('operator.model.called', SYSTEM, {
          ...base,
          durationMs: since(started),
          stopReason: reply.stopReason,
          toolCalls: reply.calls.length,
          usage: reply.usage ? { ...reply.usage } : null,
        }),
      );
      return reply;
    } catch (error) {
      const failure = signal.aborted ? 'ended while the model was answering' : messageOf(error);
      this.record('operator.model.called', SYSTEM, {
        ...base,
        durationMs: since(started),
        failure,
      });
      throw error;
    }
  }

  private invalid(problem: string, reply: ModelReply): void {
    this.invalidInARow += 1;
    this.record('operator.reply.invalid', this.agent(), {
      step: this.steps,
      problem,
      text: reply.text.slice(0, 2000),
    });
    if (this.invalidInARow > this.settings.maxInvalidReplies)
      throw new Ended(
        'failed',
        `the model answered ${this.invalidInARow} times in a row without a valid tool call (last: ${problem})`,
      );
    this.lastObservation = `Error: ${problem}. Call exactly one tool: run_command {thought, command} or finish {summary}.`;
  }

  private async act(
    action: Extract<OperatorAction, { tool: 'run_command' }>,
    signal: AbortSignal,
  ): Promise<void> {
    const { thought, command } = action;
    const step = this.steps;
    const agent = this.agent();
    this.pending.push(
      this.event('operator.step.thought', agent, { step, thought }),
      this.event('operator.command.proposed', agent, { step, host: this.options.host, command }),
    );
    // The decision is on the record, with what led to it, before the command runs.
    const verdict = await this.verdict(this.options.decide(command), command, signal);
    this.record('operator.command.decided', verdict.by, {
      step,
      allow: verdict.allow,
      reason: verdict.reason,
      approvalId: verdict.approvalId,
    });
    // Allowed in the inbox while a person has the host: it waits until they hand it back.
    if (verdict.allow && this.takeover) await untilAborted(this.takeover.handedBack.opened, signal);
    const observation = verdict.allow
      ? await this.execute(step, command, signal)
      : `Not run: ${verdict.reason}`;
    const decision = `${verdict.allow ? 'allowed' : 'not run'} (${verdict.reason})`;
    this.history.push({ kind: 'step', step, thought, command, decision, observation });
    this.lastObservation = observation;
  }

  /** The policy's decision, or the person's answer where the policy asks. */
  private async verdict(
    decision: Decision,
    command: string,
    signal: AbortSignal,
  ): Promise<Verdict> {
    const policy: Who = { actor: 'policy', actorId: decision.rule ?? decision.source ?? 'policy' };
    if (decision.decision !== 'ask')
      return {
        allow: decision.decision === 'allow',
        reason: decision.reason,
        by: policy,
        approvalId: null,
      };
    const { sessionId, host } = this.options;
    const subject = `Ssh(${host}:${command})`;
    if (this.options.approvals.allowedBefore(sessionId, '', subject) === 'session')
      return {
        allow: true,
        reason: ALLOWED_FOR_RUN,
        by: policy,
        approvalId: null,
      };
    return this.inbox(decision, command, subject, signal);
  }

  private async inbox(
    decision: Decision,
    command: string,
    subject: string,
    signal: AbortSignal,
  ): Promise<Verdict> {
    this.write();
    let id: string | null = null;
    let decidedBy: Who = SYSTEM;
    const unsubscribe = this.options.approvals.onChange((request) => {
      if (request.id !== id || !request.decision) return;
      decidedBy =
        request.state === 'expired'
          ? { actor: 'system', actorId: 'approvals' }
          : { actor: 'person', actorId: request.decision.by };
    });
    try {
      const held = this.options.approvals.request({
        sessionId: this.options.sessionId,
        projectPath: '',
        agent: 'operator',
        kind: 'command',
        subject,
        tool: 'run_command',
        input: command,
        // No sandbox on the host: whatever the policy could not clear may do lasting harm there.
        risk: 'high',
        reason: decision.reason,
        context: (this.lastObservation ?? '').slice(-4000),
      });
      id = held.request.id;
      const answer = await untilAborted(held.answer, signal);
      return { allow: answer.allow, reason: answer.reason, by: decidedBy, approvalId: id };
    } finally {
      unsubscribe();
    }
  }

  /** Runs an allowed command; its redacted, capped output is the observation. */
  private async execute(step: number, command: string, signal: AbortSignal): Promise<string> {
    const { maxOutputBytes, commandTimeoutMs } = this.settings;
    const remaining = this.options.limits.maxTimeMs - this.elapsedMs();
    const result = await this.options.shell.run(command, {
      timeoutMs: Math.max(1, Math.min(commandTimeoutMs, remaining)),
      maxOutputBytes,
      signal,
    });
    const redacted = this.redacted(result.output);
    const output = capped(redacted, maxOutputBytes);
    const truncated = result.truncated || output.length < redacted.length;
    this.write({
      ...this.event(
        'operator.command.output',
        { actor: 'system', actorId: `ssh:${this.options.host}` },
        {
          step,
          exitCode: result.exitCode,
          signal: result.signal,
          truncated,
          durationMs: result.durationMs,
          outputBytes: Buffer.byteLength(output),
        },
      ),
      blobs: [output],
    });
    return observationOf(result, output, truncated, maxOutputBytes);
  }

  private redacted(output: string): string {
    return redact(output, { knownSecrets: this.secrets }).data.toString('utf8');
  }

  private endingOf(
    error: unknown,
    timeout: AbortSignal,
  ): { outcome: OperatorOutcome; reason: string; summary: string | null } {
    if (error instanceof Ended)
      return {
        outcome: error.outcome,
        reason: error.outcome === 'finished' ? 'the model finished' : error.message,
        summary: error.outcome === 'finished' ? error.message : null,
      };
    if (this.failure !== null) return { outcome: 'failed', reason: this.failure, summary: null };
    if (this.stopper.signal.aborted || this.options.signal?.aborted)
      return {
        outcome: 'stopped',
        reason: `stopped by ${(this.stoppedBy ?? SYSTEM).actorId}`,
        summary: null,
      };
    if (timeout.aborted)
      return {
        outcome: 'time-limit',
        reason: `the time limit (${Math.round(this.options.limits.maxTimeMs / 1000)} s) was reached`,
        summary: null,
      };
    return { outcome: 'failed', reason: messageOf(error), summary: null };
  }

  private end(ending: {
    outcome: OperatorOutcome;
    reason: string;
    summary: string | null;
  }): OperatorResult {
    this.ended = true;
    const result: OperatorResult = { ...ending, steps: this.steps };
    const by =
      ending.outcome === 'finished'
        ? this.agent()
        : ending.outcome === 'stopped'
          ? (this.stoppedBy ?? SYSTEM)
          : SYSTEM;
    this.record('operator.finished', by, { ...result, durationMs: Math.round(this.elapsedMs()) });
    return result;
  }

  private agent(): Who {
    return { actor: 'agent', actorId: `operator:${this.options.provider.model}` };
  }

  private elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  private event(kind: string, who: Who, payload: JsonObject): AppendInput {
    return { kind, ...who, sessionId: this.options.sessionId, payload };
  }

  private record(kind: string, who: Who, payload: JsonObject): void {
    this.write(this.event(kind, who, payload));
  }

  /** Appends `events` after whatever is pending, in one transaction. */
  private write(...events: AppendInput[]): void {
    const all = [...this.pending.splice(0), ...events];
    if (all.length) this.options.store.appendMany(all);
  }
}

function observationOf(
  result: RemoteResult,
  output: string,
  truncated: boolean,
  maxOutputBytes: number,
): string {
  const status =
    result.exitCode !== null
      ? `exit code ${result.exitCode}`
      : `ended by ${result.signal ?? 'the timeout'}`;
  const cut = truncated ? `\n[output cut at ${maxOutputBytes} bytes]` : '';
  return `${status} (${Math.round(result.durationMs)} ms)\n${output}${cut}`;
}

/** At most `max` bytes of `text`, cut on a character boundary. */
function capped(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  return bytes
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

/** A promise and what resolves it: something waits at the gate until it is opened. */
interface Gate {
  opened: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** At most the last `max` bytes of `text`, cut on a character boundary. */
function lastBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  return bytes
    .subarray(bytes.length - max)
    .toString('utf8')
    .replace(/^\uFFFD/, '');
}

/** `promise`, or a rejection once `signal` aborts (whichever comes first). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function since(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
