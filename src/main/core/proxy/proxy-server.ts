import { lookup } from 'node:dns/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { addressClass } from './addresses';
import { canonicalHost, hostText, parseTarget, type Target } from './hostname';

export interface DecisionRequest {
  host: string;
  port: number;
  method?: string;
  path?: string;
}

export interface Decision {
  allow: boolean;
  /** The rule that matched, or the reason: goes into the audit record. */
  rule: string;
  /** A non-public address the rule names exactly; only then may the name resolve to it. */
  allowAddress?: string;
}

export type ConnectionOutcome = 'allowed' | 'denied' | 'invalid' | 'failed';

export interface ConnectionRecord {
  host: string | null;
  port: number | null;
  address: string | null;
  method?: string;
  path?: string;
  bytesUp: number;
  bytesDown: number;
  decision: ConnectionOutcome;
  rule: string;
  durationMs: number;
}

export type Resolve = (host: string) => Promise<string[]>;

export interface ProxyServerOptions {
  socketPath: string;
  decide: (request: DecisionRequest) => Promise<Decision>;
  resolve?: Resolve;
  onConnection: (record: ConnectionRecord) => void;
  maxHeadBytes?: number;
  headTimeoutMs?: number;
  connectTimeoutMs?: number;
}

const DEFAULT_MAX_HEAD_BYTES = 64 * 1024;
const DEFAULT_HEAD_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
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

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
};

const defaultResolve: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly outcome: ConnectionOutcome,
    reason: string,
  ) {
    super(reason);
  }
}

/** Everything known about one client connection; turned into exactly one record when it closes. */
class ConnectionState {
  readonly startedAt = performance.now();
  host: string | null = null;
  port: number | null = null;
  address: string | null = null;
  method: string | undefined;
  path: string | undefined;
  outcome: ConnectionOutcome = 'invalid';
  rule = 'closed before a request head arrived';
  seenHead = false;
  upstream: Socket | null = null;

  record(): ConnectionRecord {
    const visible = this.method === undefined ? {} : { method: this.method, path: this.path };
    return {
      host: this.host,
      port: this.port,
      address: this.address,
      ...visible,
      // Counted on the upstream leg: what actually left for and came from the remote host.
      bytesUp: this.upstream?.bytesWritten ?? 0,
      bytesDown: this.upstream?.bytesRead ?? 0,
      decision: this.outcome,
      rule: this.rule,
      durationMs: Math.round(performance.now() - this.startedAt),
    };
  }

  settle(outcome: ConnectionOutcome, rule: string): void {
    this.outcome = outcome;
    this.rule = rule;
  }
}

/**
 * A session's allowlist proxy on a Unix socket: HTTP forward requests and
 * CONNECT tunnels, each decided, resolved, pinned to a checked address and recorded.
 */
export class ProxyServer {
  private readonly sockets = new Set<Duplex>();
  private readonly states = new WeakMap<Duplex, ConnectionState>();
  private readonly resolve: Resolve;

  private constructor(
    private readonly options: ProxyServerOptions,
    private readonly server: Server,
  ) {
    this.resolve = options.resolve ?? defaultResolve;
  }

  static async start(options: ProxyServerOptions): Promise<ProxyServer> {
    const server = createServer({
      maxHeaderSize: options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES,
      // The client may wait for a person in the approval inbox, so no request timeout here.
      requestTimeout: 0,
    });
    const proxy = new ProxyServer(options, server);
    proxy.attach();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  /** Stops listening and destroys every open connection and tunnel. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private attach(): void {
    this.server.on('connection', (socket: Socket) => this.track(socket));
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.forward(req, res);
    });
    this.server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.tunnel(req, socket, head);
    });
    this.server.on('upgrade', (_req: IncomingMessage, socket: Duplex) =>
      this.refuseHead(socket, new Refusal(400, 'invalid', 'protocol upgrade is not supported')),
    );
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
      this.onClientError(error, socket),
    );
  }

  private track(socket: Socket): void {
    const state = new ConnectionState();
    this.sockets.add(socket);
    this.states.set(socket, state);
    const headTimeoutMs = this.options.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS;
    // A fixed deadline, not an idle timeout: trickling one byte at a time must not keep it alive.
    const deadline = setTimeout(() => {
      if (!state.seenHead)
        this.refuseHead(socket, new Refusal(408, 'invalid', 'no request head in time'));
    }, headTimeoutMs);
    socket.once('close', () => {
      clearTimeout(deadline);
      this.sockets.delete(socket);
      state.upstream?.destroy();
      this.options.onConnection(state.record());
    });
  }

  private onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const state = this.states.get(socket);
    if (!state || state.seenHead) return void socket.destroy();
    const oversized = error.code === 'HPE_HEADER_OVERFLOW';
    const refusal = oversized
      ? new Refusal(431, 'invalid', 'request head too large')
      : new Refusal(400, 'invalid', 'malformed request');
    this.refuseHead(socket, refusal);
  }

  /** Claims the connection for one request; a second request on it is refused. */
  private claim(socket: Duplex): ConnectionState | null {
    const state = this.states.get(socket);
    if (!state || state.seenHead) return null;
    state.seenHead = true;
    return state;
  }

  private async tunnel(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    const state = this.claim(client);
    if (!state) return void client.destroy();
    const early = this.holdEarlyBytes(client, head);
    try {
      const target = this.targetOf(state, parseTarget(req.url ?? '', 443));
      const address = await this.admit(state, target, {});
      const upstream = await this.connectPinned(state, address, target.port, client);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      this.pipeTunnel(client, upstream, early.release());
    } catch (error) {
      this.refuseHead(client, asRefusal(error));
    }
  }

  /**
   * Reads the client while its CONNECT waits for a decision, so a client that
   * hangs up is noticed (its socket is half-open otherwise) and bytes sent
   * ahead of the 200, such as a TLS ClientHello, are kept for the upstream.
   */
  private holdEarlyBytes(client: Duplex, head: Buffer): { release: () => Buffer } {
    const limit = this.options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
    const chunks = [head];
    let held = head.length;
    const hold = (chunk: Buffer): void => {
      chunks.push(chunk);
      held += chunk.length;
      if (held > limit) client.destroy();
    };
    const leave = (): void => void client.destroy();
    client.on('data', hold).once('end', leave);
    return {
      release: () => {
        client.off('data', hold).off('end', leave).pause();
        return Buffer.concat(chunks);
      },
    };
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const state = this.claim(req.socket);
    if (!state) return void req.socket.destroy();
    try {
      const { authority, path } = splitAbsoluteUrl(req.url ?? '');
      const target = this.targetOf(state, parseTarget(authority, 80));
      state.method = req.method ?? 'GET';
      state.path = path;
      const address = await this.admit(state, target, { method: state.method, path });
      const upstream = await this.connectPinned(state, address, target.port, req.socket);
      this.relayRequest(req, res, upstream, authorityOf(target));
    } catch (error) {
      const refusal = asRefusal(error);
      state.settle(refusal.outcome, refusal.message);
      refuseResponse(res, refusal);
    }
  }

  private targetOf(state: ConnectionState, parsed: ReturnType<typeof parseTarget>): Target {
    if (parsed.kind === 'invalid') throw new Refusal(400, 'invalid', parsed.reason);
    state.host = hostText(parsed.host);
    state.port = parsed.port;
    return parsed;
  }

  /** Decides, resolves and checks; returns the one address this connection may use. */
  private async admit(
    state: ConnectionState,
    target: Target,
    visible: { method?: string; path?: string },
  ): Promise<string> {
    const host = hostText(target.host);
    const decision = await this.decide({ host, port: target.port, ...visible });
    if (!decision.allow) throw new Refusal(403, 'denied', decision.rule);
    state.settle('allowed', decision.rule);
    const candidates = target.host.kind === 'ip' ? [host] : await this.resolveName(host);
    const address = pickAddress(candidates, decision.allowAddress);
    if (address.kind === 'refused') throw new Refusal(403, 'denied', address.reason);
    state.address = address.address;
    return address.address;
  }

  private async decide(request: DecisionRequest): Promise<Decision> {
    try {
      return await this.options.decide(request);
    } catch {
      throw new Refusal(403, 'failed', 'the decision could not be made');
    }
  }

  private async resolveName(host: string): Promise<string[]> {
    try {
      return await this.resolve(host);
    } catch {
      throw new Refusal(502, 'failed', 'name did not resolve');
    }
  }

  private connectPinned(
    state: ConnectionState,
    address: string,
    port: number,
    client: Duplex,
  ): Promise<Socket> {
    // The client may have gone while a person was deciding: then do not dial out at all.
    if (client.destroyed) throw new Refusal(400, 'failed', 'client left before the connection');
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const upstream = connect({ host: address, port });
      state.upstream = upstream;
      upstream.setTimeout(timeoutMs, () => upstream.destroy(new Error('connect timeout')));
      upstream.once('connect', () => {
        upstream.setTimeout(0);
        resolve(upstream);
      });
      upstream.once('error', () =>
        reject(new Refusal(502, 'failed', 'upstream connection failed')),
      );
    });
  }

  private pipeTunnel(client: Duplex, upstream: Socket, head: Buffer): void {
    if (head.length > 0) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side closing ends the tunnel; errors are expected when a peer resets.
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end).on('error', end);
    upstream.once('close', end).on('error', end);
  }

  private relayRequest(
    req: IncomingMessage,
    res: ServerResponse,
    upstream: Socket,
    authority: string,
  ): void {
    const outbound = httpRequest({
      method: req.method,
      path: splitAbsoluteUrl(req.url ?? '').path,
      // Host is rewritten to the decided target so a shared address cannot be
      // steered to another virtual host (domain fronting).
      headers: { ...endToEndHeaders(req.headers), host: authority, connection: 'close' },
      createConnection: () => upstream,
    });
    outbound.on('response', (response) => {
      res.writeHead(response.statusCode ?? 502, {
        ...endToEndHeaders(response.headers),
        connection: 'close',
      });
      response.pipe(res);
    });
    outbound.on('error', () => {
      const refusal = new Refusal(502, 'failed', 'upstream request failed');
      this.states.get(req.socket)?.settle(refusal.outcome, refusal.message);
      refuseResponse(res, refusal);
    });
    req.pipe(outbound);
  }

  private refuseHead(socket: Duplex, refusal: Refusal): void {
    const state = this.states.get(socket);
    if (state) {
      // A refused head is final: the head deadline must not overwrite the reason.
      state.seenHead = true;
      state.settle(refusal.outcome, refusal.message);
    }
    if (socket.destroyed) return;
    const body = `${plainReason(refusal.message)}\n`;
    const status = STATUS_TEXT[refusal.status] ?? 'Error';
    socket.end(
      `HTTP/1.1 ${refusal.status} ${status}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  }
}

function refuseResponse(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) return void res.destroy();
  const body = `${plainReason(refusal.message)}\n`;
  res.writeHead(refusal.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
}

function asRefusal(error: unknown): Refusal {
  return error instanceof Refusal ? error : new Refusal(502, 'failed', 'proxy error');
}

// Reasons come from rules and may echo what the agent sent: keep them printable and short.
function plainReason(reason: string): string {
  return reason.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_REASON_LENGTH);
}

type PickedAddress = { kind: 'picked'; address: string } | { kind: 'refused'; reason: string };

/** The first resolved address that is public, or that the decision names exactly. */
function pickAddress(candidates: string[], allowAddress: string | undefined): PickedAddress {
  const allowed = allowAddress === undefined ? null : canonicalAddress(allowAddress);
  let refusal = 'name resolved to no address';
  for (const candidate of candidates) {
    const address = canonicalAddress(candidate);
    if (address === null) continue;
    const kind = addressClass(address);
    if (kind === 'public' || address === allowed) return { kind: 'picked', address };
    refusal = `resolved to a ${kind} address (${address}) that no rule names`;
  }
  return { kind: 'refused', reason: refusal };
}

function canonicalAddress(ip: string): string | null {
  const host = canonicalHost(ip);
  return host.kind === 'ip' ? host.address : null;
}

function splitAbsoluteUrl(url: string): { authority: string; path: string } {
  const match = /^http:\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (!match) throw new Refusal(400, 'invalid', 'only absolute http:// URLs are proxied');
  const rest = match[2] ?? '';
  return { authority: match[1] ?? '', path: rest.startsWith('/') ? rest : `/${rest}` };
}

function authorityOf(target: Target): string {
  const host =
    target.host.kind === 'ip' && target.host.family === 6
      ? `[${hostText(target.host)}]`
      : hostText(target.host);
  return `${host}:${target.port}`;
}

function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase()),
  );
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !named.has(name)),
  );
}
