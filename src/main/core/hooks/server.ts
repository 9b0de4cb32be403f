/**
 * The agents' hook endpoint: Claude Code posts each PreToolUse, PostToolUse, UserPromptSubmit,
 * Notification and Stop here (HTTP hooks: no process per tool call), one URL per session with a
 * token of its own, on 127.0.0.1. A sandboxed session reaches it through a Unix socket of its own
 * (`bridge`), bridged into its sandbox at the same port: a request arriving there may only speak
 * for that session.
 *
 * PreToolUse is answered `allow` or `deny`, by the policy or by a person through the inbox (held
 * until then), never `ask`: that would show Claude's own prompt instead of the inbox. Anything
 * that cannot be decided (unknown session, wrong token, malformed, over 1 MiB, Paddock stopping)
 * is denied. Everything else the agent posts is what it *reports*: recorded as such, and never
 * used for a security decision (the agent can post here as well as Claude Code can).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import { createServer as createSocketServer, type AddressInfo, type Socket } from 'node:net';
import { toPermissionRequest, type ToolCall } from './tool-call';

export const MAX_HOOK_BYTES = 1024 * 1024;

/** A session the endpoint serves. */
export interface HookSession {
  sessionId: string;
  token: string;
}

export type PreToolAnswer = { allow: boolean; reason: string };

/** What the endpoint asks of the rest of Paddock. */
export interface HookHandlers {
  /** The policy, then the inbox: resolves when decided. */
  preToolUse(sessionId: string, call: ToolCall): Promise<PreToolAnswer>;
  /** PostToolUse, UserPromptSubmit: recorded as reported by the agent. */
  reported(sessionId: string, event: string, body: Record<string, unknown>): void;
  /** Notification, Stop: the agent says it waits for the person. */
  waiting(sessionId: string, why: string): void;
}

export class HookServer {
  private readonly sessions = new Map<string, string>();
  /** Per sandboxed session: its socket listener, and which session each of its connections is. */
  private readonly bridges = new Map<string, ReturnType<typeof createSocketServer>>();
  private readonly boundTo = new WeakMap<Socket, string>();
  private server: Server | null = null;
  private port = 0;
  private stopping = false;

  constructor(private readonly handlers: HookHandlers) {}

  /** Listens on 127.0.0.1 (a free port) if not yet; returns the session's hook URL. */
  async register(sessionId: string): Promise<{ url: string; token: string }> {
    await this.listen();
    const token = randomBytes(24).toString('hex');
    this.sessions.set(sessionId, token);
    return { url: `http://127.0.0.1:${this.port}/hooks/${sessionId}/${token}`, token };
  }

  /**
   * Serves the session's hooks on a Unix socket too (for its sandbox's bridge); returns the bridge:
   * the socket, and the port the hook URL names.
   */
  async bridge(sessionId: string, socket: string): Promise<{ socket: string; port: number }> {
    await this.listen();
    const server = this.server as Server;
    const listener = createSocketServer((connection) => {
      this.boundTo.set(connection, sessionId);
      server.emit('connection', connection);
    });
    rmSync(socket, { force: true });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(socket, () => resolve());
    });
    this.bridges.get(sessionId)?.close();
    this.bridges.set(sessionId, listener);
    return { socket, port: this.port };
  }

  unregister(sessionId: string): void {
    this.sessions.delete(sessionId);
    this.bridges.get(sessionId)?.close();
    this.bridges.delete(sessionId);
  }

  async close(): Promise<void> {
    this.stopping = true;
    const server = this.server;
    this.server = null;
    for (const listener of this.bridges.values()) listener.close();
    this.bridges.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((request, response) => void this.handle(request, response));
    // A tool call may wait for a person for minutes: never time the request out here.
    server.requestTimeout = 0;
    server.headersTimeout = 10_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/hooks\/(ses_[0-9a-f]{8})\/([0-9a-f]{48})$/.exec(request.url ?? '');
    if (request.method !== 'POST' || !match)
      return reply(response, 404, deny('not a hook endpoint'));
    const [, sessionId = '', token = ''] = match;
    const bound = this.boundTo.get(request.socket);
    if (bound !== undefined && bound !== sessionId)
      return reply(response, 403, deny('this bridge serves another session'));
    if (!this.authentic(sessionId, token))
      return reply(response, 403, deny('unknown session or wrong token'));
    let body: Record<string, unknown>;
    try {
      body = await readJson(request);
    } catch (error) {
      return reply(response, 400, deny((error as Error).message));
    }
    if (this.stopping) return reply(response, 503, deny('Paddock is shutting down'));
    reply(response, 200, await this.answer(sessionId, body));
  }

  private authentic(sessionId: string, token: string): boolean {
    const expected = this.sessions.get(sessionId);
    if (expected === undefined || expected.length !== token.length) return false;
    return timingSafeEqual(Buffer.from(expected), Buffer.from(token));
  }

  private async answer(sessionId: string, body: Record<string, unknown>): Promise<unknown> {
    const event = body.hook_event_name;
    if (event === 'PreToolUse') {
      const call = toPermissionRequest(body);
      if (!call) return deny('a malformed tool call');
      const answer = await this.handlers.preToolUse(sessionId, call).catch((error: unknown) => ({
        allow: false,
        reason: `Paddock could not decide: ${(error as Error).message}`,
      }));
      return answer.allow ? allow(answer.reason) : deny(answer.reason);
    }
    if (event === 'PostToolUse' || event === 'UserPromptSubmit')
      this.handlers.reported(sessionId, event, body);
    else if (event === 'Notification')
      this.handlers.waiting(
        sessionId,
        typeof body.message === 'string' ? body.message.slice(0, 500) : 'notification',
      );
    else if (event === 'Stop') this.handlers.waiting(sessionId, 'the agent finished its turn');
    return {};
  }
}

function allow(reason: string) {
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'allow',
      permissionDecisionReason: reason,
    },
  };
}

function deny(reason: string) {
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: reason,
    },
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** The body as a JSON object; refuses more than MAX_HOOK_BYTES, and a connection cut short. */
function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_HOOK_BYTES) {
        reject(new Error(`a hook message over ${MAX_HOOK_BYTES} bytes`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('aborted', () => reject(new Error('the connection closed mid-message')));
    request.on('error', reject);
    request.on('end', () => {
      try {
        const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          throw new Error('not an object');
        resolve(value as Record<string, unknown>);
      } catch (error) {
        reject(new Error(`a hook message that is not a JSON object (${(error as Error).message})`));
      }
    });
  });
}
