/**
 * The contract over an authenticated WebSocket on 127.0.0.1, plus (for the headless host) the built
 * renderer over plain http on the same port.
 *
 * Who gets in: a client that presents the per-launch token (as a subprotocol: browsers cannot set
 * headers). A request that carries an Origin must come from this host's own page, and every request
 * must name this host in its Host header, so a web page the person visits cannot drive Paddock,
 * not even through DNS rebinding.
 */
import { timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ContractError, isTopic, type Topic } from '../../shared/contract';
import { CLOSE_UNAUTHORIZED } from '../../shared/contract/ws-client';
import {
  MAX_FRAME_BYTES,
  PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
  type ClientFrame,
  type ServerFrame,
} from '../../shared/contract/wire';
import type { EventHub } from './event-hub';
import type { Router } from './router';

export interface WsServerOptions {
  router: Router;
  hub: EventHub;
  token: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The built renderer to serve over http; none for a host that only serves the CLI. */
  staticDir?: string | null;
  maxFrameBytes?: number;
}

export interface WsServer {
  port: number;
  /** The page to open, token in the fragment (never sent over the wire by the browser). */
  url: string;
  clients(): number;
  close(): Promise<void>;
}

/** A client that reads slower than events arrive is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export async function startWsServer(options: WsServerOptions): Promise<WsServer> {
  const http = createServer((request, response) =>
    serveStatic(request, response, options.staticDir ?? null, port),
  );
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxFrameBytes ?? MAX_FRAME_BYTES,
    handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
  });
  let port = 0;

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal =
      refuseRequest(request, port) ??
      (new URL(request.url ?? '/', 'http://x').pathname === '/ws' ? null : 'not found');
    if (refusal) {
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${refusal}\n`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      // Accept, then close with a reason the client can show: a browser sees no HTTP status on a failed upgrade.
      if (!hasToken(request, options.token))
        return ws.close(CLOSE_UNAUTHORIZED, 'missing or wrong access token');
      serveConnection(ws, options);
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolvePromise());
  });
  port = (http.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/#token=${options.token}`,
    clients: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolvePromise) => {
        for (const client of wss.clients) client.close(1001, 'Paddock is shutting down');
        wss.close();
        http.close(() => resolvePromise());
        http.closeAllConnections();
      }),
  };
}

function serveConnection(ws: WebSocket, options: WsServerOptions): void {
  const subscriptions = new Map<Topic, () => void>();
  const send = (frame: ServerFrame) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES)
      return ws.close(1013, 'client too slow: reconnect to catch up');
    ws.send(JSON.stringify(frame));
  };
  send({ type: 'hello', protocol: PROTOCOL });
  const badFrame = (message: string) =>
    send({ type: 'error', error: new ContractError('bad-frame', message).toShape() });

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return badFrame('Binary frames are not part of the protocol: send JSON text.');
    const frame = parseFrame(data.toString());
    if (!frame)
      return badFrame(
        'Unreadable frame: expected a JSON object with type call, subscribe or unsubscribe.',
      );
    if (frame.type === 'call') {
      void options.router
        .handle(frame.name, frame.input)
        .then((result) => send({ type: 'result', id: frame.id, ...result }));
    } else if (frame.type === 'subscribe' && !subscriptions.has(frame.topic)) {
      subscriptions.set(
        frame.topic,
        options.hub.subscribe(frame.topic, (payload) =>
          send({ type: 'event', topic: frame.topic, payload }),
        ),
      );
    } else if (frame.type === 'unsubscribe') {
      subscriptions.get(frame.topic)?.();
      subscriptions.delete(frame.topic);
    }
  });
  ws.on('close', () => {
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    subscriptions.clear();
  });
  ws.on('error', () => ws.terminate());
}

/** Checks the frame's shape; the call's name and input are checked by the router. */
function parseFrame(text: string): ClientFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const frame = value as Record<string, unknown>;
  if (frame.type === 'call' && Number.isSafeInteger(frame.id)) {
    return {
      type: 'call',
      id: frame.id as number,
      name: frame.name as never,
      input: frame.input,
    };
  }
  if ((frame.type === 'subscribe' || frame.type === 'unsubscribe') && isTopic(frame.topic))
    return { type: frame.type, topic: frame.topic };
  return null;
}

function hasToken(request: IncomingMessage, token: string): boolean {
  const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const presented =
    offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length) ??
    '';
  const expected = Buffer.from(token);
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Why a request must be refused, or null. */
function refuseRequest(request: IncomingMessage, port: number): string | null {
  const own = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!own.includes(request.headers.host ?? '')) return 'wrong Host header';
  const origin = request.headers.origin;
  if (origin !== undefined && !own.some((host) => origin === `http://${host}`))
    return 'foreign Origin';
  return null;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function serveStatic(
  request: IncomingMessage,
  response: ServerResponse,
  staticDir: string | null,
  port: number,
): void {
  const refusal = refuseRequest(request, port);
  if (refusal)
    return void response.writeHead(403, { 'Content-Type': 'text/plain' }).end(`${refusal}\n`);
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return void response.writeHead(405, { Allow: 'GET, HEAD' }).end();
  if (!staticDir)
    return void response
      .writeHead(404, { 'Content-Type': 'text/plain' })
      .end('This Paddock host serves no UI. Build it with `npm run build`.\n');
  const file = resolveStaticFile(staticDir, request.url ?? '/');
  if (!file)
    return void response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': file.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(file).pipe(response);
}

/** The file under `root` for a URL path, or null: nothing outside `root` is ever served. */
function resolveStaticFile(root: string, url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://x').pathname);
  } catch {
    return null;
  }
  const base = resolve(root);
  const candidate = resolve(base, `.${sep}${normalize(path === '/' ? 'index.html' : path)}`);
  if (candidate !== base && !candidate.startsWith(base + sep)) return null;
  try {
    return statSync(candidate).isFile() ? candidate : null;
  } catch {
    return null;
  }
}
