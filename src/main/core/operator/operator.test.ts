/**
 * The operator loop against real parts: the store on disk, the vault in a real Secret Service,
 * the credential broker in front of a loopback "Anthropic API" scripted per request, the inbox,
 * the policy engine, and a local shell in a directory standing in for the host (what ran shows on
 * disk there).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../shared/approvals';
import type { AuditEvent } from '../../../shared/audit';
import {
  startAnthropicServer,
  type AnthropicServer,
  type ScriptedTurn,
} from '../../../test-support/fixtures/anthropic-server';
import { useSecretService } from '../../../test-support/secret-service';
import { tempDir } from '../../../test-support/temp';
import {
  brokeredProvider,
  HOST,
  operatorHome,
  operatorRun,
  PERSON,
  type OperatorHome,
} from '../../../test-support/operator';
import type { OpenedProvider } from './open-provider';

useSecretService();

const KEY = 'sk-ant-api03-OPERATOR-test-0123456789abcdefghijklmnopqrstuvwxyz';
const MODEL = 'claude-sonnet-4-5';
const POLICY = `version: 1
permissions:
  deny:
    - Bash(rm:*)
ssh:
  allow:
    - Ssh(${HOST}:touch:*)
    - Ssh(${HOST}:sleep:*)
  ask:
    - Ssh(${HOST}:mkdir:*)
  deny:
    - Ssh(${HOST}:tee:*)
`;

const run = (thought: string, command: string): ScriptedTurn => ({
  content: [{ type: 'tool_use', name: 'run_command', input: { thought, command } }],
});
const finish = (summary: string): ScriptedTurn => ({
  content: [{ type: 'tool_use', name: 'finish', input: { summary } }],
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

let sessions = 0;

async function fixture(turns: ScriptedTurn[], options: { expiryMs?: number } = {}) {
  const home = tempDir();
  const hostDir = tempDir('paddock-host-');
  const server: AnthropicServer = await startAnthropicServer({
    turns,
    scriptBy: 'request',
    answerModel: MODEL,
  });
  cleanups.push(() => server.close());
  const paddock: OperatorHome = await operatorHome({
    home,
    hostDir,
    policy: POLICY,
    secrets: { ANTHROPIC_API_KEY: KEY },
    ...options,
  });
  cleanups.push(() => paddock.store.close());
  const sessionId = `ses_operator${++sessions}`;
  const provider: OpenedProvider = await brokeredProvider(
    paddock,
    sessionId,
    {
      name: 'anthropic',
      api: 'anthropic-messages',
      baseUrl: server.url,
      secret: 'ANTHROPIC_API_KEY',
    },
    MODEL,
    home,
  );
  cleanups.push(() => provider.close());
  const events = (kind?: string): AuditEvent[] =>
    paddock.store
      .list({ sessionId, limit: 10_000 })
      .filter((event) => kind === undefined || event.kind === kind);
  /** What the model was shown on its n-th call (1-based). */
  const prompt = (n: number): string => {
    const body = server.scriptedRequests()[n - 1]?.body;
    const [message] = body?.messages ?? [];
    return typeof message?.content === 'string' ? message.content : '';
  };
  return { home, hostDir, server, paddock, sessionId, provider, events, prompt };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

type RunParts = Parameters<typeof operatorRun>[1];

const start = (f: Fixture, extra: Omit<RunParts, 'sessionId' | 'provider' | 'hostDir'> = {}) =>
  operatorRun(f.paddock, {
    sessionId: f.sessionId,
    provider: f.provider,
    hostDir: f.hostDir,
    ...extra,
  });

function nextPending(f: Fixture): Promise<ApprovalRequest> {
  return new Promise((resolve) => {
    const off = f.paddock.approvals.onChange((request) => {
      if (request.state === 'pending' && request.sessionId === f.sessionId) {
        off();
        resolve(request);
      }
    });
  });
}

describe('the operator loop', () => {
  it('reaches its goal in several steps, each decided, run, recorded and shown to the model', async () => {
    const f = await fixture([
      run('See what is there.', 'ls'),
      run('Read the notes.', 'cat notes.txt'),
      run('Leave the done file.', 'touch done.txt'),
      finish('The notes say hello; done.txt is there.'),
    ]);
    writeFileSync(join(f.hostDir, 'notes.txt'), 'hello from the host\n');
    const result = await start(f).run();
    expect(result).toEqual({
      outcome: 'finished',
      reason: 'the model finished',
      summary: 'The notes say hello; done.txt is there.',
      steps: 4,
    });
    expect(existsSync(join(f.hostDir, 'done.txt'))).toBe(true);
    // Each turn shows the goal, the steps so far and the last observation.
    expect(f.prompt(1)).toContain('Goal: Find out what is in the notes');
    expect(f.prompt(1)).toContain('Last observation: none yet');
    expect(f.prompt(2)).toMatch(/Last observation:\nexit code 0 \(\d+ ms\)\nnotes\.txt/);
    expect(f.prompt(3)).toContain('hello from the host');
    expect(f.prompt(4)).toContain(
      '1. thought: See what is there.\n   command: ls\n   decision: allowed',
    );
    expect(f.prompt(4)).toContain(`decision: allowed (rule: Ssh(${HOST}:touch:*))`);
    // The model is offered both tools and made to use one.
    const body = f.server.scriptedRequests()[0]?.body as Record<string, unknown>;
    expect((body.tools as Array<{ name: string }>).map((tool) => tool.name)).toEqual([
      'run_command',
      'finish',
    ]);
    expect(body.tool_choice).toEqual({ type: 'any' });

    const kinds = f
      .events()
      .map((event) => event.kind)
      .filter((kind) => kind.startsWith('operator.'));
    expect(kinds).toEqual([
      'operator.started',
      ...Array.from({ length: 3 }, () => [
        'operator.model.called',
        'operator.step.thought',
        'operator.command.proposed',
        'operator.command.decided',
        'operator.command.output',
      ]).flat(),
      'operator.model.called',
      'operator.finished',
    ]);
    const [thought] = f.events('operator.step.thought');
    expect(thought).toMatchObject({
      actor: 'agent',
      actorId: `operator:${MODEL}`,
      payload: { step: 1 },
    });
    const decided = f.events('operator.command.decided');
    expect(decided[0]).toMatchObject({
      actor: 'policy',
      actorId: 'classifier',
      payload: { allow: true },
    });
    expect(decided[2]).toMatchObject({ actor: 'policy', actorId: `Ssh(${HOST}:touch:*)` });
    expect(f.events('operator.command.output')[0]).toMatchObject({
      actor: 'system',
      actorId: `ssh:${HOST}`,
      payload: { exitCode: 0, truncated: false },
    });
  });

  it('never runs a denied command, and the model sees the denial', async () => {
    const f = await fixture([
      run('Write a marker through tee.', 'echo hi | tee marker-tee'),
      run('Make a marker and clean up.', 'touch marker-rm && rm -f old.log'),
      finish('Both were denied.'),
    ]);
    const result = await start(f).run();
    expect(result.outcome).toBe('finished');
    expect(existsSync(join(f.hostDir, 'marker-tee'))).toBe(false);
    expect(existsSync(join(f.hostDir, 'marker-rm'))).toBe(false);
    expect(f.prompt(2)).toMatch(
      /Last observation:\nNot run: denied by Ssh\(staging:tee:\*\) \(personal policy, policy\.personal:\d+\)/,
    );
    expect(f.prompt(3)).toMatch(/Not run: denied by Bash\(rm:\*\)/);
    expect(f.events('operator.command.output')).toHaveLength(0);
    expect(
      f
        .events('operator.command.decided')
        .map((event) => [event.actor, event.actorId, event.payload.allow]),
    ).toEqual([
      ['policy', `Ssh(${HOST}:tee:*)`, false],
      ['policy', 'Bash(rm:*)', false],
    ]);
  });

  it('holds a command in the inbox and runs it only once a person allows it', async () => {
    const f = await fixture([
      run('Make a directory.', 'mkdir held-dir'),
      run('And another.', 'mkdir refused-dir'),
      finish('One made, one refused.'),
    ]);
    const operator = start(f);
    const done = operator.run();
    const first = await nextPending(f);
    expect(first).toMatchObject({
      kind: 'command',
      subject: `Ssh(${HOST}:mkdir held-dir)`,
      input: 'mkdir held-dir',
      agent: 'operator',
      risk: 'high',
    });
    expect(first.reason).toContain(`Ssh(${HOST}:mkdir:*)`);
    // Waiting: nothing ran, and the model was not asked again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(join(f.hostDir, 'held-dir'))).toBe(false);
    expect(f.server.scriptedRequests()).toHaveLength(1);
    const second = nextPending(f);
    f.paddock.approvals.decide([first.id], { allow: true, scope: 'once' }, PERSON);
    f.paddock.approvals.decide(
      [(await second).id],
      { allow: false, scope: 'once', reason: 'not now' },
      PERSON,
    );
    const result = await done;
    expect(result.outcome).toBe('finished');
    expect(existsSync(join(f.hostDir, 'held-dir'))).toBe(true);
    expect(existsSync(join(f.hostDir, 'refused-dir'))).toBe(false);
    expect(f.prompt(3)).toContain("decision: allowed (Allowed by ada in Paddock's inbox (once).)");
    expect(f.prompt(3)).toContain("Not run: Denied by ada in Paddock's inbox: not now.");
    const decided = f.events('operator.command.decided');
    expect(decided.map((event) => [event.actor, event.actorId, event.payload.approvalId])).toEqual([
      ['person', 'ada', first.id],
      ['person', 'ada', expect.stringMatching(/^apr_/)],
    ]);
  });

  it('denies a held command nobody answers once the request expires', async () => {
    const f = await fixture([run('Make a directory.', 'mkdir late-dir'), finish('Expired.')], {
      expiryMs: 200,
    });
    const result = await start(f).run();
    expect(result.outcome).toBe('finished');
    expect(existsSync(join(f.hostDir, 'late-dir'))).toBe(false);
    expect(f.prompt(2)).toMatch(/Not run: Denied by Paddock: no answer within/);
    expect(f.events('operator.command.decided')[0]).toMatchObject({
      actor: 'system',
      actorId: 'approvals',
    });
  });

  it('ends at the step limit', async () => {
    const f = await fixture(
      Array.from({ length: 5 }, (_, i) => run(`Step ${i}.`, `touch step-${i}`)),
    );
    const result = await start(f, { limits: { maxSteps: 2 } }).run();
    expect(result).toMatchObject({ outcome: 'step-limit', steps: 2, summary: null });
    expect(f.server.scriptedRequests()).toHaveLength(2);
    expect(readdirSync(f.hostDir).sort()).toEqual(['step-0', 'step-1']);
    expect(f.events('operator.finished')[0]).toMatchObject({
      actor: 'system',
      payload: { outcome: 'step-limit', reason: 'the step limit (2) was reached' },
    });
  });

  it('ends at the time limit, even inside a command', async () => {
    const f = await fixture([run('Wait.', 'sleep 20'), finish('never')]);
    const started = Date.now();
    const result = await start(f, { limits: { maxTimeMs: 700 } }).run();
    expect(result.outcome).toBe('time-limit');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ends at the budget, counted from the metered calls', async () => {
    const f = await fixture(Array.from({ length: 5 }, () => run('Look.', 'ls')));
    const spent = () => f.paddock.store.spend({ sessionIds: [f.sessionId] }).costUsd;
    const result = await start(f, { limits: { maxBudgetUsd: 0.000001 }, spentUsd: spent }).run();
    expect(result).toMatchObject({ outcome: 'budget', steps: 1 });
    expect(result.reason).toMatch(/^the budget \(\$0\.000001\) was reached: \$0\.\d+ spent$/);
  });

  it('feeds a reply without a valid tool call back as an error, then fails after too many', async () => {
    const f = await fixture([
      { content: [{ type: 'text', text: 'I think I will just chat.' }] },
      { content: [{ type: 'tool_use', name: 'run_command', input: { thought: 'no command' } }] },
      { content: [{ type: 'tool_use', name: 'format_disk', input: {} }] },
      run('Fine.', 'ls'),
      { content: [{ type: 'text', text: 'again' }] },
      { content: [{ type: 'text', text: 'and again' }] },
    ]);
    const result = await start(f, { maxInvalidReplies: 1 }).run();
    expect(result.outcome).toBe('failed');
    expect(result.reason).toContain('2 times in a row without a valid tool call');
    expect(f.prompt(2)).toContain(
      'Error: the reply called no tool; answer with run_command or finish.',
    );
    expect(f.server.scriptedRequests()).toHaveLength(2);

    const g = await fixture([
      { content: [{ type: 'tool_use', name: 'run_command', input: { thought: 'no command' } }] },
      { content: [{ type: 'tool_use', name: 'format_disk', input: {} }] },
      finish('ok'),
    ]);
    expect((await start(g).run()).outcome).toBe('finished');
    expect(g.prompt(2)).toMatch(/Error: run_command: .*command/s);
    expect(g.prompt(3)).toContain('Error: unknown tool "format_disk"');
  });

  it('pauses, takes a note for the next turn, resumes, and stops', async () => {
    const f = await fixture([run('Look.', 'ls'), run('Look again.', 'ls'), run('More.', 'ls')]);
    const operator = start(f);
    operator.pause(PERSON);
    expect(operator.state).toBe('ready');
    const done = operator.run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(operator.state).toBe('paused');
    expect(f.server.scriptedRequests()).toHaveLength(0);
    operator.note('The service is called paddock-demo.', PERSON);
    operator.resume(PERSON);
    while (f.server.scriptedRequests().length < 2)
      await new Promise((resolve) => setTimeout(resolve, 20));
    operator.stop(PERSON);
    const result = await done;
    expect(operator.state).toBe('ended');
    expect(result.outcome).toBe('stopped');
    expect(result.reason).toBe('stopped by ada');
    expect(f.prompt(1)).toContain('Note from the person: The service is called paddock-demo.');
    expect(f.events().map((event) => event.kind)).toEqual(
      expect.arrayContaining(['operator.paused', 'operator.note', 'operator.resumed']),
    );
    expect(f.events('operator.finished')[0]).toMatchObject({ actor: 'person', actorId: 'ada' });
  });

  it('runs nothing of the model while a person has the host: a command allowed meanwhile waits for the hand-back', async () => {
    const f = await fixture([
      run('Make a directory.', 'mkdir held-dir'),
      run('Check.', 'touch checked'),
      finish('Done.'),
    ]);
    const operator = start(f);
    const done = operator.run();
    const held = await nextPending(f);
    operator.takeOver(PERSON);
    expect(() => operator.takeOver(PERSON)).toThrow(/ada has the host's terminal already/);
    expect(() => operator.resume(PERSON)).toThrow(/hand it back first/);
    f.paddock.approvals.decide([held.id], { allow: true, scope: 'once' }, PERSON);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(join(f.hostDir, 'held-dir'))).toBe(false);
    expect(f.server.scriptedRequests()).toHaveLength(1);

    operator.handBack(PERSON, `$ cat /etc/motd\nkey is ${KEY}\nall good`);
    expect((await done).outcome).toBe('finished');
    expect(existsSync(join(f.hostDir, 'held-dir'))).toBe(true);
    // The model hears of the take-over with the screen's end, the vault's key redacted.
    expect(f.prompt(2)).toMatch(/ada took over the host's terminal for \d+ s and handed it back/);
    expect(f.prompt(2)).toContain('all good');
    expect(f.prompt(2)).toContain('[secret:ANTHROPIC_API_KEY]');
    expect(f.server.scriptedRequests().some((r) => JSON.stringify(r.body).includes(KEY))).toBe(
      false,
    );
    const ended = f.events('operator.takeover.ended')[0];
    expect(ended).toMatchObject({ actor: 'person', payload: { takenBy: 'ada' } });
    expect(f.paddock.store.getBlob(ended?.blobs[0] ?? '')?.toString()).not.toContain(KEY);
  });

  it('stops on its AbortSignal', async () => {
    const f = await fixture([run('Wait.', 'sleep 20')]);
    const controller = new AbortController();
    const done = start(f, { signal: controller.signal }).run();
    while (f.events('operator.command.decided').length === 0)
      await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect((await done).outcome).toBe('stopped');
  });
});

describe('the operator and secrets', () => {
  it('meters every model call through the broker, and the provider key never reaches the record', async () => {
    const f = await fixture([
      run('Read the deploy config.', 'cat deploy.env'),
      run('Look around.', 'ls'),
      finish('Read it.'),
    ]);
    writeFileSync(join(f.hostDir, 'deploy.env'), `ANTHROPIC_API_KEY=${KEY}\nREGION=eu\n`);
    const result = await start(f).run();
    expect(result.outcome).toBe('finished');
    // The real key went upstream, from the broker; the loop only ever held the placeholder.
    const requests = f.server.scriptedRequests();
    expect(requests.map((request) => request.headers['x-api-key'])).toEqual([KEY, KEY, KEY]);
    expect(JSON.stringify(requests.map((request) => request.body))).not.toContain(KEY);
    // The host printed the key: the model saw a placeholder instead.
    expect(f.prompt(2)).toContain('ANTHROPIC_API_KEY=[secret:ANTHROPIC_API_KEY]');
    // Usage metered per call, priced.
    const usage = f.events('cost.usage');
    expect(usage).toHaveLength(3);
    expect(usage[0]).toMatchObject({
      actor: 'system',
      payload: { source: 'metered', provider: 'anthropic', model: MODEL },
    });
    expect(f.events('broker.call')).toHaveLength(3);
    // Nowhere in the store's files.
    f.paddock.store.close();
    for (const file of readdirSync(f.home).filter((name) => name.startsWith('paddock.db')))
      expect(readFileSync(join(f.home, file)).includes(KEY), file).toBe(false);
  });
});
