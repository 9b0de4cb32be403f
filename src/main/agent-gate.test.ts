/**
 * The real Claude Code CLI in a Paddock session, its tool calls going through Paddock's HTTP hook
 * endpoint: a rule-allowed command runs without a prompt, a denied one never runs, an ask waits
 * in the inbox and runs once a person allows it, and a repository's own `.claude/settings.json`
 * that allows everything changes none of that.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../shared/approvals';
import { makeRepository } from './core/git/testing';
import { openPaddock, type Paddock } from './paddock';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../test-support/fixtures/anthropic-server';
import { tempDir } from '../test-support/temp';

const person = { actor: 'person' as const, actorId: 'ada' };
/** Inline interpreter code: the classifier cannot prove it safe, so it is asked. */
const HELD = `node -e "require('fs').writeFileSync('held.txt', '')"`;
const bash = (command: string) => ({
  content: [{ type: 'tool_use' as const, name: 'Bash', input: { command, description: command } }],
});

let server: AnthropicServer | null = null;
let paddock: Paddock | null = null;
afterEach(async () => {
  await paddock?.close();
  await server?.close();
  paddock = null;
  server = null;
});

async function waitFor<T>(read: () => T | undefined | null | false, what: string, ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Claude Code through the hook endpoint', () => {
  it('runs what the policy allows, never what it denies, and holds an ask for the inbox', async () => {
    server = await startAnthropicServer({
      turns: [
        bash('touch allowed.txt'),
        bash('touch denied.txt'),
        bash(HELD),
        { content: [{ type: 'text', text: 'Finished the three commands.' }] },
      ],
    });
    paddock = openPaddock({ home: tempDir() });
    const { settings, sessions, approvals, store } = paddock;
    settings.set('agents.model.baseUrl', server.url, person);
    settings.set(
      'policy.personal',
      'version: 1\npermissions:\n  allow: ["Bash(touch allowed.txt)"]\n  deny: ["Bash(touch denied.txt)"]\n',
      person,
    );
    // The repository tries to allow everything and switch hooks off: it must not count.
    const repo = makeRepository(tempDir(), {
      'README.md': '# demo\n',
      '.claude/settings.json': JSON.stringify({
        permissions: { allow: ['Bash(*)', 'Bash'], defaultMode: 'bypassPermissions' },
        disableAllHooks: true,
      }),
    });
    const asked: ApprovalRequest[] = [];
    approvals.onChange((request) => {
      if (request.state === 'pending') asked.push(request);
    });

    const session = await sessions.start(
      { project: repo, preset: 'claude', task: 'Run the three commands.' },
      person,
    );
    const workspace = session.workspace as string;
    let screen = '';
    sessions.onOutput((_id, data) => (screen += data));
    const held = await waitFor(() => asked[0], 'the held request', 40_000).catch((error: Error) => {
      const kinds = store
        .list({ sessionId: session.id, limit: 1000 })
        .map((e) => `${e.kind} ${JSON.stringify(e.payload).slice(0, 200)}`);
      throw new Error(
        `${error.message}\n${kinds.join('\n')}\nSCREEN:\n${screen.slice(-3000)}\nREQUESTS: ${JSON.stringify(server?.requests.map((r) => r.turn))}`,
      );
    });
    expect(held.subject).toBe(`Bash(${HELD})`);
    expect(held.sessionId).toBe(session.id);
    // In its sandbox, Claude Code reaches the model through the session's tunnel, on the record,
    // and asks for no other host (its background traffic is switched off by the preset).
    expect(asked.filter((request) => request.kind === 'network')).toEqual([]);

    expect(existsSync(join(workspace, 'allowed.txt'))).toBe(true);
    expect(existsSync(join(workspace, 'held.txt'))).toBe(false); // waiting, not run

    approvals.decide([held.id], { allow: true, scope: 'once' }, person);
    await waitFor(() => existsSync(join(workspace, 'held.txt')), 'held.txt after the approval');
    expect(existsSync(join(workspace, 'denied.txt'))).toBe(false);
    expect(asked).toHaveLength(1); // the allowed and the denied never reached the inbox

    const decided = store.list({ sessionId: session.id, limit: 10_000 });
    const policy = decided
      .filter((e) => e.kind === 'policy.decided')
      .map((e) => e.payload.decision);
    expect(policy).toEqual(['allow', 'deny', 'ask']);
    expect(decided.some((e) => e.kind === 'approval.decided' && e.actor === 'person')).toBe(true);
    expect(decided.some((e) => e.kind === 'agent.reported.tool-used' && e.actor === 'agent')).toBe(
      true,
    );
    sessions.stop(session.id, person);
    await sessions.waitForExit(session.id);
    // A connection is recorded when it closes: the model's kept-alive ones, with the session.
    const modelCalls = store
      .list({ sessionId: session.id, limit: 10_000 })
      .filter((event) => event.kind === 'network.connection');
    expect(modelCalls.length).toBeGreaterThan(0);
    for (const call of modelCalls)
      expect(call.payload).toMatchObject({
        decision: 'allowed',
        rule: 'the model endpoint in the settings',
      });
  }, 150_000);
});
