/**
 * The quality gates of a session's change, and what follows from them: rejection, sending the
 * failures back to the agent, and promotion. Signed sign-offs are the ReviewSignatures'
 * (signatures.ts), which work on the same landing through the desk.
 *
 * A gate run works on exactly what would land. The session's work tree is snapshotted (a commit
 * Paddock writes in the control dir); the target branch is read as it is now, and when it moved
 * since the session's base, the snapshot is merged onto it and the command gates run in a
 * checkout of that merge. Every result is bound to (target commit, head commit, landing tree,
 * diff hash); a later change to any of them makes the run stale, and promotion refuses until the
 * gates run again.
 */
import { randomBytes } from 'node:crypto';
import type {
  GateBinding,
  GateResult,
  GateRun,
  GateVerdict,
  Promotion,
  PromotionMode,
  ReviewState,
  SendBackResult,
} from '../../../shared/gates';
import type { SessionRecord } from '../../../shared/sessions';
import { LIVE_STATES } from '../../../shared/sessions';
import type { SignoffStatus } from '../../../shared/signoff';
import type { Policy } from '../policy';
import { landChange, planLanding, resolveTarget } from '../promotion';
import type { KnownSecret } from '../recorder';
import { mergeSignoffPolicies, type SignoffPolicy } from '../signoff';
import type { AuditStore } from '../store';
import {
  checkOutLanding,
  removeLanding,
  snapshotWorkspace,
  treeDiff,
  type GitPerson,
  type Workspace,
} from '../workspaces';
import {
  checkDiffLimits,
  checkProtectedPaths,
  checkSecrets,
  protectedChanges,
  type CheckResult,
} from './checks';
import { gateDefinitions, type CommandGate } from './definitions';
import { staleness, type By, type Current, type ReviewChange } from './desk';
import { GateError } from './errors';
import { asJson, REVIEW_EVENTS, ReviewLog } from './review-log';
import { sendBackMessage } from './send-back';
import { ReviewSignatures } from './signatures';
import type { Signer } from './statements';

export type { By, ReviewChange } from './desk';

/** What the gates need of the sessions (the SessionManager). */
export interface GateSessions {
  get(id: string): SessionRecord;
  workspace(id: string): Workspace;
  execIn(
    id: string,
    argv: readonly string[],
    io: { stdout(chunk: Buffer): void; stderr(chunk: Buffer): void },
    by: By,
    options: { workTree?: string; network?: boolean; timeoutMs?: number },
  ): Promise<{ exitCode: number; timedOut: boolean; event: { seq: number } }>;
  queue(id: string, text: string, by: By): unknown;
  restart(id: string, by: By): Promise<unknown>;
  markPromoted(
    id: string,
    by: By,
    promotion: Promotion,
    removeWorkspace: boolean,
  ): Promise<unknown>;
}

export interface GateServiceOptions {
  store: AuditStore;
  sessions: GateSessions;
  projectPath: (projectId: string) => string;
  /**
   * The policies whose gates apply at a commit of the project: the person's, and the repository's
   * if the person trusts that version. `untrusted` says why a repository policy was left out.
   */
  policies: (
    projectPath: string,
    commit: string,
  ) => Promise<{ policies: Array<Policy | null>; untrusted: string | null }>;
  /** Author and committer of Paddock's snapshot and landing commits. */
  person: () => GitPerson;
  knownSecrets: () => Promise<KnownSecret[]>;
  /** The person's signing identity (#13). */
  identity: Signer;
}

type ChangeListener = (sessionId: string, what: ReviewChange, run: GateRun | null) => void;

const OUTPUT_TAIL = 16 * 1024;
/** The built-in gates' names, as results and messages show them. */
const BUILT_IN = {
  secrets: 'secrets',
  protectedPaths: 'protected paths',
  diffLimits: 'diff limits',
};
const DISCARD_OUTPUT = { stdout: () => undefined, stderr: () => undefined };

export class GateService {
  private readonly log: ReviewLog;
  /** One review action at a time per session: they share the snapshot index and the landing dir. */
  private readonly busy = new Map<string, Promise<unknown>>();
  private readonly listeners = new Set<ChangeListener>();
  /** Signed statements and review bundles (`paddock review sign|export|import`, `signoff verify`). */
  readonly signatures: ReviewSignatures;

  constructor(private readonly options: GateServiceOptions) {
    this.log = new ReviewLog(options.store);
    this.signatures = new ReviewSignatures({
      store: options.store,
      log: this.log,
      identity: options.identity,
      person: options.person,
      current: (id, target) => this.current(id, target),
      exclusive: (id, work) => this.exclusive(id, work),
      record: (id, kind, by, payload) => this.event(id, kind, by, payload),
      changed: (id, what) => this.changed(id, what),
      isLocal: (id) => this.isLocal(id),
    });
  }

  isLocal(id: string): boolean {
    try {
      this.options.sessions.get(id);
      return true;
    } catch {
      return false;
    }
  }
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  run(id: string, by: By, target?: string): Promise<GateRun> {
    return this.exclusive(id, () => this.runNow(id, by, target));
  }

  status(id: string, target?: string): Promise<ReviewState> {
    return this.exclusive(id, () => this.statusNow(id, target));
  }

  promote(
    id: string,
    request: { mode: PromotionMode; message?: string; removeWorkspace: boolean },
    by: By,
  ): Promise<Promotion> {
    return this.exclusive(id, async () => {
      const state = await this.statusNow(id);
      if (state.blockers.length > 0 || !state.current)
        throw new GateError(`${id} cannot be promoted: ${state.blockers.join('; ')}.`);
      const current = await this.current(id);
      const landed = await landChange({
        workspace: current.workspace,
        projectPath: current.projectPath,
        binding: state.current,
        mode: request.mode,
        message: landingMessage(current.session, request.message, state.current),
        person: this.options.person(),
      });
      const promotion: Promotion = {
        sessionId: id,
        targetBranch: state.current.targetBranch,
        mode: request.mode,
        before: landed.before,
        after: landed.after,
        binding: state.current,
        checkoutUpdated: landed.checkoutUpdated,
        workspaceRemoved: request.removeWorkspace,
        at: new Date().toISOString(),
      };
      await removeLanding(current.workspace);
      await this.signatures.noteOnLanded(id, state.signoff, current.projectPath, landed.after);
      await this.options.sessions.markPromoted(id, by, promotion, request.removeWorkspace);
      this.changed(id, 'promoted');
      return promotion;
    });
  }

  /** Records the rejection; with `sendBack`, the reason (and the failures) go to the agent. */
  async reject(
    id: string,
    reason: string,
    sendBack: boolean,
    by: By,
  ): Promise<{ rejected: true; sentBack: SendBackResult | null }> {
    this.options.sessions.get(id);
    const facts = this.log.facts(id);
    this.event(id, REVIEW_EVENTS.rejected, by, {
      reason,
      sendBack,
      binding: facts.lastRun ? asJson(facts.lastRun.binding) : null,
    });
    this.changed(id, 'rejected');
    return { rejected: true, sentBack: sendBack ? await this.sendBack(id, reason, by) : null };
  }

  /** The last run's failures (and a note) as a message in the agent's session. */
  async sendBack(id: string, note: string | undefined, by: By): Promise<SendBackResult> {
    const session = this.options.sessions.get(id);
    const message = sendBackMessage(this.log.facts(id).lastRun, note);
    if (!message)
      throw new GateError(
        `There is nothing to send back to ${id}: no gate failed. Write what the agent should change.`,
      );
    let delivered: SendBackResult['delivered'] = 'queued';
    if (!LIVE_STATES.includes(session.state)) {
      await this.options.sessions.restart(id, by);
      delivered = 'restarted';
    }
    this.options.sessions.queue(id, message, by);
    this.event(id, REVIEW_EVENTS.sentBack, by, { delivered, message });
    return { delivered, message };
  }

  private async runNow(id: string, by: By, targetBranch?: string): Promise<GateRun> {
    // A session's target stays the one it was gated for, unless the person names another.
    const target = targetBranch ?? this.log.facts(id).lastRun?.binding.targetBranch;
    const current = await this.current(id, target, true);
    const { binding } = current.landing;
    const runId = `run_${randomBytes(6).toString('hex')}`;
    const startedAt = new Date().toISOString();
    this.event(id, REVIEW_EVENTS.runStarted, by, {
      runId,
      binding: asJson(binding),
      merged: current.landing.merged,
      commands: current.gates.commands.map((gate) => gate.name),
    });
    const results: GateResult[] = [];
    try {
      const workTree = current.landing.merged
        ? await checkOutLanding(current.workspace, current.landing.commit)
        : undefined;
      for (const gate of current.gates.commands)
        results.push(await this.runCommand(id, gate, workTree, by));
    } finally {
      await removeLanding(current.workspace);
    }
    // After the commands: what their output masked counts for the secrets gate too.
    results.push(...this.builtInChecks(id, current));
    if (current.untrusted) results.push(untrustedPolicyResult(current.untrusted));
    const run: Omit<GateRun, 'seq'> = {
      id: runId,
      sessionId: id,
      startedAt,
      finishedAt: new Date().toISOString(),
      binding,
      merged: current.landing.merged,
      results,
      verdict: verdictOf(results),
    };
    const event = this.event(id, REVIEW_EVENTS.runFinished, by, asJson(run));
    const finished = { ...run, seq: event.seq };
    this.changed(id, 'run', finished);
    return finished;
  }

  private async runCommand(
    id: string,
    gate: CommandGate,
    workTree: string | undefined,
    by: By,
  ): Promise<GateResult> {
    const started = Date.now();
    const base = { name: gate.name, kind: gate.kind, action: gate.action, command: gate.argv };
    try {
      const { exitCode, timedOut, event } = await this.options.sessions.execIn(
        id,
        gate.argv,
        DISCARD_OUTPUT,
        by,
        { workTree, network: gate.hosts.length > 0, timeoutMs: gate.timeoutMs },
      );
      const evidence = this.options.store.get(event.seq);
      return {
        ...base,
        status: timedOut ? 'error' : exitCode === 0 ? 'passed' : 'failed',
        summary: timedOut
          ? `stopped after ${gate.timeoutMs / 1000} s (its time limit)`
          : exitCode === 0
            ? 'passed'
            : `failed with exit code ${exitCode}`,
        findings: [],
        exitCode: timedOut ? null : exitCode,
        durationMs: Date.now() - started,
        // The recorded (redacted) output, never the raw bytes the command printed.
        outputTail: recordedTail(this.options.store, evidence?.blobs[0]),
        evidenceSeq: event.seq,
      };
    } catch (error) {
      return {
        ...base,
        status: 'error',
        summary: `could not run: ${error instanceof Error ? error.message : String(error)}`,
        findings: [],
        exitCode: null,
        durationMs: Date.now() - started,
      };
    }
  }

  private builtInChecks(id: string, current: Current): GateResult[] {
    const { gates, diff, knownSecrets } = current;
    const timed = (
      name: string,
      kind: GateResult['kind'],
      action: GateResult['action'],
      check: () => CheckResult,
    ): GateResult => {
      const started = Date.now();
      return { name, kind, action, ...check(), durationMs: Date.now() - started };
    };
    const redactions = this.log.facts(id).redactions;
    const results = [
      timed(BUILT_IN.secrets, 'secrets', gates.secrets.action, () =>
        checkSecrets(diff, redactions, { knownSecrets, allow: gates.secrets.allow }),
      ),
      timed(BUILT_IN.protectedPaths, 'protected-paths', gates.protectedPaths.action, () =>
        checkProtectedPaths(protectedChanges(diff, gates.protectedPaths.globs)),
      ),
    ];
    const limits = gates.diffLimits;
    if (limits)
      results.push(
        timed(BUILT_IN.diffLimits, 'diff-limits', limits.action, () =>
          checkDiffLimits(diff, limits),
        ),
      );
    return results;
  }

  private async statusNow(id: string, targetBranch?: string): Promise<ReviewState> {
    const facts = this.log.facts(id);
    const session = this.options.sessions.get(id);
    const base: ReviewState = {
      sessionId: id,
      current: null,
      problem: null,
      merged: false,
      diff: null,
      protectedChanges: [],
      lastRun: facts.lastRun,
      staleReasons: [],
      signoff: NO_SIGNOFF,
      blockers: [],
      promoted: facts.promoted,
      rejected: facts.rejected,
    };
    if (facts.promoted) return { ...base, blockers: ['it was promoted already'] };
    if (session.state === 'discarded') return { ...base, blockers: ['it was discarded'] };
    let current: Current;
    try {
      current = await this.current(id, targetBranch ?? facts.lastRun?.binding.targetBranch);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      return { ...base, problem, blockers: [problem] };
    }
    const binding = current.landing.binding;
    const staleReasons = facts.lastRun ? staleness(facts.lastRun.binding, binding) : [];
    const signoff = this.signatures.statusFor(id, current);
    return {
      ...base,
      current: binding,
      merged: current.landing.merged,
      diff: current.diff,
      protectedChanges: protectedChanges(current.diff, current.gates.protectedPaths.globs),
      staleReasons,
      signoff,
      blockers: blockers(
        session,
        facts.lastRun,
        staleReasons,
        signoff,
        current.signoffPolicy,
        facts.rejected,
      ),
    };
  }

  /** The landing as it is now: snapshot (recorded when `record`), target, merge, diff, gates. */
  private async current(id: string, targetBranch?: string, record = false): Promise<Current> {
    const session = this.options.sessions.get(id);
    const workspace = this.options.sessions.workspace(id);
    const projectPath = this.options.projectPath(session.projectId);
    const person = this.options.person();
    const previous = this.log.facts(id).snapshot ?? undefined;
    const [snapshot, target, knownSecrets] = await Promise.all([
      snapshotWorkspace(workspace, {
        message: `Paddock snapshot of ${id}\n\n${firstLine(session.task) ?? 'The session’s work.'}\n`,
        author: person,
        previous,
      }),
      resolveTarget(projectPath, targetBranch),
      this.options.knownSecrets(),
    ]);
    if (record && snapshot.created)
      this.event(id, REVIEW_EVENTS.snapshot, SYSTEM, {
        commit: snapshot.commit,
        tree: snapshot.tree,
        base: workspace.baseCommit,
      });
    // The landing, the diff and the policy in parallel: when the target has not moved, the tree
    // that lands is the snapshot's, known already.
    const landing = planLanding(workspace, snapshot, target, person);
    const moved = target.commit !== workspace.baseCommit;
    const [planned, { policies, untrusted }, diff] = await Promise.all([
      landing,
      this.options.policies(projectPath, target.commit),
      moved
        ? landing.then((done) => treeDiff(workspace, target.commit, done.binding.landingTree))
        : treeDiff(workspace, target.commit, snapshot.tree),
    ]);
    const gates = gateDefinitions(policies);
    const [personal, repository] = policies;
    return {
      session,
      workspace,
      projectPath,
      landing: planned,
      diff,
      gates,
      knownSecrets,
      untrusted,
      signoffPolicy: mergeSignoffPolicies(personal?.signoff, repository?.signoff),
    };
  }

  private changed(id: string, what: ReviewChange, run: GateRun | null = null): void {
    for (const listener of this.listeners) listener(id, what, run);
  }

  private event(id: string, kind: string, by: By, payload: object) {
    return this.options.store.append({ kind, ...by, sessionId: id, payload: asJson(payload) });
  }

  private async exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    const before = this.busy.get(id) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(work);
    this.busy.set(id, mine);
    try {
      return await mine;
    } finally {
      if (this.busy.get(id) === mine) this.busy.delete(id);
    }
  }
}

const SYSTEM: By = { actor: 'system', actorId: 'gates' };
/** The sign-off state before anything can be said of the change (none computed yet). */
const NO_SIGNOFF: SignoffStatus = {
  requirements: [],
  met: false,
  missing: [],
  statements: [],
  rejected: false,
};

/** A repository policy the person has not trusted: its gates cannot run, which fails closed. */
function untrustedPolicyResult(why: string): GateResult {
  return {
    name: 'repository policy',
    kind: 'policy',
    action: 'block',
    status: 'error',
    summary: why,
    findings: [],
    durationMs: 0,
  };
}

function verdictOf(results: readonly GateResult[]): GateVerdict {
  const failed = results.filter((result) => result.status !== 'passed');
  if (failed.some((result) => result.action === 'block')) return 'fail';
  if (failed.some((result) => result.action === 'require-signoff')) return 'needs-signoff';
  return 'pass';
}

function blockers(
  session: SessionRecord,
  lastRun: GateRun | null,
  staleReasons: readonly string[],
  signoff: SignoffStatus,
  policy: SignoffPolicy | null,
  rejected: { seq: number } | null,
): string[] {
  const found: string[] = [];
  if (LIVE_STATES.includes(session.state))
    found.push(
      `the agent is ${session.state}: stop the session first, so that what lands is its finished work`,
    );
  if (!lastRun) return [...found, 'the gates have not run: run them first'];
  if (staleReasons.length > 0)
    found.push(`the gate results are stale (${staleReasons.join('; ')}): run the gates again`);
  if (rejected && rejected.seq > lastRun.seq)
    found.push('the change was rejected after the gates ran: run the gates again on a new change');
  for (const result of lastRun.results) {
    if (result.status === 'passed' || result.action === 'warn') continue;
    if (result.action === 'block') found.push(`the ${result.name} gate ${result.status}`);
    else if (!signoff.met) found.push(`the ${result.name} gate needs a sign-off`);
  }
  // A policy that asks for sign-offs asks for them on every change, whatever the gates say.
  if (signoff.rejected) found.push(`it was rejected in a sign-off (${signoff.missing.join('; ')})`);
  else if (policy && policy.require.length > 0 && !signoff.met)
    found.push(`the sign-offs are not complete: ${signoff.missing.join('; ')}`);
  return found;
}

function landingMessage(
  session: SessionRecord,
  message: string | undefined,
  binding: GateBinding,
): string {
  const subject = message ?? firstLine(session.task) ?? `Work of Paddock session ${session.id}`;
  return `${subject}\n\nPaddock-Session: ${session.id}\nPaddock-Diff-SHA256: ${binding.diffHash}\n`;
}

function firstLine(text: string | null | undefined): string | undefined {
  const line = text
    ?.split('\n')
    .find((row) => row.trim())
    ?.trim();
  return line ? line.slice(0, 200) : undefined;
}

/** The end of a command's recorded output, as text. */
function recordedTail(store: AuditStore, blob: string | undefined): string | undefined {
  if (!blob) return undefined;
  const content = store.getBlob(blob);
  if (!content) return undefined;
  return content.subarray(Math.max(0, content.length - OUTPUT_TAIL)).toString('utf8');
}
