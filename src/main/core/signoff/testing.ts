/**
 * For tests only: Ed25519 identities in OpenSSH form, built from Node's keys, so these tests do
 * not depend on the identity module's parser (written alongside). The wire blob is the one
 * `ssh-keygen` writes: string "ssh-ed25519", then string <32 raw key bytes>.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import type { GateBinding } from '../../../shared/gates';
import type { DsseEnvelope, SignoffDecision, SignoffStatement } from '../../../shared/signoff';
import { signEnvelope, type EnvelopeSigner } from './dsse';
import { changeStatement } from './statement';
import type { ParseKey } from './trust';

export interface TestIdentity {
  name: string;
  /** `ssh-ed25519 AAAA… name` */
  line: string;
  fingerprint: string;
  publicKey: KeyObject;
  signer: EnvelopeSigner;
}

const KEY_TYPE = 'ssh-ed25519';

export function testIdentity(name: string): TestIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const wire = wireBlob(rawPublicKey(publicKey));
  const fingerprint = fingerprintOfWire(wire);
  return {
    name,
    line: `${KEY_TYPE} ${wire.toString('base64')} ${name}`,
    fingerprint,
    publicKey,
    signer: { keyid: fingerprint, sign: async (data) => sign(null, data, privateKey) },
  };
}

/** A small OpenSSH ssh-ed25519 reader, enough to stand in for the identity module's. */
export const parseTestKey: ParseKey = (line) => {
  const [type, blob] = line.split(' ');
  if (type !== KEY_TYPE || !blob) throw new Error('not an ssh-ed25519 key');
  const wire = Buffer.from(blob, 'base64');
  const raw = wire.subarray(4 + KEY_TYPE.length + 4);
  if (!wireBlob(raw).equals(wire) || raw.length !== 32)
    throw new Error('a malformed ssh-ed25519 key');
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  return { key, fingerprint: fingerprintOfWire(wire) };
};

function rawPublicKey(publicKey: KeyObject): Buffer {
  const { x } = publicKey.export({ format: 'jwk' });
  if (!x) throw new Error('not an Ed25519 public key');
  return Buffer.from(x, 'base64url');
}

function wireBlob(raw: Buffer): Buffer {
  return Buffer.concat([sshString(Buffer.from(KEY_TYPE)), sshString(raw)]);
}

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function fingerprintOfWire(wire: Buffer): string {
  return `SHA256:${createHash('sha256').update(wire).digest('base64').replace(/=+$/, '')}`;
}

/** A change as gates bind it: hex ids that look like git's. */
export function testBinding(overrides: Partial<GateBinding> = {}): GateBinding {
  return {
    targetBranch: 'main',
    targetCommit: 'a'.repeat(40),
    headCommit: 'b'.repeat(40),
    landingTree: 'c'.repeat(40),
    diffHash: 'd'.repeat(64),
    ...overrides,
  };
}

export const TEST_SESSION = 'ses_01';

/** The statement `who` would sign about `binding`, with the predicate's fields overridable. */
export function testStatement(
  who: TestIdentity,
  options: {
    binding?: GateBinding;
    sessionId?: string;
    decision?: SignoffDecision;
    reason?: string | null;
    signedAt?: string;
  } = {},
): SignoffStatement {
  const decision = options.decision ?? 'approve';
  return changeStatement({
    sessionId: options.sessionId ?? TEST_SESSION,
    binding: options.binding ?? testBinding(),
    baseCommit: 'e'.repeat(40),
    gates: { runId: 'run_01', verdict: 'pass', digest: 'f'.repeat(64) },
    patchSha256: '0'.repeat(64),
    decision,
    reason: options.reason ?? (decision === 'reject' ? 'not like this' : null),
    signer: { name: who.name, publicKey: who.line },
    signedAt: options.signedAt ?? '2025-01-01T10:00:00.000Z',
  });
}

export async function testEnvelope(
  who: TestIdentity,
  options: Parameters<typeof testStatement>[1] = {},
): Promise<DsseEnvelope> {
  return signEnvelope(testStatement(who, options), who.signer);
}
