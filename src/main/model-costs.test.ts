/**
 * Model costs end to end, with the real Claude Code CLI in its sandbox, the real broker and a
 * loopback "Anthropic API": every call is metered from the response it streamed back and priced
 * at the bundled table's rates; with a budget, a call that could pass it is held before it reaches
 * the provider, until the person allows it (the call goes) or denies it (the session stops).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../shared/approvals';
import type { UsageRecord } from '../shared/costs';
import { ApprovalService } from './core/approvals';
import { BrokerService } from './core/broker';
import { makeRepository } from './core/git/testing';
import { PolicyService } from './core/policy';
import { bridgeDir } from './core/sandbox';
import type { SessionManager } from './core/sessions';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../test-support/fixtures/anthropic-server';
import { sandboxAvailable } from '../test-support/sandbox-host';
import { testSessions } from '../test-support/sessions';
import { tempDir } from '../test-support/temp';
import { modelCosts, type ModelCosts } from './model-costs';

const KEY = 'sk-ant-api03-REAL-costs-test-0123456789abcdefghijklmnopqrstuvwxyz';
const person = { actor: 'person' as const, actorId: 'ada' };
const USAGE = {
  input_tokens: 1200,
  output_tokens: 35,
  cache_creation_input_tokens: 400,
  cache_read_input_tokens: 5000,
};

let server: AnthropicServer | null = null;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
  await server?.close();
  server = null;
});

async function fixture(budgets: { session?: number } = {}) {
  server = await startAnthropicServer({
    // A read-only tool first (no permission prompt), so the agent makes a second call.
    turns: [
      { content: [{ type: 'tool_use', name: 'Glob', input: { pattern: '*.md' } }] },
      { content: [{ type: 'text', text: 'Hello, metered.' }] },
    ],
    answerModel: 'claude-sonnet-4-5',
    usage: USAGE,
  });
  const upstream = server.url;
  let costs: ModelCosts | null = null;
  const wired = () => costs as ModelCosts;
  const made = testSessions({
    home: tempDir(),
    presets: [],
    knownSecrets: async () => [{ name: 'ANTHROPIC_API_KEY', value: KEY }],
    modelBroker: ({ sessionId, agent }) =>
      new BrokerService({
        secrets: () => [{ name: 'ANTHROPIC_API_KEY', hosts: [], header: 'x-api-key: {}' }],
        value: async () => KEY,
        upstreams: () => ({ anthropic: upstream }),
        record: (id, kind, payload) =>
          made.store.append({ kind, actor: 'system', actorId: 'broker', sessionId: id, payload }),
        admit: (id, preview) => wired().admit(id, preview),
        meter: (...args) => wired().meter(...args),
        onCall: (id, record) => wired().recordCall(id, record),
      }).openModelBroker({ sessionId, agent, bridgeDir: bridgeDir(sessionId) }),
  });
  cleanup.push(made.close);
  const inbox = new ApprovalService(made.store, made.settings, 20_000);
  costs = modelCosts({
    store: made.store,
    settings: made.settings,
    policies: new PolicyService(made.settings),
    projects: made.projects,
    sessions: made.sessions,
    approvals: inbox,
  });
  if (budgets.session) made.settings.set('costs.budgets', budgets, person);
  return { ...made, approvals: inbox, costs };
}

async function start(sessions: SessionManager) {
  const repo = makeRepository(tempDir(), { 'README.md': '# demo\n' });
  return sessions.start({ project: repo, preset: 'claude', task: 'Say hello.' }, person);
}

async function until(what: string, check: () => boolean, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const messages = () => server?.requests.filter((r) => r.url.startsWith('/v1/messages')) ?? [];

describe.skipIf(!sandboxAvailable)('model costs through the broker', () => {
  it('meters every call from its response and prices it at the table’s rates', async () => {
    const { store, sessions, costs } = await fixture();
    const session = await start(sessions);
    const usage = () =>
      store
        .list({ sessionId: session.id, limit: 1000 })
        .filter((event) => event.kind === 'cost.usage')
        .map((event) => event.payload as unknown as UsageRecord);
    await until('a metered call', () => usage().length > 0);
    sessions.stop(session.id, person);
    await sessions.waitForExit(session.id);
    const [first] = usage();
    expect(first).toMatchObject({
      source: 'metered',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      tokens: { input: 1200, output: 35, cacheWrite: 400, cacheRead: 5000 },
      pricedAs: 'claude-sonnet-4-5',
      requestId: expect.stringMatching(/^req_test_/),
      messageId: expect.stringMatching(/^msg_test_/),
    });
    // The price table's arithmetic, done here from its entry.
    const entry = costs.prices().lookup('claude-sonnet-4-5')?.entry;
    const expected =
      1200 * (entry?.input_cost_per_token ?? NaN) +
      35 * (entry?.output_cost_per_token ?? NaN) +
      400 * (entry?.cache_creation_input_token_cost ?? NaN) +
      5000 * (entry?.cache_read_input_token_cost ?? NaN);
    expect(first?.costUsd).toBeCloseTo(expected, 12);
    expect(usage().length).toBe(messages().length);
    expect(store.spend({ sessionIds: [session.id] }).calls).toBe(usage().length);
  }, 150_000);

  it('holds a call that could pass the budget before it reaches the provider: allow lets it go, deny stops the session', async () => {
    const { sessions, approvals, store } = await fixture({ session: 0.0001 });
    const held: ApprovalRequest[] = [];
    approvals.onChange((request) => {
      if (request.state === 'pending' && request.kind === 'budget') held.push(request);
    });
    const session = await start(sessions);
    await until('a budget question', () => held.length > 0);
    // Held: nothing reached the provider while the person has not answered.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(messages()).toHaveLength(0);
    expect(held[0]?.subject).toMatch(/^Budget\((session \$0\.0001|unpriced .+)\)$/);
    approvals.decide([held[0]?.id as string], { allow: true, scope: 'once' }, person);
    await until('the allowed call at the provider', () => messages().length > 0);
    // The next call is held again; denying it stops the session, and it never goes out.
    await until('a second budget question', () => held.length > 1);
    const sent = messages().length;
    approvals.decide([held[1]?.id as string], { allow: false, scope: 'once' }, person);
    await sessions.waitForExit(session.id);
    expect(messages()).toHaveLength(sent);
    const kinds = store.list({ sessionId: session.id, limit: 1000 }).map((event) => event.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['cost.budget.held', 'cost.budget.released', 'cost.budget.stopped']),
    );
  }, 150_000);
});

describe('model costs of a session without a project (a remote operator run)', () => {
  it('holds its calls by the session and day budgets, and by no project budget', async () => {
    const { sessions, settings, approvals, costs } = await fixture();
    const run = sessions.createOther(
      {
        id: 'ses_0be4c401',
        projectId: null,
        agentPreset: 'operator',
        task: 'Check the service.',
        author: 'ada',
        workspace: null,
        branch: null,
        baseCommit: null,
        sandboxProfile: 'ssh:staging',
      },
      person,
    );
    const preview = {
      provider: 'anthropic' as const,
      path: '/v1/messages',
      model: 'claude-sonnet-4-5',
      maxOutputTokens: 4096,
      bodyBytes: 4000,
    };
    settings.set('costs.budgets', { project: 0.0001 }, person);
    expect(await costs.admit(run.id, preview)).toEqual({ allow: true });
    settings.set('costs.budgets', { session: 0.0001 }, person);
    const held = new Promise<ApprovalRequest>((resolve) =>
      approvals.onChange((request) => request.state === 'pending' && resolve(request)),
    );
    const answer = costs.admit(run.id, preview);
    expect(await held).toMatchObject({ kind: 'budget', sessionId: run.id, projectPath: '' });
    approvals.decide([(await held).id], { allow: true, scope: 'once' }, person);
    expect(await answer).toEqual({ allow: true });
  }, 30_000);
});
