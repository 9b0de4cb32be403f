/**
 * The shape of a signed sign-off, checked before anything in it is believed. Strict throughout:
 * a statement with a field we do not know could say something we would silently ignore.
 */
import { z } from 'zod';
import {
  SIGNOFF_PREDICATE_TYPE,
  STATEMENT_PAYLOAD_TYPE,
  STATEMENT_TYPE,
  type DsseEnvelope,
  type SignoffStatement,
} from '../../../shared/signoff';

const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 as 64 lowercase hex digits');
/** A git object id: SHA-1 or SHA-256 repositories. */
const objectId = z
  .string()
  .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, 'expected a git object id (40 or 64 hex digits)');
const base64 = z
  .string()
  .min(1, 'expected base64, not an empty string')
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'expected base64');
const text = z.string().min(1, 'expected a non-empty string').max(10_000);
/** The same form the policy's signers use; the key itself is read later, by the caller's parser. */
const sshEd25519Key = z
  .string()
  .max(1000)
  .regex(/^ssh-ed25519 [A-Za-z0-9+/]{68}(?: .*)?$/, 'expected a key like ssh-ed25519 AAAA… name');

export const envelopeSchema = z.strictObject(
  {
    payloadType: z.literal(STATEMENT_PAYLOAD_TYPE, {
      error: `expected payloadType ${STATEMENT_PAYLOAD_TYPE}`,
    }),
    payload: base64,
    signatures: z
      .array(z.strictObject({ keyid: text, sig: base64 }))
      .length(1, 'expected exactly one signature'),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? 'expected a DSSE envelope: an object with payloadType, payload and signatures'
        : undefined,
  },
) satisfies z.ZodType<DsseEnvelope>;

const predicateSchema = z
  .strictObject({
    sessionId: text,
    change: z.strictObject({
      baseCommit: objectId,
      headCommit: objectId,
      targetBranch: text,
      targetCommit: objectId,
      landingTree: objectId,
    }),
    gates: z.strictObject({ runId: text, verdict: text, digest: sha256Hex }).nullable(),
    patchSha256: sha256Hex,
    decision: z.enum(['approve', 'reject'], { error: 'expected approve or reject' }),
    reason: z.string().max(10_000).nullable(),
    signer: z.strictObject({ name: text, publicKey: sshEd25519Key }),
    signedAt: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date and time' }),
  })
  // A rejection without a reason leaves the author nothing to act on.
  .refine((predicate) => predicate.decision === 'approve' || !!predicate.reason?.trim(), {
    message: 'a rejection needs a reason',
    path: ['reason'],
  });

export const statementSchema = z.strictObject({
  _type: z.literal(STATEMENT_TYPE, { error: `expected _type ${STATEMENT_TYPE}` }),
  subject: z
    .array(z.strictObject({ name: text, digest: z.strictObject({ sha256: sha256Hex }) }))
    .length(1, 'expected exactly one subject'),
  predicateType: z.literal(SIGNOFF_PREDICATE_TYPE, {
    error: `expected predicateType ${SIGNOFF_PREDICATE_TYPE}`,
  }),
  predicate: predicateSchema,
}) satisfies z.ZodType<SignoffStatement>;

/** Every problem zod found, as `path: message`, for one error message. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}
