/**
 * Whose statements count, and what must be given. With a policy, that is its trusted signers
 * (never a revoked key, never the session's author) and its requirements; with none, the person
 * works alone and signs off their own work, so only this machine's identity counts.
 */
import type { KeyObject } from 'node:crypto';
import type { SignoffStatement } from '../../../shared/signoff';

/** Reads an OpenSSH `ssh-ed25519` line; throws when it is not one. */
export type ParseKey = (line: string) => { key: KeyObject; fingerprint: string };

export interface SignoffSigner {
  name: string;
  /** OpenSSH form: `ssh-ed25519 AAAA… comment`. */
  key: string;
  role?: string | undefined;
}

/** Either a role or a list of names (`of`), and how many distinct signers of it must approve. */
export interface SignoffRequirement {
  role?: string | undefined;
  of?: readonly string[] | undefined;
  count: number;
}

/** The policy's `signoff` section, merged from the person's and the repository's. */
export interface SignoffPolicy {
  signers: readonly SignoffSigner[];
  /** Keys (OpenSSH form) or `SHA256:` fingerprints. */
  revoked: readonly string[];
  require: readonly SignoffRequirement[];
}

export interface SessionAuthor {
  fingerprint: string | null;
  name: string;
}

export interface SelfIdentity {
  fingerprint: string;
  name: string;
  publicKey: string;
}

/**
 * One person as the policy knows them. Entries that share a name or a key are the same person
 * (one person with a laptop key and a desktop key, or named in both policies), so a requirement
 * of two approvals is never met by one person signing twice.
 */
export interface TrustedSigner {
  name: string;
  names: ReadonlySet<string>;
  roles: readonly string[];
  fingerprints: ReadonlySet<string>;
}

export interface Requirement {
  /** In words, for a person: `1 approval from role lead`, `2 of Ada, Grace, Linus`. */
  text: string;
  count: number;
  accepts(signer: TrustedSigner): boolean;
}

export interface Trust {
  signerOf(fingerprint: string): TrustedSigner | undefined;
  /** Why a genuine statement by this key does not count whatever it is about, or null. */
  refusal(
    statement: SignoffStatement,
    fingerprint: string,
    signer: TrustedSigner | undefined,
  ): string | null;
  requirements: Requirement[];
}

export function policyTrust(
  policy: SignoffPolicy,
  author: SessionAuthor,
  parseKey: ParseKey,
): Trust {
  const signers = groupSigners(policy.signers, parseKey);
  const revoked = revokedFingerprints(policy.revoked, parseKey);
  return {
    signerOf: (fingerprint) => signers.get(fingerprint),
    refusal(statement, fingerprint, signer) {
      if (revoked.has(fingerprint)) return `revoked key ${fingerprint}`;
      if (isAuthor(author, statement, fingerprint, signer))
        return "the session's author cannot sign it off";
      if (!signer) return `untrusted key ${fingerprint} (not among the policy's signers)`;
      return null;
    },
    requirements: policyRequirements(policy.require),
  };
}

/** No signoff section anywhere: the person signs off their own work, with this machine's key. */
export function selfTrust(self: SelfIdentity | null): Trust {
  const you: TrustedSigner | undefined = self
    ? {
        name: self.name,
        names: new Set([self.name]),
        roles: [],
        fingerprints: new Set([self.fingerprint]),
      }
    : undefined;
  return {
    signerOf: (fingerprint) => (you?.fingerprints.has(fingerprint) ? you : undefined),
    refusal: (_statement, fingerprint, signer) =>
      signer
        ? null
        : `not your key (${fingerprint}): with no signoff section in the policy, only your own statements count`,
    requirements: [
      {
        text: '1 approval from you (no signoff section in the policy)',
        count: 1,
        accepts: () => true,
      },
    ],
  };
}

/** By key when the author has one; by name only when they do not (a session started without one). */
function isAuthor(
  author: SessionAuthor,
  statement: SignoffStatement,
  fingerprint: string,
  signer: TrustedSigner | undefined,
): boolean {
  if (author.fingerprint !== null)
    return fingerprint === author.fingerprint || !!signer?.fingerprints.has(author.fingerprint);
  return !!signer?.names.has(author.name) || statement.predicate.signer.name === author.name;
}

/** Each trusted key's person. A key the parser refuses is left out: it can sign nothing we accept. */
function groupSigners(
  entries: readonly SignoffSigner[],
  parseKey: ParseKey,
): Map<string, TrustedSigner> {
  let people: TrustedSigner[] = [];
  for (const entry of entries) {
    const fingerprint = fingerprintOrNull(entry.key, parseKey);
    if (fingerprint === null) continue;
    const same = people.filter((p) => p.names.has(entry.name) || p.fingerprints.has(fingerprint));
    const merged: TrustedSigner = {
      name: same[0]?.name ?? entry.name,
      names: new Set([...same.flatMap((p) => [...p.names]), entry.name]),
      roles: [...new Set([...same.flatMap((p) => p.roles), ...(entry.role ? [entry.role] : [])])],
      fingerprints: new Set([...same.flatMap((p) => [...p.fingerprints]), fingerprint]),
    };
    people = [...people.filter((p) => !same.includes(p)), merged];
  }
  return new Map(people.flatMap((p) => [...p.fingerprints].map((f) => [f, p] as const)));
}

function revokedFingerprints(revoked: readonly string[], parseKey: ParseKey): Set<string> {
  const fingerprints = revoked.map((entry) =>
    entry.startsWith('SHA256:') ? entry : fingerprintOrNull(entry, parseKey),
  );
  return new Set(fingerprints.filter((f): f is string => f !== null));
}

function fingerprintOrNull(line: string, parseKey: ParseKey): string | null {
  try {
    return parseKey(line).fingerprint;
  } catch {
    return null;
  }
}

function policyRequirements(rules: readonly SignoffRequirement[]): Requirement[] {
  // A signoff section that names no requirement still asks for a sign-off: one, from anyone trusted.
  if (rules.length === 0)
    return [{ text: '1 approval from a trusted signer', count: 1, accepts: () => true }];
  return rules.map((rule) =>
    rule.role !== undefined
      ? roleRequirement(rule.role, rule.count)
      : namesRequirement(rule.of ?? [], rule.count),
  );
}

function roleRequirement(role: string, count: number): Requirement {
  return {
    text: `${count} ${count === 1 ? 'approval' : 'approvals'} from role ${role}`,
    count,
    accepts: (signer) => signer.roles.includes(role),
  };
}

function namesRequirement(names: readonly string[], count: number): Requirement {
  return {
    text: `${count} of ${names.join(', ')}`,
    count,
    accepts: (signer) => names.some((name) => signer.names.has(name)),
  };
}
