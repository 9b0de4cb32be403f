/**
 * TLS inspection for CONNECT tunnels whose rule asks for it: the proxy ends the client's TLS
 * with a leaf from the session CA, reads each HTTP/1.1 request inside, decides it on its own
 * (method and path included), and relays the allowed ones over a fresh, verified TLS connection
 * to the address pinned when the CONNECT was admitted. Nothing is resolved again.
 *
 * A refused request gets a plain-text answer and the connection keeps serving, so a tool sees
 * the reason and can go on; only when the refused request's body has not fully arrived is the
 * connection closed, rather than reading a possibly huge upload just to throw it away.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import {
  checkServerIdentity,
  createSecureContext,
  rootCertificates,
  TLSSocket,
  type PeerCertificate,
  type SecureContext,
} from 'node:tls';
import type { LeafCertificate } from './ca';
import type { ConnectionState, RequestLog } from './connection-state';
import { hostText, parseTarget, type Target } from './hostname';
import {
  asRefusal,
  endToEndHeaders,
  httpsHostHeader,
  pathProblem,
  plainReason,
  rawRefusal,
  Refusal,
} from './http-shared';
import { planRequest, relayResponse, sendUpload, type GuardPlan, type RequestGuard } from './guard';
import type { Decision, DecisionRequest, InspectionOptions } from './types';

export interface InspectorOptions extends InspectionOptions {
  /** Decides one request; a failure must already be a Refusal (fail closed). */
  decide: (request: DecisionRequest) => Promise<Decision>;
  maxHeadBytes: number;
  /** For the TLS handshake, and for each request head once the tunnel is idle. */
  headTimeoutMs: number;
  connectTimeoutMs: number;
  /** Sees each allowed request before it leaves (see guard.ts). */
  guard?: RequestGuard;
  /** Hands a socket to the proxy so closing the proxy destroys it. */
  track: (socket: Duplex) => void;
}

/** One inspected tunnel: where it was admitted to and the upstream connections it may reuse. */
interface Tunnel {
  state: ConnectionState;
  target: Target;
  address: string;
  agent: Agent;
  /** Requests whose response is not over yet. */
  inFlight: number;
  headDeadline: NodeJS.Timeout | undefined;
}

const HTTP_1_1 = ['http/1.1'];
const CERTIFICATE_ERROR = /CERT|SIGNATURE|ISSUER|ALTNAME|SELF_SIGNED|UNABLE_TO_VERIFY/;
const ERROR_CODE = /^[A-Z0-9_]{1,64}$/;

export class Inspector {
  // Never listens: it only parses the decrypted sockets handed to it.
  private readonly server: Server;
  private readonly tunnels = new WeakMap<Duplex, Tunnel>();
  private readonly leafContexts = new WeakMap<LeafCertificate, SecureContext>();
  private readonly upstreamContext: SecureContext | undefined;

  constructor(private readonly options: InspectorOptions) {
    this.server = createServer({
      maxHeaderSize: options.maxHeadBytes,
      // Each request may wait for a person in the approval inbox.
      requestTimeout: 0,
    });
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void this.serve(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex) =>
      this.refuseInside(req, socket, 'protocol upgrade inside an inspected tunnel'),
    );
    this.server.on('connect', (req: IncomingMessage, socket: Duplex) =>
      this.refuseInside(req, socket, 'CONNECT inside an inspected tunnel'),
    );
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      const oversized = error.code === 'HPE_HEADER_OVERFLOW';
      const refusal = oversized
        ? new Refusal(431, 'invalid', 'request head too large')
        : new Refusal(400, 'invalid', 'malformed request');
      if (!socket.writable) return void socket.destroy();
      socket.end(rawRefusal(refusal), () => socket.destroy());
    });
    this.upstreamContext = options.upstreamCa?.length
      ? // A ca list replaces Node's roots, so they are named again next to the extra ones.
        createSecureContext({ ca: [...rootCertificates, ...options.upstreamCa] })
      : undefined;
  }

  /**
   * Answers an admitted CONNECT with 200 and ends the client's TLS with a leaf for the target.
   * `early` holds bytes the client sent before the 200 (an eager ClientHello).
   */
  async accept(
    client: Duplex,
    early: Buffer,
    tunnel: { state: ConnectionState; target: Target; address: string },
  ): Promise<void> {
    const leaf = await this.leafFor(tunnel.target);
    if (client.destroyed) throw new Refusal(400, 'failed', 'client left before the tunnel opened');
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const secure = new TLSSocket(streamOver(client, early), {
      isServer: true,
      secureContext: this.contextFor(leaf),
      ALPNProtocols: HTTP_1_1,
    });
    tunnel.state.inspected = true;
    this.options.track(secure);
    // One agent per tunnel: its kept-alive upstream connections never serve another client.
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 1,
      ALPNProtocols: HTTP_1_1,
      secureContext: this.upstreamContext,
      rejectUnauthorized: true,
    });
    this.handshake(client, secure, { ...tunnel, agent, inFlight: 0, headDeadline: undefined });
  }

  private async leafFor(target: Target): Promise<LeafCertificate> {
    try {
      return await this.options.ca.leafFor(target.host);
    } catch {
      throw new Refusal(502, 'failed', 'no certificate could be made for the host');
    }
  }

  private contextFor(leaf: LeafCertificate): SecureContext {
    let context = this.leafContexts.get(leaf);
    if (!context) {
      context = createSecureContext({ cert: leaf.cert, key: leaf.key });
      this.leafContexts.set(leaf, context);
    }
    return context;
  }

  private handshake(client: Duplex, secure: TLSSocket, tunnel: Tunnel): void {
    let established = false;
    let failed = false;
    const fail = (rule: string): void => {
      if (established || failed) return;
      failed = true;
      tunnel.state.settle('failed', rule);
    };
    // A client that opens the tunnel and never finishes the handshake must not hold it forever.
    const deadline = setTimeout(() => {
      fail('client TLS handshake did not finish in time');
      secure.destroy();
    }, this.options.headTimeoutMs);
    secure.once('secure', () => {
      established = true;
      clearTimeout(deadline);
      this.tunnels.set(secure, tunnel);
      this.awaitHead(secure, tunnel);
      this.server.emit('connection', secure);
    });
    secure.on('error', () => {
      fail('client TLS handshake failed (does it trust the session CA?)');
      secure.destroy();
    });
    // TLS does not end a socket whose peer hangs up mid-handshake; this does.
    client.once('end', () => {
      if (!established) secure.destroy();
    });
    secure.once('close', () => {
      // A client that rejects the certificate may just hang up, without an alert.
      fail('client left during the TLS handshake (does it trust the session CA?)');
      clearTimeout(deadline);
      clearTimeout(tunnel.headDeadline);
      tunnel.agent.destroy();
      client.destroy();
    });
  }

  /**
   * Gives an idle tunnel headTimeoutMs for its next request head. Node enforces its own
   * headersTimeout only on servers that listen, and this one never does: without this, a
   * client trickling a head one byte at a time would hold the tunnel open forever.
   */
  private awaitHead(secure: Duplex, tunnel: Tunnel): void {
    clearTimeout(tunnel.headDeadline);
    tunnel.headDeadline = setTimeout(() => secure.destroy(), this.options.headTimeoutMs);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Held here: by the time the response closes, Node may have detached it (req.socket is null).
    const socket = req.socket;
    const tunnel = this.tunnels.get(socket);
    if (!tunnel) return void res.destroy();
    clearTimeout(tunnel.headDeadline);
    tunnel.inFlight += 1;
    res.once('close', () => {
      tunnel.inFlight -= 1;
      if (tunnel.inFlight === 0 && !socket.destroyed) this.awaitHead(socket, tunnel);
    });
    const log = openLog(tunnel, req);
    log.finishWith(res);
    try {
      const request = checkedRequest(req, tunnel.target);
      const decision = await this.options.decide(request);
      if (!decision.allow) throw new Refusal(403, 'denied', decision.rule);
      log.settle('allowed', decision.rule);
      const headers = endToEndHeaders(req.headers);
      const { host, port } = request;
      const seen = { host, port, method: req.method ?? 'GET', path: req.url ?? '/' };
      const plan = await planRequest(
        this.options.guard,
        { ...seen, headers, secure: true },
        { ...headers, host: httpsHostHeader(tunnel.target) },
      );
      log.note(plan.note);
      // The client may have gone while a person was deciding: then do not reach out at all.
      if (log.finished) return;
      this.relay(tunnel, req, res, log, plan);
    } catch (error) {
      const refusal = asRefusal(error);
      log.settle(refusal.outcome, refusal.message);
      refuse(req, res, refusal);
    }
  }

  private relay(
    tunnel: Tunnel,
    req: IncomingMessage,
    res: ServerResponse,
    log: RequestLog,
    plan: GuardPlan,
  ): void {
    const { target } = tunnel;
    const host = hostText(target.host);
    const outbound = httpsRequest({
      agent: tunnel.agent,
      host: tunnel.address,
      port: target.port,
      // SNI carries names only; an IP target sends none.
      servername: target.host.kind === 'name' ? host : '',
      method: req.method,
      path: plan.path,
      // Host was rebuilt from the tunnel's target, which the client's Host was checked against.
      headers: plan.headers,
      rejectUnauthorized: true,
      // The connection goes to an address, so the name is checked explicitly against the certificate.
      checkServerIdentity: (_name: string, cert: PeerCertificate) =>
        checkServerIdentity(host, cert),
    });
    outbound.on('socket', (socket: Socket) => this.watchUpstream(tunnel, socket));
    let refused = false;
    outbound.on('response', (response: IncomingMessage) => {
      log.countDown(response);
      response.once('error', () => log.settle('failed', 'the upstream response was cut short'));
      // Streams with backpressure, and tears both sides down if either fails.
      if (relayResponse(res, response, plan, {}, req.method ?? 'GET')) return;
      response.destroy();
      const refusal = new Refusal(502, 'failed', 'upstream response cannot be relayed');
      log.settle(refusal.outcome, refusal.message);
      refuse(req, res, refusal);
    });
    outbound.on('error', (error: NodeJS.ErrnoException) => {
      if (refused) return;
      const refusal = upstreamRefusal(error);
      log.settle(refusal.outcome, refusal.message);
      refuse(req, res, refusal);
    });
    log.countUp(req);
    sendUpload(req, outbound, plan, (reason) => {
      refused = true;
      const refusal = new Refusal(403, 'denied', reason);
      log.settle(refusal.outcome, refusal.message);
      outbound.destroy();
      refuse(req, res, refusal);
    });
  }

  /** Counts a new upstream connection's bytes and bounds how long it may take to connect. */
  private watchUpstream(tunnel: Tunnel, socket: Socket): void {
    const { upstreams } = tunnel.state;
    if (upstreams.has(socket)) return; // a kept-alive connection, already established
    upstreams.add(socket);
    const timeout = Object.assign(new Error('upstream connect timeout'), { code: 'ETIMEDOUT' });
    const deadline = setTimeout(() => socket.destroy(timeout), this.options.connectTimeoutMs);
    socket.once('secureConnect', () => clearTimeout(deadline));
    socket.once('close', () => clearTimeout(deadline));
  }

  private refuseInside(req: IncomingMessage, socket: Duplex, reason: string): void {
    const tunnel = this.tunnels.get(socket);
    const refusal = new Refusal(400, 'invalid', `${reason} is not supported`);
    if (tunnel) {
      const log = openLog(tunnel, req);
      log.settle(refusal.outcome, refusal.message);
      log.finish(refusal.status);
    }
    socket.end(rawRefusal(refusal), () => socket.destroy());
  }
}

/**
 * The client socket as a plain stream, with the early bytes in front. Handed the net.Socket
 * itself, TLSSocket takes over its handle, and in testing the socket's own close event (which
 * records the connection) then came late or not at all; over this stream the socket keeps its
 * handle and its lifecycle, and closing either side closes the other.
 */
function streamOver(client: Duplex, early: Buffer): Duplex {
  const stream = new Duplex({
    read: () => void client.resume(),
    // Done at once unless the socket is full: waiting for each chunk to reach the kernel would
    // send one TLS record at a time.
    write: (chunk: Buffer, _encoding, done) => {
      if (client.write(chunk)) done();
      else client.once('drain', () => done());
    },
    final: (done) => void client.end(done),
    destroy: (error, done) => {
      client.destroy();
      done(error);
    },
  });
  if (early.length > 0) stream.push(early);
  client.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) client.pause();
  });
  client.once('end', () => stream.push(null));
  client.once('close', () => stream.destroy());
  client.on('error', () => stream.destroy());
  return stream;
}

function openLog(tunnel: Tunnel, req: IncomingMessage): RequestLog {
  return tunnel.state.openRequest({
    host: hostText(tunnel.target.host),
    port: tunnel.target.port,
    method: req.method ?? 'GET',
    path: req.url ?? '',
    inspected: true,
  });
}

/**
 * The decision request for one request inside the tunnel, once it is known to be for the
 * tunnel's own host: a Host naming another one would reach a different virtual host on the
 * same address than the one decided (domain fronting).
 */
function checkedRequest(req: IncomingMessage, target: Target): DecisionRequest {
  const path = req.url ?? '';
  if (!path.startsWith('/'))
    throw new Refusal(400, 'invalid', 'only origin-form request targets are served in a tunnel');
  // Clients send paths in this form; another spelling would let a rule's path match differ from
  // the resource the origin serves.
  const problem = pathProblem(path);
  if (problem) throw new Refusal(400, 'invalid', problem);
  const hosts = req.headersDistinct.host ?? [];
  if (hosts.length !== 1) throw new Refusal(400, 'invalid', 'exactly one Host header is needed');
  const named = parseTarget(hosts[0] ?? '', 443);
  if (named.kind === 'invalid' || !sameTarget(named, target))
    throw new Refusal(421, 'denied', 'the Host header names another host than the tunnel');
  const method = req.method ?? 'GET';
  return { host: hostText(target.host), port: target.port, method, path, inspected: true };
}

function sameTarget(a: Target, b: Target): boolean {
  return a.port === b.port && a.host.kind === b.host.kind && hostText(a.host) === hostText(b.host);
}

function upstreamRefusal(error: NodeJS.ErrnoException): Refusal {
  const code = ERROR_CODE.test(error.code ?? '') ? (error.code ?? '') : 'unknown';
  if (CERTIFICATE_ERROR.test(code))
    return new Refusal(502, 'failed', `upstream certificate rejected (${code})`);
  return new Refusal(502, 'failed', `upstream request failed (${code})`);
}

function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) return void res.destroy();
  const body = `${plainReason(refusal.message)}\n`;
  // Keep the connection when the request has no body still to come; otherwise close rather
  // than read an upload that is going nowhere.
  const close = bodyPending(req) ? { connection: 'close' } : {};
  res.writeHead(refusal.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...close,
  });
  res.end(body);
}

// Refusals may be sent while the head is still being handled, before Node marks even a
// bodiless request complete, so the framing headers say whether a body is on its way.
function bodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
