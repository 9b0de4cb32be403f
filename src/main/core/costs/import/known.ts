/**
 * What the record already holds of a call a transcript reports: the broker's metered event for it
 * (metered wins over what a transcript says), or the event an earlier import wrote (an import adds
 * each call once). Asked of the store's usage index by request or message id; a call without ids
 * (a Codex turn) is known by where it was read, and matched to a metered call of its session by
 * its token counts.
 */
import type { AuditEvent } from '../../../../shared/audit';
import {
  USAGE_EVENT,
  type ModelProvider,
  type TokenCounts,
  type UsageRecord,
} from '../../../../shared/costs';
import type { AuditStore, KnownCall } from '../../store';
import type { FoundCall } from './calls';

/** The store calls an import uses. */
export type UsageStore = Pick<AuditStore, 'knownCalls' | 'get' | 'search' | 'list' | 'appendMany'>;

/** A call the broker metered, as much of it as an import compares. */
export interface MeteredCall {
  sessionId: string | null;
  tokens: TokenCounts;
  costUsd: number | null;
}

export type Known = { metered: MeteredCall } | 'imported' | null;

/** The most events one search returns (the store's cap): more means reading the log instead. */
const SEARCH_LIMIT = 10_000;
const PAGE = 10_000;

export class KnownUsage {
  private readonly originsByFile = new Map<string, Set<string>>();
  private readonly meteredBySession = new Map<string, Map<string, MeteredCall[]>>();

  constructor(private readonly store: UsageStore) {}

  /**
   * @param file where the call was read (its `origin` is `<file>:<line>`)
   * @param sessionId the Paddock session whose agent home the file is in
   */
  lookup(call: FoundCall, file: string, sessionId: string | null): Known {
    if (call.requestId !== null || call.messageId !== null) {
      const known = this.store.knownCalls({
        requestId: call.requestId,
        messageId: call.messageId,
      });
      const metered = known.find((entry) => entry.source === 'metered');
      if (metered) return { metered: this.meteredFigures(metered) };
      return known.length > 0 ? 'imported' : null;
    }
    const metered = sessionId === null ? undefined : this.sameCounts(sessionId, call)?.pop();
    if (metered) return { metered };
    return this.originsIn(file).has(call.origin) ? 'imported' : null;
  }

  private meteredFigures(known: KnownCall): MeteredCall {
    const record = this.store.get(known.seq)?.payload as Partial<UsageRecord> | undefined;
    return {
      sessionId: known.sessionId,
      tokens: tokensOf(record?.tokens),
      costUsd: known.costUsd,
    };
  }

  /** Metered calls of the session with the call's provider and token counts, not matched yet. */
  private sameCounts(sessionId: string, call: FoundCall): MeteredCall[] | undefined {
    let byCounts = this.meteredBySession.get(sessionId);
    if (!byCounts) {
      byCounts = new Map();
      for (const event of this.sessionEvents(sessionId)) {
        const record = event.payload as Partial<UsageRecord>;
        if (event.kind !== USAGE_EVENT || record.source !== 'metered') continue;
        if (record.provider !== 'anthropic' && record.provider !== 'openai') continue;
        const metered = {
          sessionId,
          tokens: tokensOf(record.tokens),
          costUsd: typeof record.costUsd === 'number' ? record.costUsd : null,
        };
        const key = countsKey(record.provider, metered.tokens);
        const same = byCounts.get(key);
        if (same) same.push(metered);
        else byCounts.set(key, [metered]);
      }
      this.meteredBySession.set(sessionId, byCounts);
    }
    return byCounts.get(countsKey(call.provider, call.tokens));
  }

  private *sessionEvents(sessionId: string): Generator<AuditEvent> {
    for (let after = 0; ;) {
      const page = this.store.list({ sessionId, afterSeq: after, limit: PAGE });
      yield* page;
      if (page.length < PAGE) return;
      after = (page.at(-1) as AuditEvent).seq;
    }
  }

  /**
   * Where in this file earlier imports read calls: the usage events whose text holds the file's
   * path (one full-text search a file), or, past the search's cap, every usage event's origin.
   */
  private originsIn(file: string): Set<string> {
    let origins = this.originsByFile.get(file);
    if (origins) return origins;
    const found = this.store.search(file, SEARCH_LIMIT);
    const events = found.length < SEARCH_LIMIT ? found : this.allEvents();
    origins = new Set();
    for (const event of events) {
      const origin = event.kind === USAGE_EVENT ? event.payload.origin : undefined;
      if (typeof origin === 'string' && origin.startsWith(`${file}:`)) origins.add(origin);
    }
    this.originsByFile.set(file, origins);
    return origins;
  }

  private *allEvents(): Generator<AuditEvent> {
    for (let after = 0; ;) {
      const page = this.store.list({ afterSeq: after, limit: PAGE });
      yield* page;
      if (page.length < PAGE) return;
      after = (page.at(-1) as AuditEvent).seq;
    }
  }
}

function countsKey(provider: ModelProvider, t: TokenCounts): string {
  return `${provider}|${t.input}/${t.output}/${t.cacheWrite}/${t.cacheRead}`;
}

function tokensOf(value: unknown): TokenCounts {
  const tokens = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    input: count(tokens.input),
    output: count(tokens.output),
    cacheWrite: count(tokens.cacheWrite),
    cacheRead: count(tokens.cacheRead),
  };
}
