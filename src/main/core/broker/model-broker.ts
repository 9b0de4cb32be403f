/**
 * The model broker: a per-session HTTP server on a Unix socket, outside the sandbox, that the
 * session bridges in (as 127.0.0.1:PORT) for ANTHROPIC_BASE_URL and OPENAI_BASE_URL. The agent
 * holds a placeholder; the broker checks it is where the agent puts its key, swaps in the real
 * value from the vault on the way out, streams both bodies, and takes the value back out of
 * whatever the upstream answers (headers and body), so an API that echoes the key cannot hand it
 * to the agent. Every request, served or refused, is one call record.
 */
import { timingSafeEqual } from 'node:crypto';
import { rmSync } from 'node:fs';
import {
  Agent as HttpAgent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { decoderFor, endToEndHeaders, pathProblem, plainReason } from '../proxy';
import type { TokenCounts } from '../../../shared/costs';
import {
  previewOf,
  readBody,
  type Admission,
  type CallPreview,
  type ResponseMeter,
} from './call-preview';
import { redactText, ValueRedactor } from './redact';

export type Provider = 'anthropic' | 'openai';
export const PROVIDERS: readonly Provider[] = ['anthropic', 'openai'];

export const DEFAULT_UPSTREAMS: Readonly<Record<Provider, string>> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com',
};

export interface BrokerCredential {
  /** What the agent was given instead of the key. */
  placeholder: string;
  /** The real value, asked for on every request (so a rotation takes effect at once). */
  value: () => Promise<string>;
  /**
   * Where the agent puts it and the upstream expects it: `x-api-key` (an Anthropic API key), or
   * `authorization-bearer` (`Authorization: Bearer …`: OpenAI keys, account sign-in tokens).
   */
  header: 'x-api-key' | 'authorization-bearer';
}

export interface BrokerCallRecord {
  /** Null when the path named no provider. */
  provider: Provider | null;
  method: string;
  /** The path as the agent sent it (with the provider prefix), at most 2000 characters. */
  path: string;
  /** The status sent to the agent; null when it left before any response. */
  status: number | null;
  /** Body bytes: what the agent uploaded and what it was sent back. */
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
  /** Why the broker refused it (then nothing reached the upstream), or null. */
  refused: string | null;
  /** Why the call failed after it was let through (upstream unreachable, untrusted, cut off). */
  failed: string | null;
  /** When the call came in (ISO 8601). */
  startedAt: string;
  /** The model the request named, when the broker read the request (a budget applies). */
  requestedModel: string | null;
  /** The provider's id for the call (`request-id`, `x-request-id` response header). */
  requestId: string | null;
  /** What the response said it used, when a meter read it. */
  usage: { model: string | null; messageId: string | null; tokens: TokenCounts } | null;
}

export interface ModelBrokerOptions {
  socketPath: string;
  /** Base URLs; a path in them is kept in front of the agent's (`https://gw.test/proxy`). */
  upstreams?: Partial<Record<Provider, string>>;
  /** A provider without a credential is refused. */
  credentials: Partial<Record<Provider, BrokerCredential>>;
  /** Extra PEM roots trusted for upstreams, besides Node's default roots. */
  upstreamCa?: string[];
  onCall: (record: BrokerCallRecord) => void;
  /**
   * Asked before a call goes out (budgets). When set, the request body is read whole first
   * (bounded), so its model and output limit are known; a refusal answers 403 with the reason.
   */
  admit?: (preview: CallPreview) => Promise<Admission>;
  /** Reads usage from each response as it streams to the agent (costs). */
  meter?: (provider: Provider, contentType: string | undefined, path: string) => ResponseMeter;
}

/** The base URLs an agent is given for a broker bridged in at `origin` (`http://127.0.0.1:PORT`). */
export function brokerBaseUrls(
  origin: string,
): Record<'ANTHROPIC_BASE_URL' | 'OPENAI_BASE_URL', string> {
  const base = origin.replace(/\/+$/, '');
  // Anthropic clients append /v1/messages to the base; OpenAI clients expect the /v1 in it.
  return { ANTHROPIC_BASE_URL: `${base}/anthropic`, OPENAI_BASE_URL: `${base}/openai/v1` };
}

const MAX_RECORDED_PATH = 2000;
const MAX_HEAD_BYTES = 64 * 1024;

class Refused extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

interface Upstream {
  url: URL;
  basePath: string;
  request: typeof httpRequest;
  agent: HttpAgent;
}

interface Call {
  record: BrokerCallRecord;
  started: number;
  done: boolean;
}

export class ModelBroker {
  private readonly upstreams = new Map<Provider, Upstream>();
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(
    private readonly options: ModelBrokerOptions,
    private readonly server: Server,
  ) {
    const ca = options.upstreamCa?.length
      ? [...rootCertificates, ...options.upstreamCa]
      : undefined;
    for (const provider of PROVIDERS) {
      const url = new URL(options.upstreams?.[provider] ?? DEFAULT_UPSTREAMS[provider]);
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new Error(`the ${provider} upstream is not an http(s) URL: ${url.href}`);
      if (url.search || url.hash || url.username || url.password)
        throw new Error(`the ${provider} upstream has a query, fragment or credentials`);
      const secure = url.protocol === 'https:';
      this.upstreams.set(provider, {
        url,
        basePath: url.pathname.replace(/\/+$/, ''),
        request: secure ? httpsRequest : httpRequest,
        agent: secure
          ? new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) })
          : new HttpAgent({ keepAlive: true }),
      });
    }
  }

  static async start(options: ModelBrokerOptions): Promise<ModelBroker> {
    // No request timeout: a model may stream for minutes.
    const server = createServer({ maxHeaderSize: MAX_HEAD_BYTES, requestTimeout: 0 });
    const broker = new ModelBroker(options, server);
    server.on('connection', (socket: Socket) => {
      broker.sockets.add(socket);
      socket.once('close', () => broker.sockets.delete(socket));
    });
    server.on(
      'request',
      (req: IncomingMessage, res: ServerResponse) => void broker.handle(req, res),
    );
    // A stale socket file from an earlier run would make listen fail with EADDRINUSE.
    rmSync(options.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return broker;
  }

  /** Stops listening and ends every open call and upstream connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    for (const upstream of this.upstreams.values()) upstream.agent.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '';
    const call: Call = {
      started: performance.now(),
      done: false,
      record: {
        provider: null,
        method: req.method ?? '',
        path: target.slice(0, MAX_RECORDED_PATH),
        status: null,
        bytesUp: 0,
        bytesDown: 0,
        durationMs: 0,
        refused: null,
        failed: null,
        startedAt: new Date().toISOString(),
        requestedModel: null,
        requestId: null,
        usage: null,
      },
    };
    res.once('close', () => this.finish(call, res));
    try {
      const route = this.route(target);
      call.record.provider = route.provider;
      const credential = this.options.credentials[route.provider];
      if (!credential) throw new Refused(403, `this session has no ${route.provider} credential`);
      checkPlaceholder(req.headers, credential);
      let value: string;
      try {
        value = await credential.value();
      } catch (error) {
        throw new Refused(
          502,
          `the ${route.provider} key could not be read from the vault: ${messageOf(error)}`,
        );
      }
      if (value === '') throw new Refused(502, `the ${route.provider} key in the vault is empty`);
      const body = await this.admitted(req, route, call);
      this.relay(req, res, route, credential, value, call, body);
    } catch (error) {
      const refusal =
        error instanceof Refused ? error : new Refused(502, `broker error: ${messageOf(error)}`);
      this.refuse(req, res, refusal, call);
    }
  }

  /**
   * With an admission check: the request body, read whole, once the check lets it go (null
   * without one: the body streams through).
   */
  private async admitted(
    req: IncomingMessage,
    route: { provider: Provider; path: string },
    call: Call,
  ): Promise<Buffer | null> {
    const admit = this.options.admit;
    if (!admit) return null;
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      throw new Refused(413, `${messageOf(error)}: too large for the budget check`);
    }
    call.record.bytesUp = body.length;
    const preview = previewOf(route.provider, route.path, body);
    call.record.requestedModel = preview.model;
    let admission: Admission;
    try {
      admission = await admit(preview);
    } catch (error) {
      throw new Refused(502, `the budget check failed: ${messageOf(error)}`);
    }
    if (!admission.allow) throw new Refused(403, admission.reason);
    return body;
  }

  /** The provider and the upstream path for the agent's request target. */
  private route(target: string): { provider: Provider; upstream: Upstream; path: string } {
    const problem = pathProblem(target);
    if (problem) throw new Refused(400, problem);
    for (const provider of PROVIDERS) {
      const prefix = `/${provider}`;
      if (!target.startsWith(prefix)) continue;
      const rest = target.slice(prefix.length);
      if (rest !== '' && !rest.startsWith('/') && !rest.startsWith('?')) continue;
      const upstream = this.upstreams.get(provider) as Upstream;
      const path = `${upstream.basePath}${rest.startsWith('/') ? '' : '/'}${rest}`;
      return { provider, upstream, path };
    }
    throw new Refused(404, 'the broker serves /anthropic/... and /openai/... only');
  }

  private relay(
    req: IncomingMessage,
    res: ServerResponse,
    route: { provider: Provider; upstream: Upstream; path: string },
    credential: BrokerCredential,
    value: string,
    call: Call,
    body: Buffer | null,
  ): void {
    const { upstream } = route;
    const headers: OutgoingHttpHeaders = endToEndHeaders(req.headers);
    delete headers['x-api-key'];
    delete headers.authorization;
    if (credential.header === 'x-api-key') headers['x-api-key'] = value;
    else headers.authorization = `Bearer ${value}`;
    // The body must be readable to take the key out of it.
    headers['accept-encoding'] = 'identity';
    const outgoing = upstream.request({
      protocol: upstream.url.protocol,
      hostname: upstream.url.hostname.replace(/^\[|\]$/g, ''),
      port: upstream.url.port || undefined,
      method: req.method,
      path: route.path,
      headers,
      agent: upstream.agent,
    });
    const fail = (reason: string): void => {
      call.record.failed ??= plainReason(reason);
      if (res.headersSent) res.destroy();
      else this.refuse(req, res, new Refused(502, reason), call, false);
    };
    outgoing.on('error', (error) =>
      fail(`the ${route.provider} upstream failed: ${messageOf(error)}`),
    );
    // The agent gave up: so does the upstream call.
    res.once('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    if (body) outgoing.end(body);
    else {
      // Counted only now: a data listener set earlier would let the body flow away unread.
      req.on('data', (chunk: Buffer) => (call.record.bytesUp += chunk.length));
      req.pipe(outgoing);
    }
    outgoing.on('response', (response) => {
      const decoder = decoderFor(response.headers['content-encoding']);
      if (decoder === undefined) {
        response.destroy();
        fail(
          `the ${route.provider} upstream sent a body in ${plainReason(String(response.headers['content-encoding']))}, which the broker cannot check for the key`,
        );
        return;
      }
      const replacement = credential.placeholder;
      const head: OutgoingHttpHeaders = {};
      for (const [name, raw] of Object.entries(endToEndHeaders(response.headers))) {
        if (raw === undefined || name === 'content-length' || name === 'content-encoding') continue;
        head[name] = Array.isArray(raw)
          ? raw.map((text) => redactText(text, value, replacement))
          : redactText(raw, value, replacement);
      }
      // The body may change length; a HEAD answer has none to change.
      if (req.method === 'HEAD' && response.headers['content-length'] !== undefined && !decoder)
        head['content-length'] = response.headers['content-length'];
      try {
        res.writeHead(response.statusCode ?? 502, head);
      } catch {
        response.destroy();
        fail(`the ${route.provider} upstream sent a response head the broker cannot relay`);
        return;
      }
      res.flushHeaders();
      call.record.requestId = responseId(response.headers);
      const meter = this.options.meter?.(
        route.provider,
        single(response.headers['content-type']),
        route.path,
      );
      const redactor = new ValueRedactor(value, replacement);
      redactor.on('data', (chunk: Buffer) => {
        call.record.bytesDown += chunk.length;
        meter?.write(chunk);
      });
      redactor.once('end', () => (call.record.usage = meter?.end() ?? null));
      const done = (error: Error | null): void => {
        if (!error) return;
        call.record.failed ??= plainReason(`the response was cut off: ${messageOf(error)}`);
        res.destroy();
      };
      if (decoder) pipeline(response, decoder(), redactor, res, done);
      else pipeline(response, redactor, res, done);
    });
  }

  private refuse(
    req: IncomingMessage,
    res: ServerResponse,
    refusal: Refused,
    call: Call,
    refused = true,
  ): void {
    const reason = plainReason(refusal.message);
    if (refused) call.record.refused = reason;
    // Whatever the agent was still uploading goes nowhere (but is counted).
    if (refused) req.on('data', (chunk: Buffer) => (call.record.bytesUp += chunk.length));
    req.resume();
    if (res.headersSent || res.destroyed) return;
    const body = `${reason}\n`;
    res.writeHead(refusal.status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  private finish(call: Call, res: ServerResponse): void {
    if (call.done) return;
    call.done = true;
    call.record.status = res.headersSent ? res.statusCode : null;
    call.record.durationMs = Math.round((performance.now() - call.started) * 1000) / 1000;
    try {
      this.options.onCall(call.record);
    } catch (error) {
      console.error('broker: onCall failed', error);
    }
  }
}

/**
 * Refuses a request whose key is not this session's placeholder, in the header the provider
 * reads. What the agent sent there is never echoed: it could be a real key.
 */
function checkPlaceholder(headers: IncomingHttpHeaders, credential: BrokerCredential): void {
  let sent: string | undefined;
  let where: string;
  if (credential.header === 'x-api-key') {
    where = 'x-api-key';
    sent = single(headers['x-api-key']);
  } else {
    where = 'Authorization: Bearer';
    const authorization = single(headers.authorization);
    const bearer = authorization === undefined ? null : /^Bearer +(\S+) *$/i.exec(authorization);
    sent = bearer ? bearer[1] : authorization === undefined ? undefined : '';
  }
  if (sent === undefined)
    throw new Refused(401, `no key in ${where}: send this session's placeholder there`);
  if (!sameText(sent, credential.placeholder))
    throw new Refused(401, `the key in ${where} is not this session's placeholder`);
}

/** The provider's id for a call: Anthropic's `request-id`, OpenAI's `x-request-id`. */
function responseId(headers: IncomingHttpHeaders): string | null {
  const id = single(headers['request-id']) ?? single(headers['x-request-id']);
  return id && /^[\x21-\x7e]{1,200}$/.test(id) ? id : null;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : '') : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}
