/**
 * The audit trail as JSONL, for keeping and checking elsewhere: one event a line (with its hash
 * and its links), then a last line carrying the digest of all the lines before it, signed by the
 * person's identity when they have one. `verifyExport` checks such a file on its own, offline:
 * every event's hash recomputed from its content, every link, the digest, the signature.
 *
 * A one-session export verifies through the session's own chain (each event's session_prev_hash
 * is the hash of the session's event before it, from the genesis); a whole-store export through
 * the global chain. An export that starts later (`since`) is anchored on its first event's link,
 * and says so.
 */
import type { AuditEvent, JsonObject } from '../../../shared/audit';
import { GENESIS_HASH } from '../../../shared/audit';
import { canonicalJson } from './canonical-json';
import { eventHash, sha256Hex } from './event-hash';
import type { AuditStore } from './store';

export const EXPORT_DIGEST_TYPE = 'paddock.audit.export.digest/v1';

export interface ExportDigest {
  type: typeof EXPORT_DIGEST_TYPE;
  /** SHA-256 of every line before this one, each with its newline. */
  sha256: string;
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
  session: string | null;
  since: string | null;
  exportedAt: string;
  /** Ed25519 over the canonical JSON of this object without `signature`; null when unsigned. */
  signature: { publicKey: string; keyid: string; sig: string } | null;
}

export interface ExportOptions {
  sessionId?: string;
  /** ISO time: events at or after it. */
  since?: string;
}

const PAGE = 1000;

/** The events an export holds, in chain order, page by page (a store of millions is fine). */
export function* exportedEvents(store: AuditStore, options: ExportOptions): Generator<AuditEvent> {
  const since = options.since ? new Date(options.since).toISOString() : null;
  for (let after = 0; ;) {
    const page = store.list({
      afterSeq: after,
      limit: PAGE,
      order: 'asc',
      ...(options.sessionId ? { sessionId: options.sessionId } : {}),
    });
    for (const event of page) if (!since || event.ts >= since) yield event;
    const last = page.at(-1);
    if (!last || page.length < PAGE) return;
    after = last.seq;
  }
}

/** The digest of the lines written, ready to sign (`signature` null). */
export function exportDigest(
  lines: { sha256: string; events: number; firstSeq: number | null; lastSeq: number | null },
  options: ExportOptions,
): ExportDigest {
  return {
    type: EXPORT_DIGEST_TYPE,
    ...lines,
    session: options.sessionId ?? null,
    since: options.since ? new Date(options.since).toISOString() : null,
    exportedAt: new Date().toISOString(),
    signature: null,
  };
}

/** The bytes a digest's signature covers. */
export function signedBytes(digest: ExportDigest): Buffer {
  const { signature: _unsigned, ...rest } = digest;
  return Buffer.from(canonicalJson(rest as unknown as JsonObject));
}

export interface ExportReport {
  ok: boolean;
  events: number;
  /** What the chain was checked through, and where it starts. */
  chain: string;
  signedBy: string | null;
  /** The signing key's fingerprint (`SHA256:…`), when the digest is signed. */
  signerKey: string | null;
  /** The first problem found (1-based line), or null. */
  problem: { line: number; what: string } | null;
}

export type SignatureCheck = (
  signature: NonNullable<ExportDigest['signature']>,
  bytes: Buffer,
) => { ok: boolean; signer: string; fingerprint: string | null };

export function verifyExport(text: string, checkSignature: SignatureCheck): ExportReport {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const fail = (line: number, what: string, events = 0, chain = ''): ExportReport => ({
    ok: false,
    events,
    chain,
    signedBy: null,
    signerKey: null,
    problem: { line, what },
  });
  const digest = parseDigest(lines.at(-1));
  if (!digest) return fail(lines.length, 'the last line is not an export digest');
  const body = lines.slice(0, -1);
  const hashed = sha256Hex(body.map((line) => `${line}\n`).join(''));
  if (hashed !== digest.sha256 || body.length !== digest.events)
    return fail(
      lines.length,
      'the digest does not match the lines before it: lines were changed, added or removed',
    );
  const chain = checkChain(body, digest.session);
  if (chain.problem)
    return { ...fail(chain.problem.line, chain.problem.what, body.length, chain.description) };
  let signedBy: string | null = null;
  let signerKey: string | null = null;
  if (digest.signature) {
    const checked = checkSignature(digest.signature, signedBytes(digest));
    if (!checked.ok)
      return fail(
        lines.length,
        'the digest’s signature does not verify',
        body.length,
        chain.description,
      );
    signedBy = checked.signer;
    signerKey = checked.fingerprint;
  }
  return {
    ok: true,
    events: body.length,
    chain: chain.description,
    signedBy,
    signerKey,
    problem: null,
  };
}

function parseDigest(line: string | undefined): ExportDigest | null {
  try {
    const value = JSON.parse(line ?? '') as Partial<ExportDigest>;
    return value.type === EXPORT_DIGEST_TYPE && typeof value.sha256 === 'string'
      ? (value as ExportDigest)
      : null;
  } catch {
    return null;
  }
}

/** Every event's own hash, then each link: to the session's previous event, or the store's. */
function checkChain(
  lines: readonly string[],
  session: string | null,
): { description: string; problem: { line: number; what: string } | null } {
  let previous: string | null = null;
  let description = session ? `the session chain of ${session}` : 'the store’s chain';
  for (const [index, line] of lines.entries()) {
    const at = index + 1;
    const event = parseEvent(line);
    if (!event) return { description, problem: { line: at, what: 'not an audit event' } };
    if (recomputed(event) !== event.hash)
      return {
        description,
        problem: {
          line: at,
          what: `event #${event.seq}'s content does not match its hash (edited)`,
        },
      };
    const link = session ? event.sessionPrevHash : event.prevHash;
    if (session && event.sessionId !== session)
      return {
        description,
        problem: { line: at, what: `event #${event.seq} is not of session ${session}` },
      };
    if (previous === null) {
      if (link !== GENESIS_HASH)
        description += `, from event #${event.seq} (anchored on its link ${String(link).slice(0, 12)}…)`;
      else description += ', from its first event';
    } else if (link !== previous)
      return {
        description,
        problem: {
          line: at,
          what: `event #${event.seq} does not follow the one before it (an event was removed, added or reordered)`,
        },
      };
    previous = event.hash;
  }
  return { description, problem: null };
}

function parseEvent(line: string): AuditEvent | null {
  try {
    const value = JSON.parse(line) as AuditEvent;
    return typeof value.hash === 'string' && typeof value.seq === 'number' ? value : null;
  } catch {
    return null;
  }
}

function recomputed(event: AuditEvent): string {
  return eventHash(
    {
      id: event.id,
      ts: event.ts,
      session_id: event.sessionId,
      kind: event.kind,
      actor: event.actor,
      actor_id: event.actorId,
      blobs: event.blobs,
      prev_hash: event.prevHash,
      session_prev_hash: event.sessionPrevHash,
    },
    canonicalJson(event.payload),
  );
}
