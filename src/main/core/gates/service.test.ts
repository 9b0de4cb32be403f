/**
 * The gates against real parts: a git repository, sessions whose commands run in the real
 * sandbox (bubblewrap), the store on disk, and the landing on the project's real branch.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { sandboxAvailable } from '../../../test-support/sandbox-host';
import { testSessions } from '../../../test-support/sessions';
import { commitFiles, makeRepository, plainGit } from '../git/testing';
import { parseCustomPreset } from '../agents';
import { FAKE_AGENT_PRESET } from '../../../test-support/fixtures/fake-agent-preset';
import { testGates } from '../../../test-support/gates';
import { GateError } from './index';
import { IdentityService } from '../identity';
import { keytarKeychain } from '../vault';
import { useSecretService } from '../../../test-support/secret-service';
import type { IdentityInfo } from '../../../shared/signoff';

const PERSON = { actor: 'person', actorId: 'ada' } as const;
// A real keychain (gnome-keyring on a private bus) for the signing identity.
useSecretService();
const AGENT_KEY = 'ghp_' + 'Zq8rT2mVx4Lp9sKd3Hw7Nc1Fb6Jy5Ue0Ri2Ao8';
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function fixture(policy = '', agentScript: unknown[] = []) {
  const home = realpathSync(tempDir());
  const project = makeRepository(realpathSync(tempDir()), {
    'README.md': 'hello\n',
    'check.sh':
      '#!/bin/sh\necho "value.txt says $(cat value.txt)"\ntest "$(cat value.txt)" = good\n',
    'value.txt': 'bad\n',
  });
  const { store, settings, projects, sessions, close } = testSessions({
    home,
    presets: [parseCustomPreset(FAKE_AGENT_PRESET)],
    sourceEnv: { PATH: process.env.PATH, FAKE_AGENT_SCRIPT: JSON.stringify(agentScript) },
    idleMs: 300,
    stopGraceMs: 1000,
  });
  cleanups.push(close);
  settings.set(
    'policy.personal',
    `version: 1\ngates:\n  tests:\n    - name: check\n      run: sh check.sh\n      timeoutSeconds: 60\n${policy}`,
    PERSON,
  );
  let held: IdentityInfo | null = null;
  const identity = new IdentityService({
    keychain: keytarKeychain({ service: 'Paddock-gates-test', timeoutMs: 10_000 }),
    store: { get: () => held, set: (info) => (held = info) },
    audit: (kind, payload, by) => store.append({ kind, ...by, payload }),
  });
  const gates = testGates({ store, settings, projects, sessions }, identity);
  /** A one-shot session whose command is the agent's work, its workspace kept. */
  const agentDoes = async (script: string) => {
    const { session } = await sessions.exec(
      { project, argv: ['sh', '-c', script], keep: true },
      { stdout: () => undefined, stderr: () => undefined },
      PERSON,
    );
    return session.id;
  };
  return { home, project, store, sessions, gates, agentDoes, identity };
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(condition()).toBe(true);
}

const describeSandboxed = sandboxAvailable ? describe : describe.skip;
if (!sandboxAvailable)
  console.warn('gates service tests NOT RUN: bubblewrap cannot make a sandbox on this machine');

describeSandboxed('GateService', () => {
  it('blocks on a failing test with its output as evidence, and lands exactly the gated change once it passes', async () => {
    const { project, store, sessions, gates, agentDoes } = fixture();
    const id = await agentDoes('echo almost > value.txt');
    const failed = await gates.run(id, PERSON);
    expect(failed.verdict).toBe('fail');
    const check = failed.results.find((result) => result.name === 'check');
    expect(check).toMatchObject({ kind: 'tests', status: 'failed', exitCode: 1 });
    // The evidence is the command's recorded run in the audit store.
    const evidence = store.get(check?.evidenceSeq ?? 0);
    expect(evidence).toMatchObject({ kind: 'session.exec', sessionId: id });
    expect(evidence?.payload.argv).toEqual(['sh', '-c', 'sh check.sh']);
    expect(store.getBlob(evidence?.blobs[0] ?? '')?.toString()).toBe('value.txt says almost\n');
    expect(check?.outputTail).toBe('value.txt says almost\n');
    const refused = await gates
      .promote(id, { mode: 'squash', removeWorkspace: false }, PERSON)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GateError);
    expect((refused as Error).message).toContain('the check gate failed');

    writeFileSync(join(sessions.workspace(id).path, 'value.txt'), 'good\n');
    const stale = await gates.status(id);
    expect(stale.staleReasons).toEqual(["the session's work changed since the gates ran"]);
    const passed = await gates.run(id, PERSON);
    expect(passed.verdict).toBe('pass');
    expect(passed.results.map((result) => [result.name, result.status])).toEqual([
      ['check', 'passed'],
      ['secrets', 'passed'],
      ['protected paths', 'passed'],
    ]);
    const before = plainGit(project, ['rev-parse', 'main']).trim();
    const promotion = await gates.promote(id, { mode: 'squash', removeWorkspace: true }, PERSON);
    expect(promotion).toMatchObject({ before, checkoutUpdated: true, workspaceRemoved: true });
    expect(plainGit(project, ['rev-parse', 'main^{tree}']).trim()).toBe(passed.binding.landingTree);
    expect(plainGit(project, ['diff', before, 'main', '--stat'])).toContain('value.txt');
    expect(readFileSync(join(project, 'value.txt'), 'utf8')).toBe('good\n');
    expect(sessions.get(id).state).toBe('promoted');
  }, 60_000);

  it('runs a gate offline unless it names hosts, and stops one at its time limit', async () => {
    const { gates, agentDoes } = fixture(
      [
        '    - name: offline',
        '      run: test -z "$HTTPS_PROXY"',
        '    - name: online',
        '      run: test -n "$HTTPS_PROXY"',
        '      hosts: [registry.npmjs.org]',
        '    - name: slow',
        '      run: sleep 30',
        '      timeoutSeconds: 1',
        '',
      ].join('\n'),
    );
    const id = await agentDoes('echo good > value.txt');
    const started = Date.now();
    const run = await gates.run(id, PERSON);
    expect(Date.now() - started).toBeLessThan(15_000);
    const status = Object.fromEntries(run.results.map((r) => [r.name, [r.status, r.summary]]));
    expect(status.offline).toEqual(['passed', 'passed']);
    expect(status.online).toEqual(['passed', 'passed']);
    expect(status.slow).toEqual(['error', 'stopped after 1 s (its time limit)']);
    expect(run.verdict).toBe('fail');
  }, 60_000);

  it('refuses to promote a change made after the gates ran', async () => {
    const { gates, sessions, agentDoes, project } = fixture();
    const id = await agentDoes('echo good > value.txt');
    expect((await gates.run(id, PERSON)).verdict).toBe('pass');
    writeFileSync(join(sessions.workspace(id).path, 'late.txt'), 'added after the gates\n');
    const before = plainGit(project, ['rev-parse', 'main']).trim();
    await expect(
      gates.promote(id, { mode: 'squash', removeWorkspace: false }, PERSON),
    ).rejects.toThrow(/stale \(the session's work changed since the gates ran\)/);
    expect(plainGit(project, ['rev-parse', 'main']).trim()).toBe(before);
  }, 60_000);

  it('merges onto a moved target and gates the merge result', async () => {
    const { gates, agentDoes, project } = fixture();
    const id = await agentDoes('echo agent > agent.txt');
    // The person fixes value.txt on main meanwhile: only the merge passes the check.
    const moved = commitFiles(project, { 'value.txt': 'good\n' }, 'fix on main');
    const run = await gates.run(id, PERSON);
    expect(run.merged).toBe(true);
    expect(run.binding.targetCommit).toBe(moved);
    expect(run.verdict).toBe('pass');
    await gates.promote(id, { mode: 'merge', removeWorkspace: false }, PERSON);
    expect(plainGit(project, ['show', 'main:agent.txt'])).toBe('agent\n');
    expect(plainGit(project, ['show', 'main:value.txt'])).toBe('good\n');
    expect(plainGit(project, ['rev-parse', 'main^1']).trim()).toBe(moved);
  }, 60_000);

  it('fails the secrets gate for a secret the session printed, and says where', async () => {
    const { gates, agentDoes } = fixture();
    const id = await agentDoes(`echo good > value.txt; echo "token ${AGENT_KEY}"`);
    const run = await gates.run(id, PERSON);
    const secrets = run.results.find((result) => result.kind === 'secrets');
    expect(secrets?.status).toBe('failed');
    expect(run.verdict).toBe('fail');
    expect(secrets?.findings[0]?.message).toMatch(/no sensitive data in logs/);
    expect(secrets?.findings[0]?.where).toMatch(/event #\d+/);
  }, 60_000);

  it('finds a secret the change adds, by file and line, unless the policy allows that path', async () => {
    const { gates, agentDoes } = fixture(
      '  secrets:\n    allow:\n      - path: fixtures/**\n        reason: test data\n',
    );
    const id = await agentDoes(
      `echo good > value.txt; mkdir fixtures; printf 'a\\nkey = "${AGENT_KEY}"\\n' > config.py; cp config.py fixtures/`,
    );
    const run = await gates.run(id, PERSON);
    const secrets = run.results.find((result) => result.kind === 'secrets');
    expect(secrets?.findings).toEqual([
      { path: 'config.py', line: 2, message: 'a github secret is added here' },
    ]);
  }, 60_000);

  it('needs a sign-off for a protected path, and promotes once signed off', async () => {
    const { gates, agentDoes, identity, project } = fixture();
    const id = await agentDoes(
      'echo good > value.txt; mkdir -p .github/workflows; echo "on: push" > .github/workflows/ci.yml',
    );
    const run = await gates.run(id, PERSON);
    expect(run.verdict).toBe('needs-signoff');
    const state = await gates.status(id);
    expect(state.protectedChanges).toEqual([
      { path: '.github/workflows/ci.yml', pattern: '.github/**' },
    ]);
    expect(state.blockers).toEqual(['the protected paths gate needs a sign-off']);
    await expect(gates.signatures.sign(id, 'approve', undefined, PERSON)).rejects.toThrow(
      /You have no signing identity: make one with `paddock identity create NAME`/,
    );
    await identity.create('Ada Lovelace', PERSON);
    const signed = await gates.signatures.sign(id, 'approve', undefined, PERSON);
    // No signoff section anywhere: the person's own approval is what the gate waits for.
    expect(signed.check).toMatchObject({ counts: true, decision: 'approve', genuine: true });
    const after = await gates.status(id);
    expect(after.signoff).toMatchObject({ met: true, rejected: false });
    expect(after.blockers).toEqual([]);
    // The statement travels with the history: a git note on the snapshot it is about...
    const note = plainGit(project, ['notes', '--ref=paddock', 'show', run.binding.headCommit]);
    expect(JSON.parse(note.trim())).toEqual(JSON.parse(signed.text));
    const promotion = await gates.promote(id, { mode: 'squash', removeWorkspace: false }, PERSON);
    // ...and on the commit that landed.
    expect(plainGit(project, ['notes', '--ref=paddock', 'show', promotion.after]).trim()).toBe(
      note.trim(),
    );
  }, 60_000);

  it('sends the failures to the live agent as a message in its session', async () => {
    const { gates, sessions, project } = fixture('', [
      { type: 'writeFile', path: 'value.txt', content: 'almost\n' },
      { type: 'prompt', question: 'next task? ' },
    ]);
    let output = '';
    sessions.onOutput((_id, data) => (output += data));
    const { id } = await sessions.start({ project, preset: 'fake', task: 'fix it' }, PERSON);
    await waitFor(() => sessions.get(id).state === 'waiting');
    expect((await gates.run(id, PERSON)).verdict).toBe('fail');
    const sent = await gates.sendBack(id, 'value.txt must say good', PERSON);
    expect(sent.delivered).toBe('queued');
    expect(sent.message).toContain('The reviewer says: value.txt must say good');
    expect(sent.message).toContain('- check (tests, block): failed with exit code 1');
    expect(sent.message).toContain('value.txt says almost');
    await sessions.waitForExit(id);
    expect(output).toContain('you said: Paddock review: this change was not promoted.');
  }, 60_000);

  it('records a rejection, and refuses to promote what was rejected', async () => {
    const { gates, agentDoes, store } = fixture();
    const id = await agentDoes('echo almost > value.txt');
    await gates.run(id, PERSON);
    // The one-shot session cannot take a message: its agent (a command) cannot be restarted.
    const outcome = await gates.reject(id, 'value.txt must say good', false, PERSON);
    expect(outcome).toEqual({ rejected: true, sentBack: null });
    const state = await gates.status(id);
    expect(state.rejected?.reason).toBe('value.txt must say good');
    expect(state.blockers).toContain(
      'the change was rejected after the gates ran: run the gates again on a new change',
    );
    expect(store.list({ sessionId: id, limit: 1000 }).map((e) => e.kind)).toContain(
      'review.rejected',
    );
  }, 60_000);
});
