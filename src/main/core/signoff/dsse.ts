/**
 * DSSE v1 envelopes (https://github.com/secure-systems-lab/dsse) signed with Ed25519. The signature
 * covers the pre-authentication encoding of the payload type and the payload's bytes, so neither
 * can be swapped without breaking it; the payload is the statement's canonical JSON (RFC 8785), so
 * the same statement always makes the same bytes.
 */
import { verify, type KeyObject } from 'node:crypto';
import {
  STATEMENT_PAYLOAD_TYPE,
  type DsseEnvelope,
  type SignoffStatement,
} from '../../../shared/signoff';
import { canonicalJson } from '../store/canonical-json';
import { SignoffError } from './errors';
import { describeIssues, envelopeSchema, statementSchema } from './schema';

/** Whoever holds the private key: it signs bytes and names its key (the key's fingerprint). */
export interface EnvelopeSigner {
  keyid: string;
  sign(data: Buffer): Promise<Buffer>;
}

/** `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, lengths in bytes as ASCII decimal. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

/** Signs a statement. It is checked first, so nothing is signed that openEnvelope would refuse. */
export async function signEnvelope(
  statement: SignoffStatement,
  signer: EnvelopeSigner,
): Promise<DsseEnvelope> {
  const checked = statementSchema.safeParse(statement);
  if (!checked.success)
    throw new SignoffError(`cannot sign this statement: ${describeIssues(checked.error)}`);
  const payload = Buffer.from(canonicalJson(statement), 'utf8');
  const sig = await signer.sign(pae(STATEMENT_PAYLOAD_TYPE, payload));
  return {
    payloadType: STATEMENT_PAYLOAD_TYPE,
    payload: payload.toString('base64'),
    signatures: [{ keyid: signer.keyid, sig: sig.toString('base64') }],
  };
}

/**
 * Reads an envelope and its statement from untrusted JSON, refusing anything not exactly of our
 * shape. It does not verify the signature: that needs a key, see verifyEnvelope.
 */
export function openEnvelope(envelope: unknown): {
  envelope: DsseEnvelope;
  statement: SignoffStatement;
} {
  const shape = envelopeSchema.safeParse(envelope);
  if (!shape.success)
    throw new SignoffError(`not a sign-off envelope: ${describeIssues(shape.error)}`);
  const json = parsePayload(Buffer.from(shape.data.payload, 'base64'));
  const statement = statementSchema.safeParse(json);
  if (!statement.success)
    throw new SignoffError(`not a sign-off statement: ${describeIssues(statement.error)}`);
  return { envelope: shape.data, statement: statement.data };
}

/**
 * The payload's JSON. It must be in canonical form, as signEnvelope writes it: then there is one
 * reading of the signed bytes (no duplicate keys that one parser takes first and another last).
 */
function parsePayload(payload: Buffer): unknown {
  let json: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
    json = JSON.parse(text);
  } catch {
    throw new SignoffError('not a sign-off statement: the payload is not UTF-8 JSON');
  }
  if (canonicalJson(json) !== text)
    throw new SignoffError('not a sign-off statement: the payload is not canonical JSON');
  return json;
}

/** Whether the envelope's one signature is the given Ed25519 key's, over the payload's bytes. */
export function verifyEnvelope(envelope: DsseEnvelope, publicKey: KeyObject): boolean {
  const [signature] = envelope.signatures;
  if (envelope.signatures.length !== 1 || !signature) return false;
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519') return false;
  const signed = pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  try {
    return verify(null, signed, publicKey, Buffer.from(signature.sig, 'base64'));
  } catch {
    // A malformed signature (a wrong length) is simply not this key's.
    return false;
  }
}
