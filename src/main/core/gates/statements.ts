/**
 * Making a signed statement about a change with the person's identity, and what the audit event
 * that records one holds.
 */
import type { JsonObject } from '../../../shared/audit';
import type { GateBinding, GateRun } from '../../../shared/gates';
import type { DsseEnvelope, IdentityInfo, SignoffDecision } from '../../../shared/signoff';
import { changeStatement, gatesDigest, openEnvelope, patchDigest, signEnvelope } from '../signoff';
import { asJson } from './review-log';

/** What signing needs of the identity service. */
export interface Signer {
  current(): IdentityInfo | null;
  sign(data: Buffer): Promise<{ keyid: string; signature: Buffer; identity: IdentityInfo }>;
}

export async function signChange(
  signer: Signer,
  change: {
    sessionId: string;
    binding: GateBinding;
    baseCommit: string;
    run: GateRun | null;
    patch: string;
    decision: SignoffDecision;
    reason: string | null;
  },
): Promise<DsseEnvelope> {
  const identity = signer.current();
  if (!identity)
    throw new Error(
      'You have no signing identity: make one with `paddock identity create NAME` (or import your backup with `paddock identity import FILE`).',
    );
  const runMatches = change.run && change.run.binding.diffHash === change.binding.diffHash;
  const statement = changeStatement({
    sessionId: change.sessionId,
    binding: change.binding,
    baseCommit: change.baseCommit,
    gates:
      change.run && runMatches
        ? { runId: change.run.id, verdict: change.run.verdict, digest: gatesDigest(change.run) }
        : null,
    patchSha256: patchDigest(change.patch),
    decision: change.decision,
    reason: change.reason,
    signer: { name: identity.name, publicKey: identity.publicKey },
    signedAt: new Date().toISOString(),
  });
  return signEnvelope(statement, {
    keyid: identity.fingerprint,
    sign: async (data) => (await signer.sign(data)).signature,
  });
}

/** The `review.statement` event's payload: the envelope, and what it says, for reading. */
export function statementPayload(envelope: DsseEnvelope): JsonObject {
  const { statement } = openEnvelope(envelope);
  return asJson({
    envelope,
    decision: statement.predicate.decision,
    signer: statement.predicate.signer.name,
    keyid: envelope.signatures[0]?.keyid ?? null,
    diffHash: statement.subject[0]?.digest.sha256 ?? null,
  });
}

/**
 * An envelope as one line of a git note, in DSSE's own field order: the same statement is the
 * same line wherever it was read back from (the audit store keeps JSON in canonical order).
 */
export function envelopeLine(envelope: DsseEnvelope): string {
  return JSON.stringify({
    payloadType: envelope.payloadType,
    payload: envelope.payload,
    signatures: envelope.signatures.map(({ keyid, sig }) => ({ keyid, sig })),
  });
}
