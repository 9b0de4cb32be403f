/** Pieces both the forward proxy and the inspecting relay use: refusals and header hygiene. */
import type { IncomingHttpHeaders } from 'node:http';
import { hostText, type Target } from './hostname';
import type { ConnectionOutcome } from './types';

const MAX_REASON_LENGTH = 200;

// Hop-by-hop headers belong to one leg; forwarding them would let a client
// steer the upstream connection (keep-alive, upgrade) or leak proxy credentials.
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

export const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  408: 'Request Timeout',
  421: 'Misdirected Request',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
};

/** Why a connection or request was not served: the status the client gets and the audit outcome. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly outcome: ConnectionOutcome,
    reason: string,
  ) {
    super(reason);
  }
}

export function asRefusal(error: unknown): Refusal {
  return error instanceof Refusal ? error : new Refusal(502, 'failed', 'proxy error');
}

// Reasons come from rules and may echo what the agent sent: keep them printable and short.
export function plainReason(reason: string): string {
  return reason.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_REASON_LENGTH);
}

const ESCAPE = /%(?![0-9a-fA-F]{2})|%([0-9a-fA-F]{2})/g;
// Unreserved characters (RFC 3986) have one spelling: the plain one. `/` and `\` escaped would
// hide a segment boundary from the rules while an origin may still route on it.
const MUST_NOT_BE_ESCAPED = /^(?:[A-Za-z0-9\-._~]|[/\\])$/;

/**
 * Why a request path is not in the one form path rules are matched against, or null. A path
 * rule must see the resource the origin will serve: so no dot segments, no empty segments, no
 * backslash, and no escape that has a plain spelling or hides a `/`.
 */
export function pathProblem(target: string): string | null {
  const path = target.split('?', 1)[0] ?? '';
  if (!path.startsWith('/')) return 'the request path does not start with /';
  if (path.includes('\\')) return 'backslash in the request path';
  const segments = path.slice(1).split('/');
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '' && !last) return 'empty segment (//) in the request path';
    for (const [escape, hex] of segment.matchAll(ESCAPE)) {
      if (hex === undefined)
        return 'malformed escape (% without two hex digits) in the request path';
      if (MUST_NOT_BE_ESCAPED.test(String.fromCharCode(parseInt(hex, 16))))
        return `needless or hiding escape ${escape} in the request path`;
    }
    if (segment === '.' || segment === '..') return 'dot segment in the request path';
  }
  return null;
}

/** A request target without its query and fragment: query strings often carry tokens. */
export function pathWithoutQuery(target: string): string {
  return target.split(/[?#]/)[0] ?? '';
}

/** The authority a request to the target carries: the port is always explicit. */
export function authorityOf(target: Target): string {
  return `${bracketed(target)}:${target.port}`;
}

/** The Host header for an https request: the port only when it is not 443, as browsers send it. */
export function httpsHostHeader(target: Target): string {
  return target.port === 443 ? bracketed(target) : authorityOf(target);
}

function bracketed(target: Target): string {
  const text = hostText(target.host);
  return target.host.kind === 'ip' && target.host.family === 6 ? `[${text}]` : text;
}

/** The headers minus hop-by-hop ones, those Connection names, and Host (the proxy sets it). */
export function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase()),
  );
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !named.has(name)),
  );
}

/** A complete plain-text HTTP/1.1 refusal for writing straight onto a socket. */
export function rawRefusal(refusal: Refusal): string {
  const body = `${plainReason(refusal.message)}\n`;
  const status = STATUS_TEXT[refusal.status] ?? 'Error';
  return (
    `HTTP/1.1 ${refusal.status} ${status}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
