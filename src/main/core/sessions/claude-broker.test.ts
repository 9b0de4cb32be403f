/**
 * The real Claude Code CLI through the credential broker: the vault holds ANTHROPIC_API_KEY (or
 * an account's CLAUDE_CODE_OAUTH_TOKEN), the agent gets the broker's URL and a placeholder, and the
 * loopback "Anthropic API" receives the real value in `x-api-key` (or `Authorization: Bearer`).
 * The value is nowhere the agent can see: not in its environment (read from /proc), its files,
 * its recording, nor the audit store.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerService, type BrokerCallRecord } from '../broker';
import { makeRepository } from '../git/testing';
import { bridgeDir } from '../sandbox';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../../../test-support/fixtures/anthropic-server';
import { sandboxAvailable } from '../../../test-support/sandbox-host';
import { testSessions } from '../../../test-support/sessions';
import { tempDir } from '../../../test-support/temp';

const REAL_KEY = 'sk-ant-api03-REAL-broker-test-0123456789abcdefghijklmnopqrstuvw';
const person = { actor: 'person' as const, actorId: 'ada' };

let server: AnthropicServer | null = null;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
  await server?.close();
  server = null;
});

// The broker serves sandboxed sessions only: skipped (and listed) where the sandbox cannot run.
const CREDENTIALS = [
  { secret: 'ANTHROPIC_API_KEY', sent: (headers: Headers) => headers['x-api-key'] },
  // What `claude setup-token` prints for an account: Claude Code sends it as a bearer token.
  { secret: 'CLAUDE_CODE_OAUTH_TOKEN', sent: (headers: Headers) => headers.authorization },
] as const;
type Headers = Record<string, string | string[] | undefined>;

// The broker serves sandboxed sessions only: skipped (and listed) where the sandbox cannot run.
describe.skipIf(!sandboxAvailable)('Claude Code through the credential broker', () => {
  it.each(CREDENTIALS)(
    'reaches the provider with the real $secret, and never holds it',
    async ({ secret, sent }) => {
      server = await startAnthropicServer({
        turns: [{ content: [{ type: 'text', text: 'Hello through the broker.' }] }],
        fallbackText: 'ok',
      });
      const upstream = server.url;
      const calls: BrokerCallRecord[] = [];
      const home = tempDir();
      const { store, sessions, close } = testSessions({
        home,
        presets: [],
        knownSecrets: async () => [{ name: secret, value: REAL_KEY }],
        modelBroker: ({ sessionId, agent }) =>
          new BrokerService({
            secrets: () => [{ name: secret, hosts: [], header: 'Authorization: Bearer {}' }],
            value: async () => REAL_KEY,
            upstreams: () => ({ anthropic: upstream }),
            record: (_id, kind, payload) => {
              if (kind === 'broker.call') calls.push(payload as unknown as BrokerCallRecord);
            },
          }).openModelBroker({ sessionId, agent, bridgeDir: bridgeDir(sessionId) }),
      });
      cleanup.push(close);
      const repo = makeRepository(tempDir(), { 'README.md': '# demo\n' });
      let screen = '';
      sessions.onOutput((_id, data) => (screen += data));
      const session = await sessions.start(
        { project: repo, preset: 'claude', task: 'Say hello.' },
        person,
      );
      const deadline = Date.now() + 90_000;
      // The TUI moves the cursor between words: read the text without its escape sequences.
      // eslint-disable-next-line no-control-regex -- escape sequences start with ESC
      const text = () => screen.replace(/\x1b\[[0-9;?>]*[A-Za-z]/g, '').replace(/\s+/g, '');
      while (!text().includes('Hellothroughthebroker')) {
        if (Date.now() > deadline)
          throw new Error(
            `No answer through the broker. Calls: ${JSON.stringify(calls)}; upstream saw: ${JSON.stringify(server?.requests.map((r) => `${r.method} ${r.url} ${String(r.turn)}`))}; screen: ${text().slice(-600)}`,
          );
        if (screen.includes('Detected a custom API key'))
          throw new Error('Claude Code asked about the placeholder key');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The agent's own environment, read from the host while it runs.
      const environments = sessions.sandbox
        .processes(session.id)
        .map((pid) => {
          try {
            return readFileSync(`/proc/${pid}/environ`, 'latin1');
          } catch {
            return '';
          }
        })
        .join('\n');
      expect(environments).toContain(`${secret}=paddock-ph-${secret}-`);
      // The key's usual variable is not set beside the token: Claude Code would send that instead.
      if (secret !== 'ANTHROPIC_API_KEY') expect(environments).not.toContain('ANTHROPIC_API_KEY=');
      expect(environments).not.toContain(REAL_KEY);
      sessions.stop(session.id, person);
      await sessions.waitForExit(session.id);

      const messages = server.requests.filter((request) => request.url.includes('/v1/messages'));
      expect(messages.length).toBeGreaterThan(0);
      const expected = secret === 'ANTHROPIC_API_KEY' ? REAL_KEY : `Bearer ${REAL_KEY}`;
      for (const request of messages) expect(sent(request.headers)).toBe(expected);
      expect(calls.some((call) => call.status === 200 && call.refused === null)).toBe(true);
      // Nowhere the agent writes or Paddock records.
      const files = spawnSync('grep', ['-rlF', '--', REAL_KEY, home], { encoding: 'utf8' }).stdout;
      expect(files).toBe('');
      expect(JSON.stringify(store.list({ limit: 10_000 }))).not.toContain(REAL_KEY);
      expect(screen).not.toContain(REAL_KEY);
    },
    150_000,
  );
});
