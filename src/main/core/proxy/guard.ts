/**
 * Request guards: a hook that sees every request the proxy can read (plain HTTP forwards, and
 * requests inside inspected tunnels) once it is allowed, before anything reaches the upstream. A
 * guard may refuse it, rewrite its path and headers, watch its upload, and filter what comes back.
 * The credential broker is one: it swaps a placeholder for the real value on the way to the
 * secret's own hosts, refuses placeholders sent anywhere else, and takes the value back out of
 * the response.
 *
 * The proxy only applies what the guard says; it knows nothing of secrets.
 */
import type {
  ClientRequest,
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import { pipeline, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { endToEndHeaders, Refusal } from './http-shared';

/** A request as the guard sees it: end-to-end headers only, Host already decided by the proxy. */
export interface GuardedRequest {
  host: string;
  port: number;
  method: string;
  /** The request target as sent: path and query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Whether it travels over TLS to the upstream (an inspected tunnel), not plain HTTP. */
  secure: boolean;
}

/** What comes back, as the client may see it. */
export interface ResponseFilter {
  /** Each response header value. */
  header(text: string): string;
  /** The body, decoded (the proxy decodes gzip, deflate and brotli first; other codings fail). */
  body(): Transform;
}

/** The request as it goes out. */
export interface GuardPlan {
  path: string;
  headers: OutgoingHttpHeaders;
  /** The upload passes through this; failing with a GuardRefusal refuses the request. */
  upload?: () => Transform;
  download?: ResponseFilter;
  /** What the guard did, for the request's audit record (`GITHUB_TOKEN: header added`). */
  note?: string;
}

export type GuardVerdict = GuardPlan | { refuse: string };

export interface RequestGuard {
  check(request: GuardedRequest): Promise<GuardVerdict>;
}

/** Thrown (or passed to `destroy`) by an upload filter: the request is refused with this reason. */
export class GuardRefusal extends Error {}

const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** A decoder for a response's content coding: null for identity, undefined when unknown. */
export function decoderFor(
  contentEncoding: string | undefined,
): (() => Transform) | null | undefined {
  const coding = (contentEncoding ?? 'identity').trim().toLowerCase();
  return coding === 'identity' || coding === '' ? null : DECODERS[coding];
}

/** The plan for one allowed request: the guard's, or the request as it came when there is none. */
export async function planRequest(
  guard: RequestGuard | undefined,
  request: GuardedRequest,
  headers: OutgoingHttpHeaders,
): Promise<GuardPlan> {
  if (!guard) return { path: request.path, headers };
  let verdict: GuardVerdict;
  try {
    verdict = await guard.check(request);
  } catch {
    throw new Refusal(502, 'failed', 'the request guard failed');
  }
  if ('refuse' in verdict) throw new Refusal(403, 'denied', verdict.refuse);
  // The proxy's own Host (the decided target) always wins over what a guard returns.
  return { ...verdict, headers: { ...verdict.headers, host: headers.host } };
}

/**
 * Sends the client's upload to the upstream through the plan's filter. A refusal from the filter
 * stops the upload where it is (the refused bytes never leave) and calls `refused`.
 */
export function sendUpload(
  req: IncomingMessage,
  outbound: ClientRequest,
  plan: GuardPlan,
  refused: (reason: string) => void,
): void {
  if (!plan.upload) return void req.pipe(outbound);
  pipeline(req, plan.upload(), outbound, (error) => {
    if (error instanceof GuardRefusal) refused(error.message);
  });
}

/**
 * Writes the upstream response to the client, filtered when the plan says so. False when the
 * head cannot be relayed (or its coding cannot be filtered): the caller refuses instead.
 */
export function relayResponse(
  res: ServerResponse,
  response: IncomingMessage,
  plan: GuardPlan,
  extra: OutgoingHttpHeaders,
  method: string,
): boolean {
  const filter = plan.download;
  const decoder = filter ? decoderFor(response.headers['content-encoding']) : null;
  if (decoder === undefined) return false;
  const head: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(endToEndHeaders(response.headers))) {
    if (value === undefined) continue;
    if (filter && (name === 'content-encoding' || name === 'content-length')) continue;
    head[name] = !filter
      ? value
      : Array.isArray(value)
        ? value.map(filter.header)
        : filter.header(value);
  }
  // A filtered body may change length; a HEAD answer has no body to change.
  if (filter && method === 'HEAD' && !decoder && response.headers['content-length'] !== undefined)
    head['content-length'] = response.headers['content-length'];
  try {
    res.writeHead(response.statusCode ?? 502, { ...head, ...extra });
  } catch {
    return false;
  }
  const done = (error: Error | null | undefined): void => {
    if (error) res.destroy();
  };
  if (!filter) pipeline(response, res, done);
  else if (decoder) pipeline(response, decoder(), filter.body(), res, done);
  else pipeline(response, filter.body(), res, done);
  return true;
}
