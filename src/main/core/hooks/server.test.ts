/**
 * A fake client of the hook endpoint, for what the real Claude Code cannot be made to send:
 * garbage, oversized messages, a wrong token, a connection cut mid-message. Each is denied or
 * refused, and the endpoint keeps serving.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HookServer, MAX_HOOK_BYTES, type HookHandlers } from './index';

const servers: HookServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function endpoint(handlers: Partial<HookHandlers> = {}) {
  const reported: string[] = [];
  const server = new HookServer({
    preToolUse: async (_id, call) => ({ allow: call.subject === 'Bash(ls)', reason: 'by rule' }),
    reported: (_id, event) => reported.push(event),
    waiting: (_id, why) => reported.push(`waiting: ${why}`),
    ...handlers,
  });
  servers.push(server);
  return { server, reported };
}

function post(
  url: string,
  body: string | Buffer,
  socketPath?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' }, socketPath },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const preToolUse = (command: string) =>
  JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command } });
const decisionOf = (body: string) =>
  (JSON.parse(body) as { hookSpecificOutput?: { permissionDecision?: string } }).hookSpecificOutput
    ?.permissionDecision;

describe('the hook endpoint', () => {
  it('answers PreToolUse allow or deny, never ask, and records what the agent reports', async () => {
    const { server, reported } = endpoint();
    const { url } = await server.register('ses_0123abcd');
    expect(decisionOf((await post(url, preToolUse('ls'))).body)).toBe('allow');
    expect(decisionOf((await post(url, preToolUse('rm -rf /'))).body)).toBe('deny');
    await post(
      url,
      JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: {} }),
    );
    await post(url, JSON.stringify({ hook_event_name: 'Stop' }));
    expect(reported).toEqual(['PostToolUse', 'waiting: the agent finished its turn']);
  });

  it('denies garbage, a malformed call, an oversized message and a wrong token', async () => {
    const { server } = endpoint();
    const { url } = await server.register('ses_0123abcd');
    const garbage = await post(url, 'not json {');
    expect(garbage.status).toBe(400);
    expect(decisionOf(garbage.body)).toBe('deny');
    const malformed = await post(
      url,
      JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash' }),
    );
    expect(decisionOf(malformed.body)).toBe('deny');
    const wrongToken = await post(url.replace(/[0-9a-f]{48}$/, 'f'.repeat(48)), preToolUse('ls'));
    expect(wrongToken.status).toBe(403);
    expect(decisionOf(wrongToken.body)).toBe('deny');
    const unknown = await post(url.replace('ses_0123abcd', 'ses_99999999'), preToolUse('ls'));
    expect(unknown.status).toBe(403);
    const huge = await post(url, Buffer.alloc(MAX_HOOK_BYTES + 10, 'a')).catch(() => null);
    if (huge) expect(decisionOf(huge.body)).toBe('deny'); // or the connection is cut: never an allow
    // Still serving.
    expect(decisionOf((await post(url, preToolUse('ls'))).body)).toBe('allow');
  });

  it('survives a connection closed mid-message, and denies when the decision fails', async () => {
    const { server } = endpoint({
      preToolUse: async () => {
        throw new Error('the policy file broke');
      },
    });
    const { url } = await server.register('ses_0123abcd');
    const { port, pathname } = new URL(url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST ${pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"hook_`);
        socket.destroy();
        resolve();
      });
    });
    const answer = await post(url, preToolUse('ls'));
    expect(decisionOf(answer.body)).toBe('deny');
    expect(answer.body).toContain('the policy file broke');
  });

  it('forgets a session: its URL is refused afterwards', async () => {
    const { server } = endpoint();
    const { url } = await server.register('ses_0123abcd');
    server.unregister('ses_0123abcd');
    expect((await post(url, preToolUse('ls'))).status).toBe(403);
  });

  it('serves a session on its own socket, which speaks for that session only', async () => {
    const { server } = endpoint();
    const dir = mkdtempSync(join(tmpdir(), 'paddock-hooks-'));
    try {
      const mine = await server.register('ses_0123abcd');
      const other = await server.register('ses_4567cdef');
      const bridge = await server.bridge('ses_0123abcd', join(dir, 'hooks.sock'));
      expect(bridge.port).toBe(Number(new URL(mine.url).port));
      const answer = await post(mine.url, preToolUse('ls'), bridge.socket);
      expect(decisionOf(answer.body)).toBe('allow');
      // The other session's URL and token are right, but not through this session's bridge.
      const crossed = await post(other.url, preToolUse('ls'), bridge.socket);
      expect(crossed.status).toBe(403);
      expect(crossed.body).toContain('this bridge serves another session');
      server.unregister('ses_0123abcd');
      expect((await post(mine.url, preToolUse('ls'), bridge.socket)).status).toBe(403);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
