/**
 * Where a change stands against the policy's sign-off requirements: each stored statement checked
 * (is it genuine, does it count, and if not, why), then the requirements counted over the latest
 * counting statement of each signer.
 */
import type { GateBinding } from '../../../shared/gates';
import type {
  DsseEnvelope,
  SignoffStatement,
  SignoffStatus,
  StatementCheck,
} from '../../../shared/signoff';
import { openEnvelope, verifyEnvelope } from './dsse';
import { subjectName } from './statement';
import {
  policyTrust,
  selfTrust,
  type ParseKey,
  type Requirement,
  type SelfIdentity,
  type SessionAuthor,
  type SignoffPolicy,
  type Trust,
  type TrustedSigner,
} from './trust';

export interface CheckStatementsInput {
  envelopes: ReadonlyArray<{ envelope: unknown; seq: number | null }>;
  /** The change as it is now. */
  binding: GateBinding;
  sessionId: string;
  /** Merged from the person's and the repository's policy; null when neither has the section. */
  policy: SignoffPolicy | null;
  /** Their statements never count when a policy is present. */
  author: SessionAuthor;
  /** This machine's identity. */
  self: SelfIdentity | null;
  parseKey: ParseKey;
}

/** A statement as checked, with the person it counts for. */
interface Examined {
  check: StatementCheck;
  signer: TrustedSigner | undefined;
  /** signedAt in milliseconds, to find each signer's latest. */
  at: number;
}

export function checkStatements(input: CheckStatementsInput): SignoffStatus {
  const trust = input.policy
    ? policyTrust(input.policy, input.author, input.parseKey)
    : selfTrust(input.self);
  const examined = input.envelopes.map(({ envelope, seq }) => examine(envelope, seq, input, trust));
  const counting = latestPerSigner(examined);
  return summarize(trust.requirements, counting, examined);
}

function examine(
  raw: unknown,
  seq: number | null,
  input: CheckStatementsInput,
  trust: Trust,
): Examined {
  let opened: { envelope: DsseEnvelope; statement: SignoffStatement };
  try {
    opened = openEnvelope(raw);
  } catch (error) {
    return unreadable(error, seq);
  }
  const { envelope, statement } = opened;
  const { predicate } = statement;
  const key = readKey(predicate.signer.publicKey, input.parseKey);
  const fingerprint =
    'fingerprint' in key ? key.fingerprint : (envelope.signatures[0]?.keyid ?? '');
  const signer = 'fingerprint' in key ? trust.signerOf(key.fingerprint) : undefined;
  const forged = 'problem' in key ? key.problem : forgery(envelope, key.key, key.fingerprint);
  const why =
    forged ??
    trust.refusal(statement, fingerprint, signer) ??
    otherChange(statement, input.binding, input.sessionId);
  return {
    check: {
      signer: {
        name: signer?.name ?? predicate.signer.name,
        fingerprint,
        role: signer?.roles.join(', ') || null,
      },
      decision: predicate.decision,
      reason: predicate.reason,
      signedAt: predicate.signedAt,
      genuine: forged === null,
      counts: why === null,
      why: why ?? 'counts',
      seq,
    },
    signer,
    at: Date.parse(predicate.signedAt),
  };
}

/** Kept in the list, so a garbled or foreign statement in the audit trail is seen, not hidden. */
function unreadable(error: unknown, seq: number | null): Examined {
  const message = error instanceof Error ? error.message : String(error);
  return {
    check: {
      signer: { name: '(unreadable)', fingerprint: '', role: null },
      // Nothing can be read from it; it counts for nothing either way.
      decision: 'approve',
      reason: null,
      signedAt: '',
      genuine: false,
      counts: false,
      why: `unreadable: ${message}`,
      seq,
    },
    signer: undefined,
    at: Number.NaN,
  };
}

function readKey(line: string, parseKey: ParseKey): ReturnType<ParseKey> | { problem: string } {
  try {
    return parseKey(line);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problem: `forged: the statement names a key that cannot be read (${message})` };
  }
}

/** Why the signature is not the named key's, or null when it is. */
function forgery(
  envelope: DsseEnvelope,
  key: ReturnType<ParseKey>['key'],
  fingerprint: string,
): string | null {
  const keyid = envelope.signatures[0]?.keyid;
  if (keyid !== fingerprint)
    return `forged: the envelope is signed as ${keyid}, but the statement names ${fingerprint}`;
  if (!verifyEnvelope(envelope, key)) return 'forged: the signature does not verify';
  return null;
}

const LANDING_PARTS = [
  ['targetBranch', 'target branch'],
  ['targetCommit', 'target commit'],
  ['headCommit', "session's snapshot"],
  ['landingTree', 'landing tree'],
] as const;

/** Why the statement is about something other than this change as it is now, or null. */
function otherChange(
  statement: SignoffStatement,
  binding: GateBinding,
  sessionId: string,
): string | null {
  const subject = statement.subject[0];
  const signedFor = subject?.digest.sha256 ?? '';
  if (signedFor !== binding.diffHash)
    return `about another change (it was signed for diff ${short(signedFor)}; the change is now ${short(binding.diffHash)})`;
  if (subject?.name !== subjectName(sessionId) || statement.predicate.sessionId !== sessionId)
    return `about another session (it was signed for ${subject?.name ?? 'none'})`;
  for (const [part, words] of LANDING_PARTS) {
    const then = statement.predicate.change[part];
    const now = binding[part];
    if (then !== now)
      return `about another landing (the ${words} was ${shortPart(part, then)} when signed; it is now ${shortPart(part, now)})`;
  }
  return null;
}

function short(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}

function shortPart(part: (typeof LANDING_PARTS)[number][0], value: string): string {
  return part === 'targetBranch' ? value : short(value);
}

/**
 * A person may change their mind: only their latest statement about this change counts, and the
 * earlier ones are marked superseded. On a tie, a rejection wins (the safer reading), then the
 * one stored later.
 */
function latestPerSigner(examined: Examined[]): Array<Examined & { signer: TrustedSigner }> {
  const latest = new Map<TrustedSigner, Examined & { signer: TrustedSigner }>();
  for (const item of examined) {
    if (!item.check.counts || !item.signer) continue;
    const held = latest.get(item.signer);
    if (!held || isLater(item, held)) latest.set(item.signer, { ...item, signer: item.signer });
  }
  const kept = new Set([...latest.values()].map((item) => item.check));
  for (const item of examined) {
    if (!item.check.counts || kept.has(item.check)) continue;
    const winner = item.signer && latest.get(item.signer);
    item.check.counts = false;
    item.check.why = `superseded by a later statement of ${item.check.signer.name} (${winner?.check.signedAt ?? 'later'})`;
  }
  return [...latest.values()];
}

function isLater(item: Examined, than: Examined): boolean {
  if (item.at !== than.at) return item.at > than.at;
  if (item.check.decision !== than.check.decision) return item.check.decision === 'reject';
  return true; // the same time and decision: the one stored later
}

function summarize(
  requirements: Requirement[],
  counting: Array<Examined & { signer: TrustedSigner }>,
  examined: Examined[],
): SignoffStatus {
  const rejections = counting.filter((item) => item.check.decision === 'reject');
  const approvers = counting
    .filter((item) => item.check.decision === 'approve')
    .map((item) => item.signer);
  const missing = [
    ...rejections.map((item) => `rejected by ${item.signer.name}: ${item.check.reason ?? ''}`),
    ...requirements.flatMap((requirement) => shortfall(requirement, approvers)),
  ];
  return {
    requirements: requirements.map((requirement) => requirement.text),
    met: missing.length === 0,
    missing,
    statements: examined.map((item) => item.check),
    rejected: rejections.length > 0,
  };
}

/** What a requirement still lacks, in words: `2 of Ada, Grace, Linus (1 given: Ada)`. */
function shortfall(requirement: Requirement, approvers: TrustedSigner[]): string[] {
  const given = approvers.filter((signer) => requirement.accepts(signer)).map((s) => s.name);
  if (given.length >= requirement.count) return [];
  const so = given.length ? `${given.length} given: ${given.join(', ')}` : 'none given';
  return [`${requirement.text} (${so})`];
}

/**
 * The person's and the repository's signoff sections as one: either may trust a signer or revoke
 * a key, and every requirement of both must hold. Null when neither has the section.
 */
export function mergeSignoffPolicies(
  personal: SignoffPolicy | undefined,
  repository: SignoffPolicy | undefined,
): SignoffPolicy | null {
  if (!personal && !repository) return null;
  const both = [personal, repository].filter((p): p is SignoffPolicy => p !== undefined);
  const signers = both.flatMap((p) => p.signers);
  return {
    signers: signers.filter(
      (s, i) =>
        signers.findIndex((t) => t.name === s.name && t.key === s.key && t.role === s.role) === i,
    ),
    revoked: [...new Set(both.flatMap((p) => p.revoked))],
    require: both.flatMap((p) => p.require),
  };
}
