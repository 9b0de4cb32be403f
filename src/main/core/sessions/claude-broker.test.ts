/**
 * The real Claude Code CLI through the credential broker: the vault holds ANTHROPIC_API_KEY, the
 * agent gets the broker's URL and a placeholder, and the loopback "Anthropic API" receives the real
 * key in `x-api-key`. The key is nowhere the agent can see: not in its environment (read from
 * /proc), its files, its recording, nor the audit store.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openSessionBroker, type BrokerCallRecord } from '../broker';
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
describe.skipIf(!sandboxAvailable)('Claude Code through the credential broker', () => {
  it('reaches the provider with the real key, and never holds it', async () => {
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
      knownSecrets: async () => [{ name: 'ANTHROPIC_API_KEY', value: REAL_KEY }],
      modelBroker: ({ sessionId, agent }) =>
        openSessionBroker({
          sessionId,
          agent,
          bridgeDir: bridgeDir(sessionId),
          secretNames: () => ['ANTHROPIC_API_KEY'],
          secretValue: async () => REAL_KEY,
          upstreams: { anthropic: upstream },
          onCall: (record) => calls.push(record),
        }),
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
    expect(environments).toContain('ANTHROPIC_API_KEY=paddock-ph-ANTHROPIC_API_KEY-');
    expect(environments).not.toContain(REAL_KEY);
    sessions.stop(session.id, person);
    await sessions.waitForExit(session.id);

    const messages = server.requests.filter((request) => request.url.includes('/v1/messages'));
    expect(messages.length).toBeGreaterThan(0);
    for (const request of messages) expect(request.headers['x-api-key']).toBe(REAL_KEY);
    expect(calls.some((call) => call.status === 200 && call.refused === null)).toBe(true);
    // Nowhere the agent writes or Paddock records.
    const files = spawnSync('grep', ['-rlF', '--', REAL_KEY, home], { encoding: 'utf8' }).stdout;
    expect(files).toBe('');
    expect(JSON.stringify(store.list({ limit: 10_000 }))).not.toContain(REAL_KEY);
    expect(screen).not.toContain(REAL_KEY);
  }, 150_000);
});
