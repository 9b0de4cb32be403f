/**
 * A session's network as its Network view shows it, read from the proxy's audit events:
 * `network.connection` (one per client connection), `network.request` (one per request; those
 * inside an inspected TLS connection are shown under it, the one request of a plain HTTP
 * connection is already its connection's method and path) and `network.package` (a registry fetch).
 *
 * Everything here comes from the agent (hosts, paths) or quotes it (rules): payloads are read
 * field by field, and anything of the wrong shape is left out rather than guessed at.
 */
import type { AuditEvent, JsonObject, JsonValue } from '../../../../shared/audit';
import type { NetworkFilter } from '../../store/sessions';
import { formatDuration } from '../inbox/time';

/** The newest connections (and inspected requests) held and shown; older ones are dropped. */
export const MAX_ROWS = 500;
/** The newest package fetches held. */
export const MAX_PACKAGES = 500;

export const NETWORK_KINDS = ['network.connection', 'network.request', 'network.package'] as const;

export type NetDecision = 'allowed' | 'denied' | 'invalid' | 'failed';
const DECISIONS: readonly string[] = ['allowed', 'denied', 'invalid', 'failed'];

/** How each outcome reads on its badge. */
export const DECISION_LABELS: Record<NetDecision, string> = {
  allowed: 'allowed',
  denied: 'refused',
  invalid: 'invalid',
  failed: 'failed',
};

interface RowBase {
  seq: number;
  ts: string;
  decision: NetDecision;
  /** The rule that matched, or why it was refused or failed. */
  rule: string;
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
  /** Refused because it carried a secret's placeholder to a host the secret is not bound to. */
  exfiltration: boolean;
}

/** One client connection through the proxy. */
export interface ConnectionRow extends RowBase {
  kind: 'connection';
  /** null when the client closed (or sent garbage) before naming a host. */
  host: string | null;
  port: number | null;
  /** The address it reached, when it reached one. */
  address: string | null;
  /** A plain HTTP request's method and path (query stripped); a TLS tunnel shows none. */
  method: string | null;
  path: string | null;
  /** TLS was terminated and each request inside decided on its own. */
  inspected: boolean;
  requests: number;
}

/** One request inside an inspected TLS connection. */
export interface RequestRow extends RowBase {
  kind: 'request';
  host: string;
  port: number;
  method: string;
  path: string;
  /** The status sent back; null when the client left before any response. */
  status: number | null;
  /** Which vault secrets went out in it, put in by the broker (`GITHUB_TOKEN: header added`). */
  credentials: string | null;
}

export type NetRow = ConnectionRow | RequestRow;

export interface PackageRow {
  seq: number;
  ts: string;
  ecosystem: string;
  name: string;
  version: string | null;
  kind: 'metadata' | 'archive';
  host: string;
  decision: NetDecision;
}

export interface NetworkLog {
  /** Newest first, at most MAX_ROWS. */
  rows: NetRow[];
  /** Newest first, at most MAX_PACKAGES. */
  packages: PackageRow[];
  /** Rows or packages beyond the caps were dropped. */
  capped: boolean;
}

export const EMPTY_LOG: NetworkLog = { rows: [], packages: [], capped: false };

const text = (value: JsonValue | undefined): string | null =>
  typeof value === 'string' ? value : null;
const count = (value: JsonValue | undefined): number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
const port = (value: JsonValue | undefined): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535
    ? value
    : null;
const decisionOf = (value: JsonValue | undefined): NetDecision | null =>
  typeof value === 'string' && DECISIONS.includes(value) ? (value as NetDecision) : null;

function base(event: AuditEvent, payload: JsonObject): RowBase | null {
  const decision = decisionOf(payload.decision);
  if (!decision) return null;
  const rule = text(payload.rule) ?? '';
  return {
    seq: event.seq,
    ts: event.ts,
    decision,
    rule,
    exfiltration: decision === 'denied' && rule.includes('exfiltration attempt'),
    bytesUp: count(payload.bytesUp),
    bytesDown: count(payload.bytesDown),
    durationMs: count(payload.durationMs),
  };
}

/** The row an event stands for, or null (another kind, a plain request, a payload out of shape). */
export function rowOf(event: AuditEvent): NetRow | null {
  const { payload } = event;
  const common = base(event, payload);
  if (!common) return null;
  if (event.kind === 'network.connection') {
    const method = text(payload.method);
    return {
      ...common,
      kind: 'connection',
      host: text(payload.host),
      port: port(payload.port),
      address: text(payload.address),
      method,
      path: method === null ? null : text(payload.path),
      inspected: payload.inspected === true,
      requests: count(payload.requests),
    };
  }
  // A plain HTTP request is its connection's one request: that row already says it.
  if (event.kind !== 'network.request' || payload.inspected !== true) return null;
  const host = text(payload.host);
  const at = port(payload.port);
  const method = text(payload.method);
  const path = text(payload.path);
  if (host === null || at === null || method === null || path === null) return null;
  const status = payload.status;
  return {
    ...common,
    kind: 'request',
    host,
    port: at,
    method,
    path,
    status: typeof status === 'number' && Number.isInteger(status) ? status : null,
    credentials: text(payload.guard),
  };
}

export function packageOf(event: AuditEvent): PackageRow | null {
  if (event.kind !== 'network.package') return null;
  const { payload } = event;
  const ecosystem = text(payload.ecosystem);
  const name = text(payload.name);
  const decision = decisionOf(payload.decision);
  const kind = payload.kind === 'metadata' || payload.kind === 'archive' ? payload.kind : null;
  if (ecosystem === null || name === null || decision === null || kind === null) return null;
  return {
    seq: event.seq,
    ts: event.ts,
    ecosystem,
    name,
    version: text(payload.version),
    kind,
    host: text(payload.host) ?? '',
    decision,
  };
}

function mergeNewest<T extends { seq: number }>(
  current: T[],
  incoming: T[],
  max: number,
): { list: T[]; dropped: boolean } {
  const seen = new Set(current.map((item) => item.seq));
  const fresh = incoming.filter((item) => !seen.has(item.seq));
  if (fresh.length === 0) return { list: current, dropped: false };
  const all = [...fresh, ...current].sort((a, b) => b.seq - a.seq);
  return { list: all.slice(0, max), dropped: all.length > max };
}

/**
 * Adds events of any kind and session (only this session's network events are kept), newest
 * first, deduplicated by seq: a page read and the live stream may overlap.
 */
export function mergeEvents(log: NetworkLog, events: readonly AuditEvent[], sessionId: string) {
  const mine = events.filter((event) => event.sessionId === sessionId);
  const rows = mergeNewest(
    log.rows,
    mine.map(rowOf).filter((row) => row !== null),
    MAX_ROWS,
  );
  const packages = mergeNewest(
    log.packages,
    mine.map(packageOf).filter((row) => row !== null),
    MAX_PACKAGES,
  );
  if (rows.list === log.rows && packages.list === log.packages) return log;
  return {
    rows: rows.list,
    packages: packages.list,
    capped: log.capped || rows.dropped || packages.dropped,
  };
}

export function visibleRows(rows: readonly NetRow[], filter: NetworkFilter): readonly NetRow[] {
  return filter === 'refused' ? rows.filter((row) => row.decision === 'denied') : rows;
}

export interface NetSummary {
  connections: number;
  allowed: number;
  refused: number;
  /** Invalid (the client sent nothing usable) or failed (allowed, but the upstream failed). */
  other: number;
  /** Requests refused inside connections that were allowed (inspected TLS). */
  refusedRequests: number;
  bytesUp: number;
  bytesDown: number;
  /** Distinct packages (ecosystem, name, version). */
  packages: number;
  /** Requests refused for carrying a placeholder where its secret may not go. */
  exfiltrations: number;
}

export function summarize(log: NetworkLog): NetSummary {
  const summary: NetSummary = {
    connections: 0,
    allowed: 0,
    refused: 0,
    other: 0,
    refusedRequests: 0,
    bytesUp: 0,
    bytesDown: 0,
    packages: new Set(log.packages.map(packageKey)).size,
    exfiltrations: 0,
  };
  for (const row of log.rows) {
    if (row.exfiltration) summary.exfiltrations += 1;
    if (row.kind === 'request') {
      if (row.decision === 'denied') summary.refusedRequests += 1;
      continue; // its bytes are counted in its connection's
    }
    summary.connections += 1;
    if (row.decision === 'allowed') summary.allowed += 1;
    else if (row.decision === 'denied') summary.refused += 1;
    else summary.other += 1;
    summary.bytesUp += row.bytesUp;
    summary.bytesDown += row.bytesDown;
  }
  return summary;
}

export interface HostTotal {
  /** `host:port` as the table shows it. */
  target: string;
  connections: number;
  refused: number;
  bytes: number;
}

/** Connections by host and port, most bytes first (then most connections). */
export function hostTotals(rows: readonly NetRow[]): HostTotal[] {
  const totals = new Map<string, HostTotal>();
  for (const row of rows) {
    if (row.kind !== 'connection') continue;
    const target = targetOf(row.host, row.port);
    const total = totals.get(target) ?? { target, connections: 0, refused: 0, bytes: 0 };
    total.connections += 1;
    if (row.decision === 'denied') total.refused += 1;
    total.bytes += row.bytesUp + row.bytesDown;
    totals.set(target, total);
  }
  return [...totals.values()].sort(
    (a, b) =>
      b.bytes - a.bytes || b.connections - a.connections || a.target.localeCompare(b.target),
  );
}

export interface PackageLine {
  key: string;
  ecosystem: string;
  name: string;
  version: string | null;
  kinds: Array<'metadata' | 'archive'>;
  /** Refused when any fetch of it was refused. */
  decision: NetDecision;
  fetches: number;
}

function packageKey(row: Pick<PackageRow, 'ecosystem' | 'name' | 'version'>): string {
  return JSON.stringify([row.ecosystem, row.name, row.version]);
}

const SEVERITY: Record<NetDecision, number> = { allowed: 0, failed: 1, invalid: 2, denied: 3 };

/** One line per package and version, newest first; its fetches (metadata, archive) together. */
export function packageLines(packages: readonly PackageRow[]): PackageLine[] {
  const lines = new Map<string, PackageLine>();
  for (const row of packages) {
    const key = packageKey(row);
    const line = lines.get(key);
    if (!line) {
      lines.set(key, {
        key,
        ecosystem: row.ecosystem,
        name: row.name,
        version: row.version,
        kinds: [row.kind],
        decision: row.decision,
        fetches: 1,
      });
      continue;
    }
    line.fetches += 1;
    if (!line.kinds.includes(row.kind)) line.kinds.push(row.kind);
    if (SEVERITY[row.decision] > SEVERITY[line.decision]) line.decision = row.decision;
  }
  return [...lines.values()];
}

/** `example.com:443`, `[::1]:8080`; `—` where the client never named one. */
export function targetOf(host: string | null, port: number | null): string {
  if (host === null) return '—';
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === null ? shown : `${shown}:${port}`;
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** `0 B`, `930 B`, `1.4 KiB`, `12 MiB`: three significant digits at most. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 'B';
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

/** `12 ms`, `1.4 s`, `2 min 5 s`. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms);
}
