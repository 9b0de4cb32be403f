/**
 * The signed half of a review: statements made with the person's identity about the change as
 * it is now, review bundles for reviewers on other machines and the statements they send back,
 * and checking them all (`paddock signoff verify`). The GateService owns the landing; this reads
 * it through the ReviewDesk.
 */
import type { ReviewImport, SignedReview } from '../../../shared/contract';
import type {
  DsseEnvelope,
  SignoffDecision,
  SignoffStatus,
  StatementCheck,
} from '../../../shared/signoff';
import { parseOpenSshEd25519 } from '../identity';
import { noteStatements } from '../promotion';
import { checkStatements, openEnvelope, patchDigest } from '../signoff';
import { staleness, type By, type Current, type ReviewDesk } from './desk';
import { GateError } from './errors';
import { BUNDLE_FORMAT, parseBundle, type ReviewBundle } from './review-bundle';
import { asJson, REVIEW_EVENTS } from './review-log';
import { envelopeLine, signChange, statementPayload } from './statements';

export class ReviewSignatures {
  constructor(private readonly desk: ReviewDesk) {}

  /**
   * Signs the change as it is now with the person's identity: approve (what the gates checked:
   * they must be current) or reject with a reason. The statement is recorded, and noted in git on
   * the snapshot commit it is about.
   */
  sign(
    id: string,
    decision: SignoffDecision,
    reason: string | undefined,
    by: By,
  ): Promise<SignedReview> {
    return this.desk.exclusive(id, async () => {
      if (!this.desk.isLocal(id)) return this.signImported(id, decision, reason, by);
      const current = await this.desk.current(id);
      const facts = this.desk.log.facts(id);
      const stale = facts.lastRun ? staleness(facts.lastRun.binding, current.landing.binding) : [];
      if (decision === 'approve' && (!facts.lastRun || stale.length > 0))
        throw new GateError(
          `Run the gates on ${id} first: an approval is for what they checked (${stale.join('; ') || 'they have not run'}).`,
        );
      const envelope = await signChange(this.desk.identity, {
        sessionId: id,
        binding: current.landing.binding,
        baseCommit: current.workspace.baseCommit,
        run: facts.lastRun,
        patch: current.diff.patch,
        decision,
        reason: reason ?? null,
      });
      const check = await this.take(id, envelope, current, by);
      return { sessionId: id, text: `${JSON.stringify(envelope, null, 2)}\n`, check };
    });
  }

  /**
   * Records a statement about a session of this machine, notes it in git on the snapshot commit
   * it names, and says how it counts now.
   */
  private async take(
    id: string,
    envelope: DsseEnvelope,
    current: Current,
    by: By,
  ): Promise<StatementCheck> {
    const event = this.desk.record(id, REVIEW_EVENTS.statement, by, statementPayload(envelope));
    const { change } = openEnvelope(envelope).statement.predicate;
    await noteStatements({
      projectPath: current.projectPath,
      commit: change.headCommit,
      lines: [envelopeLine(envelope)],
      person: this.desk.person(),
      from: { workspace: current.workspace, target: change.targetCommit },
    }).catch(() => undefined); // a snapshot this machine no longer holds: the record stays
    this.desk.changed(id, 'signoff');
    const [check] = this.statusFor(id, current, [{ envelope, seq: event.seq }]).statements;
    if (!check) throw new GateError(`The statement for ${id} could not be read back.`);
    return check;
  }

  /** A review bundle of the change as it is now, for a reviewer on another machine. */
  exportBundle(id: string, by: By): Promise<{ bundle: string; sessionId: string }> {
    return this.desk.exclusive(id, async () => {
      const current = await this.desk.current(id);
      const facts = this.desk.log.facts(id);
      const binding = current.landing.binding;
      const bundle: ReviewBundle = {
        format: BUNDLE_FORMAT,
        exportedAt: new Date().toISOString(),
        session: {
          id,
          task: current.session.task,
          agent: current.session.agentPreset,
          author: current.session.author,
          authorKey: facts.authorKey,
        },
        baseCommit: current.workspace.baseCommit,
        binding,
        merged: current.landing.merged,
        diff: current.diff,
        patchSha256: patchDigest(current.diff.patch),
        gates: facts.lastRun?.binding.diffHash === binding.diffHash ? facts.lastRun : null,
        statements: facts.statements.map((entry) => entry.envelope as DsseEnvelope),
      };
      this.desk.record(id, REVIEW_EVENTS.bundleExported, by, { diffHash: binding.diffHash });
      return { bundle: `${JSON.stringify(bundle, null, 2)}\n`, sessionId: id };
    });
  }

  /**
   * Takes in a review bundle (from another machine, to sign) or a signed statement coming back
   * for one of this machine's sessions (recorded, and noted in git on the commit it is about).
   */
  async importText(text: string, by: By): Promise<ReviewImport> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new GateError(
        'This is neither a review bundle nor a signed statement: it is not JSON.',
      );
    }
    if (value && typeof value === 'object' && 'payloadType' in value)
      return this.importStatement(value, by);
    const bundle = parseBundle(value);
    if (patchDigest(bundle.diff.patch) !== bundle.patchSha256)
      throw new GateError(
        'This review bundle is damaged: its patch does not match its own SHA-256.',
      );
    if (this.desk.isLocal(bundle.session.id))
      throw new GateError(
        `${bundle.session.id} is a session of this machine: review it here (\`paddock gates show ${bundle.session.id}\`).`,
      );
    this.desk.store.append({
      kind: REVIEW_EVENTS.bundleImported,
      ...by,
      sessionId: bundle.session.id,
      payload: asJson({ diffHash: bundle.binding.diffHash, task: bundle.session.task }),
      blobs: [Buffer.from(JSON.stringify(bundle))],
    });
    return {
      kind: 'bundle',
      sessionId: bundle.session.id,
      task: bundle.session.task,
      targetBranch: bundle.binding.targetBranch,
      diffHash: bundle.binding.diffHash,
    };
  }

  /** Every statement for the session, checked now (`paddock signoff verify`). */
  verify(id: string): Promise<SignoffStatus> {
    return this.desk.exclusive(id, async () => {
      if (!this.desk.isLocal(id)) {
        const bundle = this.importedBundle(id);
        return this.bundleSignoff(id, bundle, this.desk.log.facts(id).statements);
      }
      const current = await this.desk.current(
        id,
        this.desk.log.facts(id).lastRun?.binding.targetBranch,
      );
      return this.statusFor(id, current);
    });
  }

  private importStatement(value: unknown, by: By): Promise<ReviewImport> {
    const { statement } = openEnvelope(value);
    const id = /^paddock:(ses_[0-9a-f]{8})$/.exec(statement.subject[0]?.name ?? '')?.[1];
    if (!id || !this.desk.isLocal(id))
      throw new GateError(
        `This statement is about ${statement.subject[0]?.name ?? 'nothing Paddock knows'}, which is not a session of this machine.`,
      );
    return this.desk.exclusive(id, async () => {
      const envelope = value as DsseEnvelope;
      const current = await this.desk.current(id, statement.predicate.change.targetBranch);
      const check = await this.take(id, envelope, current, by);
      return { kind: 'statement' as const, sessionId: id, check };
    });
  }

  /** Signs an imported bundle's change: the reviewer's side, with no project here. */
  private async signImported(
    id: string,
    decision: SignoffDecision,
    reason: string | undefined,
    by: By,
  ): Promise<SignedReview> {
    const bundle = this.importedBundle(id);
    const self = this.desk.identity.current();
    if (self && bundle.session.authorKey === self.fingerprint)
      throw new GateError(
        `You made ${id} (your key is its author's): someone else must sign it off.`,
      );
    const envelope = await signChange(this.desk.identity, {
      sessionId: id,
      binding: bundle.binding,
      baseCommit: bundle.baseCommit,
      run: bundle.gates,
      patch: bundle.diff.patch,
      decision,
      reason: reason ?? null,
    });
    const event = this.desk.record(id, REVIEW_EVENTS.statement, by, statementPayload(envelope));
    const [check] = this.bundleSignoff(id, bundle, [{ envelope, seq: event.seq }]).statements;
    if (!check) throw new GateError(`The statement for ${id} could not be read back.`);
    return { sessionId: id, text: `${JSON.stringify(envelope, null, 2)}\n`, check };
  }

  private bundleSignoff(
    id: string,
    bundle: ReviewBundle,
    envelopes: Array<{ envelope: unknown; seq: number | null }>,
  ): SignoffStatus {
    return checkStatements({
      envelopes,
      binding: bundle.binding,
      sessionId: id,
      policy: null,
      author: { fingerprint: bundle.session.authorKey, name: bundle.session.author },
      self: this.desk.identity.current(),
      parseKey: parseOpenSshEd25519,
    });
  }

  private importedBundle(id: string): ReviewBundle {
    const found = this.desk.log.facts(id).bundle;
    const content = found ? this.desk.store.getBlob(found.blob) : null;
    if (!content)
      throw new GateError(
        `${id} is neither a session of this machine nor a review imported here (\`paddock review import FILE\`).`,
      );
    return parseBundle(JSON.parse(content.toString('utf8')));
  }

  /** The statements that counted go with the landed commit, so a clone can check them. */
  async noteOnLanded(
    id: string,
    signoff: SignoffStatus,
    projectPath: string,
    commit: string,
  ): Promise<void> {
    const counted = new Set(signoff.statements.filter((c) => c.counts).map((c) => c.seq));
    const lines = this.desk.log
      .facts(id)
      .statements.filter((entry) => counted.has(entry.seq))
      .map((entry) => envelopeLine(entry.envelope as DsseEnvelope));
    if (lines.length > 0)
      await noteStatements({ projectPath, commit, lines, person: this.desk.person() });
  }

  /** Statements (by default all the session's), checked against the change as it is now. */
  statusFor(
    id: string,
    current: Current,
    envelopes: Array<{ envelope: unknown; seq: number | null }> = this.desk.log.facts(id)
      .statements,
  ): SignoffStatus {
    const facts = this.desk.log.facts(id);
    return checkStatements({
      envelopes,
      binding: current.landing.binding,
      sessionId: id,
      policy: current.signoffPolicy,
      author: { fingerprint: facts.authorKey, name: current.session.author },
      self: this.desk.identity.current(),
      parseKey: parseOpenSshEd25519,
    });
  }
}
