/**
 * Team sign-off: Ed25519 identities and the signed statements they make about one change. A
 * statement is an in-toto Statement v1 in a DSSE envelope; its subject is the change's diff hash
 * (GateBinding.diffHash), so it is void for any other change. Anyone can check one offline
 * against the policy's trusted keys.
 */

/** A person's signing identity: the private key stays in the OS keychain. */
export interface IdentityInfo {
  name: string;
  /** OpenSSH form, as in git's allowed-signers files: `ssh-ed25519 AAAA… name`. */
  publicKey: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  createdAt: string;
}

/** A DSSE envelope (https://github.com/secure-systems-lab/dsse), signed with Ed25519. */
export interface DsseEnvelope {
  payloadType: string;
  /** Base64 of the statement's JSON. */
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

export const STATEMENT_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SIGNOFF_PREDICATE_TYPE = 'https://paddock.dev/signoff/v1';

export type SignoffDecision = 'approve' | 'reject';

/** What a statement's predicate says about the change. */
export interface SignoffPredicate {
  sessionId: string;
  change: {
    baseCommit: string;
    headCommit: string;
    targetBranch: string;
    targetCommit: string;
    landingTree: string;
  };
  /** The gate run the signer saw: its id, verdict, and a SHA-256 of its results. */
  gates: { runId: string; verdict: string; digest: string } | null;
  /** SHA-256 of the patch text the signer was shown. */
  patchSha256: string;
  decision: SignoffDecision;
  reason: string | null;
  signer: { name: string; publicKey: string };
  signedAt: string;
}

export interface SignoffStatement {
  _type: typeof STATEMENT_TYPE;
  subject: Array<{ name: string; digest: { sha256: string } }>;
  predicateType: typeof SIGNOFF_PREDICATE_TYPE;
  predicate: SignoffPredicate;
}

/** One statement as checked now: whether it is genuine, and whether it counts. */
export interface StatementCheck {
  signer: { name: string; fingerprint: string; role: string | null };
  decision: SignoffDecision;
  reason: string | null;
  signedAt: string;
  /** The signature verifies against the key the statement names. */
  genuine: boolean;
  counts: boolean;
  /** `counts`, or why not: forged, untrusted key, revoked, the author's own, another change. */
  why: string;
  /** The audit event that holds it. */
  seq: number | null;
}

/** What the policy asks of sign-offs, and where a change stands against it. */
export interface SignoffStatus {
  /** Each requirement in words: `1 approval from role lead`, `2 of Ada, Grace, Linus`. */
  requirements: string[];
  met: boolean;
  /** What is still missing, in words (empty when met). */
  missing: string[];
  statements: StatementCheck[];
  /** A counting statement rejects the change. */
  rejected: boolean;
}
