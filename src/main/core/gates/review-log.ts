/**
 * What a session's audit records say about its review: snapshots, gate runs, sign-offs,
 * rejections, promotion, and every secret masked on the way (the secrets gate reads those). Read
 * from the store once and then only what was appended since, so a long session is walked once.
 */
import type { AuditEvent, JsonObject } from '../../../shared/audit';
import type { GateRun, Promotion } from '../../../shared/gates';
import type { RecordedRedaction } from './checks';

/** The audit kinds of the review. */
export const REVIEW_EVENTS = {
  snapshot: 'workspace.snapshot',
  runStarted: 'gates.run.started',
  runFinished: 'gates.run.finished',
  statement: 'review.statement',
  bundleImported: 'review.bundle.imported',
  rejected: 'review.rejected',
  sentBack: 'review.sent-back',
  promoted: 'session.promoted',
  bundleExported: 'review.bundle.exported',
} as const;

export interface EventSource {
  list(query: { sessionId: string; afterSeq: number; limit: number }): AuditEvent[];
}

export interface ReviewFacts {
  snapshot: { tree: string; commit: string } | null;
  lastRun: GateRun | null;
  /** Every signed statement recorded for the session (checked when read, never here). */
  statements: Array<{ envelope: unknown; seq: number }>;
  /** The latest review bundle imported for this id (a session of another machine). */
  bundle: { seq: number; blob: string } | null;
  /** The fingerprint of the key of the session's author, when they had one (session.created). */
  authorKey: string | null;
  rejected: { reason: string; by: string; at: string; seq: number } | null;
  promoted: Promotion | null;
  redactions: RecordedRedaction[];
}

const PAGE = 1000;
const SECRET_MARK = /\[secret:([A-Za-z0-9_.-]+)\]/g;

export class ReviewLog {
  private readonly sessions = new Map<string, { upTo: number; facts: ReviewFacts }>();

  constructor(private readonly store: EventSource) {}

  facts(sessionId: string): ReviewFacts {
    let entry = this.sessions.get(sessionId);
    if (!entry) {
      entry = { upTo: 0, facts: emptyFacts() };
      this.sessions.set(sessionId, entry);
    }
    for (;;) {
      const page = this.store.list({ sessionId, afterSeq: entry.upTo, limit: PAGE });
      for (const event of page) {
        read(entry.facts, event);
        entry.upTo = event.seq;
      }
      if (page.length < PAGE) return entry.facts;
    }
  }
}

function emptyFacts(): ReviewFacts {
  return {
    snapshot: null,
    lastRun: null,
    statements: [],
    authorKey: null,
    bundle: null,
    rejected: null,
    promoted: null,
    redactions: [],
  };
}

function read(facts: ReviewFacts, event: AuditEvent): void {
  const payload = event.payload;
  switch (event.kind) {
    case REVIEW_EVENTS.snapshot:
      facts.snapshot = { tree: String(payload.tree), commit: String(payload.commit) };
      break;
    case REVIEW_EVENTS.runFinished:
      facts.lastRun = { ...(payload as unknown as Omit<GateRun, 'seq'>), seq: event.seq };
      break;
    case 'session.created':
      facts.authorKey = typeof payload.authorKey === 'string' ? payload.authorKey : null;
      break;
    case REVIEW_EVENTS.bundleImported:
      if (event.blobs[0]) facts.bundle = { seq: event.seq, blob: event.blobs[0] };
      break;
    case REVIEW_EVENTS.statement:
      facts.statements.push({ envelope: payload.envelope, seq: event.seq });
      break;
    case REVIEW_EVENTS.rejected:
      facts.rejected = {
        reason: String(payload.reason),
        by: event.actorId,
        at: event.ts,
        seq: event.seq,
      };
      break;
    case REVIEW_EVENTS.promoted:
      facts.promoted = payload as unknown as Promotion;
      break;
  }
  facts.redactions.push(...redactionsIn(event));
}

/** The secrets an event shows were masked: in the terminal, a command's output, or a payload. */
function redactionsIn(event: AuditEvent): RecordedRedaction[] {
  const at = `event #${event.seq}`;
  if (event.kind === 'redaction.applied')
    return [
      {
        ruleId: String(event.payload.ruleId),
        where: `terminal ${String(event.payload.stream)} (${at})`,
      },
    ];
  if (event.kind === 'broker.exfiltration')
    return [
      {
        ruleId: 'exfiltration',
        where: `a request carrying a secret's placeholder, refused (${at})`,
      },
    ];
  const found: RecordedRedaction[] = [];
  if (event.kind === 'session.exec' && Array.isArray(event.payload.redactions)) {
    const command = Array.isArray(event.payload.argv) ? event.payload.argv.join(' ') : 'a command';
    for (const ruleId of event.payload.redactions)
      found.push({ ruleId: String(ruleId), where: `output of \`${command}\` (${at})` });
  }
  // The store's payload filter leaves `[secret:NAME]` where a vault secret was. The review's own
  // events quote earlier findings and outputs: they would count the same secret again.
  if (!event.kind.startsWith('gates.') && !event.kind.startsWith('review.'))
    for (const match of JSON.stringify(event.payload).matchAll(SECRET_MARK))
      found.push({
        ruleId: 'known-value',
        where: `${event.kind} ${at} (vault secret ${match[1]})`,
      });
  return found;
}

export function asJson(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
