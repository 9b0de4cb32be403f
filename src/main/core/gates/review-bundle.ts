/**
 * A review bundle: everything a reviewer on another machine needs to judge one change and sign
 * off on it offline (`paddock review export ID > change.paddock-review`). The statement they sign
 * names the diff hash and the SHA-256 of the patch they were shown; back here, a statement counts
 * only for the change as it is then, so a bundle cannot be used to approve anything else.
 */
import { z } from 'zod';
import type { GateBinding, GateRun } from '../../../shared/gates';
import type { SessionDiff } from '../../../shared/sessions';
import type { DsseEnvelope } from '../../../shared/signoff';
import { GateError } from './errors';

export const BUNDLE_FORMAT = 'paddock-review/v1';

export interface ReviewBundle {
  format: typeof BUNDLE_FORMAT;
  exportedAt: string;
  session: {
    id: string;
    task: string;
    agent: string;
    author: string;
    /** The author's key fingerprint, when they had an identity: they cannot sign it off. */
    authorKey: string | null;
  };
  baseCommit: string;
  binding: GateBinding;
  merged: boolean;
  diff: SessionDiff;
  patchSha256: string;
  /** The gate run that checked this very landing, if one did. */
  gates: GateRun | null;
  /** Statements given so far (envelopes as recorded). */
  statements: DsseEnvelope[];
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const commit = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/);

/** Checked field by field: a bundle comes from elsewhere. Gate results are kept as they came. */
const bundleSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  exportedAt: z.string().max(100),
  session: z.object({
    id: z.string().regex(/^ses_[0-9a-f]{8}$/),
    task: z.string().max(100_000),
    agent: z.string().max(200),
    author: z.string().max(500),
    authorKey: z.string().max(200).nullable(),
  }),
  baseCommit: commit,
  binding: z.object({
    targetBranch: z.string().min(1).max(200),
    targetCommit: commit,
    headCommit: commit,
    landingTree: commit,
    diffHash: hex64,
  }),
  merged: z.boolean(),
  diff: z.object({
    baseCommit: z.string().max(100),
    files: z.array(z.unknown()).max(1_000_000),
    patch: z.string(),
  }),
  patchSha256: hex64,
  gates: z.unknown().nullable(),
  statements: z.array(z.unknown()).max(10_000),
});

export function parseBundle(value: unknown): ReviewBundle {
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GateError(
      `This is not a Paddock review bundle (${BUNDLE_FORMAT}): ${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'unreadable'}.`,
    );
  }
  return parsed.data as unknown as ReviewBundle;
}
