import { lookup } from 'node:dns/promises';
import { rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { addressClass } from './addresses';
import { ConnectionState, type RequestLog } from './connection-state';
import { canonicalHost, hostText, parseTarget, type Target } from './hostname';
import {
  asRefusal,
  authorityOf,
  endToEndHeaders,
  pathProblem,
  plainReason,
  rawRefusal,
  Refusal,
} from './http-shared';
import { planRequest, relayResponse, sendUpload, type GuardPlan } from './guard';
import { Inspector } from './inspection';
import type { Decision, DecisionRequest, ProxyServerOptions, Resolve } from './types';

export type {
  ConnectionOutcome,
  ConnectionRecord,
  Decision,
  DecisionRequest,
  InspectionOptions,
  ProxyServerOptions,
  RequestRecord,
  Resolve,
} from './types';

const DEFAULT_MAX_HEAD_BYTES = 64 * 1024;
const DEFAULT_HEAD_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

const defaultResolve: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** How a connection reached the proxy: it decides what the decision request shows. */
type Entry =
  { kind: 'connect' } | { kind: 'forward'; method: string; path: string } | { kind: 'tunnel' };

/**
 * A session's allowlist proxy on a Unix socket: HTTP forward requests and
 * CONNECT tunnels, each decided, resolved, pinned to a checked address and recorded.
 * CONNECT tunnels whose rule asks for it are inspected (see inspection.ts), and
 * fixed-target tunnel listeners carry raw connections to one named host.
 */
export class ProxyServer {
  private readonly sockets = new Set<Duplex>();
  private readonly states = new WeakMap<Duplex, ConnectionState>();
  private readonly tunnelListeners = new Set<NetServer>();
  private readonly resolve: Resolve;
  private readonly inspector: Inspector | null;
  private closed = false;

  private constructor(
    private readonly options: ProxyServerOptions,
    private readonly server: Server,
  ) {
    this.resolve = options.resolve ?? defaultResolve;
    this.inspector = options.inspection
      ? new Inspector({
          ...options.inspection,
          decide: (request) => this.decide(request),
          ...(options.guard ? { guard: options.guard } : {}),
          maxHeadBytes: options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES,
          headTimeoutMs: options.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS,
          connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
          track: (socket) => this.keep(socket),
        })
      : null;
  }

  static async start(options: ProxyServerOptions): Promise<ProxyServer> {
    const server = createServer({
      maxHeaderSize: options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES,
      // The client may wait for a person in the approval inbox, so no request timeout here.
      requestTimeout: 0,
    });
    const proxy = new ProxyServer(options, server);
    proxy.attach();
    await listen(server, options.socketPath);
    return proxy;
  }

  /**
   * Listens on another Unix socket where every connection is a raw tunnel to one target (a
   * local model server bridged into the sandbox, say). Each connection is decided with
   * `tunnel: true`, resolved, pinned and address-checked like a CONNECT, and recorded.
   */
  async listenTunnel(socketPath: string, target: { host: string; port: number }): Promise<void> {
    if (this.closed) throw new Error('the proxy is closed');
    const fixed = fixedTarget(target);
    // A stale socket file from an earlier run would make listen fail with EADDRINUSE.
    rmSync(socketPath, { force: true });
    const listener = createNetServer((client) => void this.fixedTunnel(client, fixed));
    this.tunnelListeners.add(listener);
    try {
      await listen(listener, socketPath);
    } catch (error) {
      this.tunnelListeners.delete(listener);
      throw error;
    }
  }

  /** Stops listening and destroys every open connection and tunnel. */
  async close(): Promise<void> {
    this.closed = true;
    const servers = [this.server, ...this.tunnelListeners];
    const closed = servers.map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await Promise.all(closed);
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

  /** Keeps a socket in the set close() destroys, for as long as it is open. */
  private keep(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Gives a client connection its state, which records it once it closes. */
  private register(socket: Duplex): ConnectionState {
    const state = new ConnectionState(this.options);
    this.keep(socket);
    this.states.set(socket, state);
    socket.once('close', () => state.clientClosed());
    return state;
  }

  private track(socket: Socket): void {
    const state = this.register(socket);
    const headTimeoutMs = this.options.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS;
    // A fixed deadline, not an idle timeout: trickling one byte at a time must not keep it alive.
    const deadline = setTimeout(() => {
      if (!state.seenHead)
        this.refuseHead(socket, new Refusal(408, 'invalid', 'no request head in time'));
    }, headTimeoutMs);
    socket.once('close', () => clearTimeout(deadline));
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
    const early = this.holdEarlyBytes(client, head, 'refuse');
    try {
      const target = this.targetOf(state, parseTarget(req.url ?? '', 443));
      const { address, inspect } = await this.admit(state, target, { kind: 'connect' });
      if (inspect && this.inspector) {
        await this.inspector.accept(client, early.release(), { state, target, address });
        return;
      }
      const upstream = await this.connectPinned(state, address, target.port, client);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      this.pipeTunnel(client, upstream, early.release());
    } catch (error) {
      this.refuseHead(client, asRefusal(error));
    }
  }

  /** A connection on a fixed-target listener: no head to read, so no HTTP is ever written. */
  private async fixedTunnel(client: Socket, target: Target): Promise<void> {
    const state = this.register(client);
    state.seenHead = true;
    state.host = hostText(target.host);
    state.port = target.port;
    // A reset client must not crash the process; pipeTunnel takes over errors later.
    client.on('error', () => client.destroy());
    // A raw client may well send a large request at once: past the limit it waits (TCP
    // backpressure) instead of being cut off.
    const early = this.holdEarlyBytes(client, Buffer.alloc(0), 'pause');
    try {
      const { address } = await this.admit(state, target, { kind: 'tunnel' });
      const upstream = await this.connectPinned(state, address, target.port, client);
      this.pipeTunnel(client, upstream, early.release());
    } catch (error) {
      const refusal = asRefusal(error);
      state.settle(refusal.outcome, refusal.message);
      client.destroy();
    }
  }

  /**
   * Reads the client while its CONNECT waits for a decision, so a client that
   * hangs up is noticed (its socket is half-open otherwise) and bytes sent
   * ahead of the 200, such as a TLS ClientHello, are kept for the upstream.
   * Past maxHeadBytes the client is either cut off or no longer read.
   */
  private holdEarlyBytes(
    client: Duplex,
    head: Buffer,
    overflow: 'refuse' | 'pause',
  ): { release: () => Buffer } {
    const limit = this.options.maxHeadBytes ?? DEFAULT_MAX_HEAD_BYTES;
    const chunks = [head];
    let held = head.length;
    const hold = (chunk: Buffer): void => {
      chunks.push(chunk);
      held += chunk.length;
      if (held <= limit) return;
      if (overflow === 'refuse') client.destroy();
      else client.pause();
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
    let log: RequestLog | null = null;
    try {
      const { authority, path } = splitAbsoluteUrl(req.url ?? '');
      const target = this.targetOf(state, parseTarget(authority, 80));
      const method = req.method ?? 'GET';
      state.method = method;
      state.path = path;
      const fields = { host: hostText(target.host), port: target.port, method, path };
      log = state.openRequest({ ...fields, inspected: false });
      log.finishWith(res);
      // Recorded, then refused: another spelling could route past a path rule at the origin.
      const problem = pathProblem(path);
      if (problem) throw new Refusal(400, 'invalid', problem);
      const { address } = await this.admit(state, target, { kind: 'forward', method, path });
      log.settle('allowed', state.rule);
      const headers = endToEndHeaders(req.headers);
      // Host is rewritten to the decided target so a shared address cannot be steered to
      // another virtual host (domain fronting).
      const plan = await planRequest(
        this.options.guard,
        { ...fields, headers, secure: false },
        { ...headers, host: authorityOf(target), connection: 'close' },
      );
      log.note(plan.note);
      const upstream = await this.connectPinned(state, address, target.port, req.socket);
      this.relayRequest(req, res, upstream, plan, log);
    } catch (error) {
      const refusal = asRefusal(error);
      state.settle(refusal.outcome, refusal.message);
      log?.settle(refusal.outcome, refusal.message);
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
    entry: Entry,
  ): Promise<{ address: string; inspect: boolean }> {
    const host = hostText(target.host);
    const decision = await this.decide(decisionRequest(host, target.port, entry));
    if (!decision.allow) throw new Refusal(403, 'denied', decision.rule);
    const inspect = this.inspectable(decision, entry);
    state.settle('allowed', decision.rule);
    const candidates = target.host.kind === 'ip' ? [host] : await this.resolveName(host);
    const address = pickAddress(candidates, decision.allowAddress);
    if (address.kind === 'refused') throw new Refusal(403, 'denied', address.reason);
    state.address = address.address;
    return { address: address.address, inspect };
  }

  /**
   * Whether to inspect. A rule that asks for inspection where it cannot happen is refused
   * rather than let through uninspected: the rule may allow only some requests inside.
   */
  private inspectable(decision: Decision, entry: Entry): boolean {
    if (decision.inspect !== true) return false;
    // A forward request is already seen and decided whole; there is nothing more to open.
    if (entry.kind === 'forward') return false;
    if (entry.kind === 'tunnel')
      throw new Refusal(403, 'failed', 'a fixed-target tunnel cannot be inspected');
    if (!this.inspector)
      throw new Refusal(403, 'failed', 'inspection is asked for but no CA is configured');
    return true;
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
      state.upstreams.add(upstream);
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
    plan: GuardPlan,
    log: RequestLog,
  ): void {
    const outbound = httpRequest({
      method: req.method,
      path: plan.path,
      headers: plan.headers,
      createConnection: () => upstream,
    });
    const fail = (refusal: Refusal): void => {
      this.states.get(req.socket)?.settle(refusal.outcome, refusal.message);
      log.settle(refusal.outcome, refusal.message);
      refuseResponse(res, refusal);
    };
    let refused = false;
    outbound.on('response', (response) => {
      log.countDown(response);
      if (relayResponse(res, response, plan, { connection: 'close' }, req.method ?? 'GET')) return;
      response.destroy();
      fail(new Refusal(502, 'failed', 'upstream response cannot be relayed'));
    });
    outbound.on('error', () => {
      if (!refused) fail(new Refusal(502, 'failed', 'upstream request failed'));
    });
    log.countUp(req);
    sendUpload(req, outbound, plan, (reason) => {
      refused = true;
      outbound.destroy();
      fail(new Refusal(403, 'denied', reason));
    });
  }

  private refuseHead(socket: Duplex, refusal: Refusal): void {
    const state = this.states.get(socket);
    if (state) {
      // A refused head is final: the head deadline must not overwrite the reason.
      state.seenHead = true;
      state.settle(refusal.outcome, refusal.message);
    }
    if (socket.destroyed) return;
    socket.end(rawRefusal(refusal), () => socket.destroy());
  }
}

function listen(server: Server | NetServer, socketPath: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function decisionRequest(host: string, port: number, entry: Entry): DecisionRequest {
  if (entry.kind === 'forward') return { host, port, method: entry.method, path: entry.path };
  if (entry.kind === 'tunnel') return { host, port, tunnel: true };
  return { host, port };
}

/** A fixed tunnel's target, canonicalised once; a bad one is the caller's error, not a refusal. */
function fixedTarget(target: { host: string; port: number }): Target {
  const host = canonicalHost(target.host);
  if (host.kind === 'invalid') throw new Error(`invalid tunnel host: ${host.reason}`);
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
    throw new Error('invalid tunnel port');
  return { kind: 'target', host, port: target.port };
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

type PickedAddress = { kind: 'picked'; address: string } | { kind: 'refused'; reason: string };

/** The first resolved address that is public, or that the decision names exactly. */
function pickAddress(candidates: string[], allowAddress: string | string[] = []): PickedAddress {
  const named = typeof allowAddress === 'string' ? [allowAddress] : allowAddress;
  const allowed = new Set(named.map(canonicalAddress).filter((address) => address !== null));
  let refusal = 'name resolved to no address';
  for (const candidate of candidates) {
    const address = canonicalAddress(candidate);
    if (address === null) continue;
    const kind = addressClass(address);
    if (kind === 'public' || allowed.has(address)) return { kind: 'picked', address };
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
