/**
 * The statement a person signs about one change. Its subject is the landing diff's hash, so it is
 * void for any other change; the predicate names the rest of what they saw (the commits, the gate
 * run, the patch text) so a later reader knows exactly what was approved.
 */
import { createHash } from 'node:crypto';
import type { GateBinding, GateRun } from '../../../shared/gates';
import {
  SIGNOFF_PREDICATE_TYPE,
  STATEMENT_TYPE,
  type SignoffDecision,
  type SignoffPredicate,
  type SignoffStatement,
} from '../../../shared/signoff';
import { canonicalJson } from '../store/canonical-json';

export interface ChangeStatementInput {
  sessionId: string;
  binding: GateBinding;
  baseCommit: string;
  gates: SignoffPredicate['gates'];
  patchSha256: string;
  decision: SignoffDecision;
  reason: string | null;
  signer: { name: string; publicKey: string };
  signedAt: string;
}

/** The subject name that ties a statement to its session. */
export function subjectName(sessionId: string): string {
  return `paddock:${sessionId}`;
}

export function changeStatement(input: ChangeStatementInput): SignoffStatement {
  const { binding } = input;
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: subjectName(input.sessionId), digest: { sha256: binding.diffHash } }],
    predicateType: SIGNOFF_PREDICATE_TYPE,
    predicate: {
      sessionId: input.sessionId,
      change: {
        baseCommit: input.baseCommit,
        headCommit: binding.headCommit,
        targetBranch: binding.targetBranch,
        targetCommit: binding.targetCommit,
        landingTree: binding.landingTree,
      },
      gates: input.gates,
      patchSha256: input.patchSha256,
      decision: input.decision,
      reason: input.reason,
      signer: { name: input.signer.name, publicKey: input.signer.publicKey },
      signedAt: input.signedAt,
    },
  };
}

/**
 * What the signer saw of a gate run: which gates, how each ended, on which landing. Summaries,
 * findings and output are left out: they are evidence kept elsewhere, and redaction may rewrite them.
 */
export function gatesDigest(run: GateRun): string {
  const results = run.results.map(({ name, kind, action, status }) => ({
    name,
    kind,
    action,
    status,
  }));
  return sha256Hex(canonicalJson({ runId: run.id, binding: run.binding, results }));
}

/** SHA-256 of the patch text the signer was shown (UTF-8). */
export function patchDigest(patch: string): string {
  return sha256Hex(patch);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
