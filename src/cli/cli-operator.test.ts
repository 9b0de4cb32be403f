/**
 * `paddock operator` as a person runs it: the real CLI in child processes against a Paddock host
 * it starts in the background, a real OpenSSH server (test-support/sshd.ts; it runs as this user on
 * this machine, so the host's file system is this one: what ran shows in a temp dir), a real
 * Secret Service, and a loopback Anthropic Messages API scripted to reach a goal in several steps,
 * one of them denied by the policy and one held in the inbox until another CLI process allows it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn as spawnPty } from 'node-pty';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../shared/approvals';
import type { OperatorRunSummary, OperatorStep } from '../shared/operator';
import type { SessionRecord } from '../shared/sessions';
import {
  startAnthropicServer,
  type AnthropicServer,
  type ScriptedTurn,
} from '../test-support/fixtures/anthropic-server';
import {
  RELEASE_POLICY,
  releaseScript,
  runCommand,
} from '../test-support/fixtures/operator-release';
import { CLI, paddock, paddockAsync, paddockProcess, ROOT } from '../test-support/cli';
import { useSecretService } from '../test-support/secret-service';
import { startSshd, type TestSshd } from '../test-support/sshd';
import { filesContaining } from '../test-support/files';
import { castText } from '../test-support/cast';
import { tempDir } from '../test-support/temp';

useSecretService();

const KEY = 'sk-ant-api03-OPERATOR-cli-0123456789abcdefghijklmnopqrstuvwxyz';
const MODEL = 'claude-sonnet-4-5';
// The host side of both tests (the first one's files stay for the second to find them gone).
const hostDir = mkdtempSync(join(tmpdir(), 'paddock-host-'));

const TURNS: ScriptedTurn[] = releaseScript(hostDir);

let sshd: TestSshd;
let model: AnthropicServer;
const homes: string[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  model = await startAnthropicServer({ turns: TURNS, scriptBy: 'request', answerModel: MODEL });
});
// Before the temp homes go (after-hooks run last-registered first): a failed test leaves no host.
afterEach(() => {
  for (const home of homes.splice(0)) paddock(home, ['stop']);
});
afterAll(async () => {
  await model?.close();
  await sshd?.stop();
  rmSync(hostDir, { recursive: true, force: true });
});

function ok(home: string, args: string[], input?: string): string {
  const result = paddock(home, args, {}, input);
  expect(result.code, `paddock ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** A home with the host added (not pinned), the provider configured and its key in the vault. */
function configuredHome(server: AnthropicServer = model): string {
  const home = tempDir();
  homes.push(home);
  const add = ['ssh', 'add', 'staging', '--address', '127.0.0.1', '--port', String(sshd.port)];
  ok(home, [...add, '--user', sshd.user], sshd.clientPrivateKey);
  ok(home, ['secrets', 'set', 'ANTHROPIC_API_KEY'], KEY);
  const provider = { name: 'loopback', api: 'anthropic-messages', baseUrl: server.url };
  ok(home, [
    'settings',
    'set',
    'operator.providers',
    JSON.stringify([{ ...provider, secret: 'ANTHROPIC_API_KEY' }]),
  ]);
  ok(home, [
    'settings',
    'set',
    'operator.defaultModel',
    JSON.stringify({ provider: 'loopback', model: MODEL }),
  ]);
  ok(home, ['settings', 'set', 'policy.personal', RELEASE_POLICY]);
  return home;
}

const GOAL = ['--host', 'staging', '--goal', 'Read the notes and prepare the release.'];

async function pendingRequest(home: string): Promise<ApprovalRequest> {
  for (;;) {
    const listed = await paddockAsync(home, ['approvals', 'list', '--json']);
    const [request] = JSON.parse(listed.stdout || '[]') as ApprovalRequest[];
    if (request) return request;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('paddock operator', () => {
  it('refuses to start without a pinned host, then reaches the goal: one command denied, one held until allowed from another CLI', async () => {
    const home = configuredHome();
    writeFileSync(join(hostDir, 'notes.txt'), 'release notes: ship it\n');

    const unpinned = paddock(home, ['operator', 'run', ...GOAL]);
    expect(unpinned.code).toBe(2);
    expect(unpinned.stderr).toContain('paddock ssh test staging');
    const unknown = paddock(home, ['operator', 'run', '--host', 'nowhere', '--goal', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('paddock ssh add nowhere');
    const badSteps = paddock(home, ['operator', 'run', ...GOAL, '--max-steps', 'many']);
    expect(badSteps.code).toBe(2);
    expect(model.scriptedRequests()).toHaveLength(0);

    ok(home, ['ssh', 'test', 'staging', '--yes-pin-fingerprint', sshd.hostKeyFingerprint]);
    const child = paddockProcess(home, ['operator', 'run', ...GOAL, '--json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    const held = await pendingRequest(home);
    expect(held).toMatchObject({
      kind: 'command',
      subject: `Ssh(staging:mkdir ${hostDir}/release)`,
      risk: 'high',
    });
    // Held: nothing ran, and the model was not asked again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(join(hostDir, 'release'))).toBe(false);
    expect(model.scriptedRequests()).toHaveLength(3);
    const session = (JSON.parse(ok(home, ['session', 'list', '--json'])) as SessionRecord[])[0];
    expect(session).toMatchObject({ agentPreset: 'operator', state: 'waiting', projectId: '' });
    ok(home, ['approvals', 'allow', held.id]);

    expect(await exited, stderr).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const steps = lines.filter((line) => line.type === 'step') as unknown as OperatorStep[];
    const summary = lines.at(-1) as unknown as OperatorRunSummary & { type: string };
    expect(summary).toMatchObject({ type: 'summary', status: 'finished', host: 'staging' });
    expect(summary.summary).toBe('Release dir made.');
    expect(steps.map((step) => [step.step, step.decision?.allow, step.decision?.actor])).toEqual([
      [1, true, 'policy'],
      [2, false, 'policy'],
      [3, true, 'person'],
      [4, true, 'policy'],
    ]);
    expect(steps[0]?.output?.excerpt).toBe('release notes: ship it\n');
    expect(steps[1]?.decision?.actorId).toBe('Ssh(staging:tee:*)');
    expect(steps[1]?.output).toBeNull();
    expect(steps[2]?.decision?.approvalId).toBe(held.id);

    // The host side: the denied command never ran; the held one ran once allowed.
    expect(existsSync(join(hostDir, 'denied-marker'))).toBe(false);
    expect(existsSync(join(hostDir, 'release'))).toBe(true);
    expect(existsSync(join(hostDir, 'release', 'done.txt'))).toBe(true);

    // A session like any other: listed, ended, its model calls metered.
    const [ended] = JSON.parse(ok(home, ['session', 'list', '--json'])) as SessionRecord[];
    expect(ended).toMatchObject({
      id: summary.id,
      agentPreset: 'operator',
      task: 'Read the notes and prepare the release.',
      sandboxProfile: 'ssh:staging',
      state: 'exited',
    });
    const [listed] = JSON.parse(ok(home, ['operator', 'list', '--json'])) as OperatorRunSummary[];
    expect(listed).toMatchObject({ id: summary.id, status: 'finished', turns: 5 });
    expect(listed?.spentUsd).toBeGreaterThan(0);

    // A changed host key is refused: nothing is sent, no run starts.
    ok(home, ['stop']);
    await sshd.restartWithNewHostKey();
    const changed = paddock(home, ['operator', 'run', ...GOAL]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain("staging's host key changed");
    expect(model.scriptedRequests()).toHaveLength(5);
    ok(home, ['stop']);

    // Neither the SSH private key nor the provider key is anywhere in Paddock's files.
    const body = sshd.clientPrivateKey.split('\n').find((line) => line.length > 40) ?? '';
    expect(body).not.toBe('');
    expect(filesContaining(home, body)).toEqual([]);
    expect(filesContaining(home, KEY)).toEqual([]);
  }, 180_000);
  it('prints each step for a person as it happens, and exits 1 at the step limit', async () => {
    const server = await startAnthropicServer({
      turns: TURNS.slice(0, 2),
      scriptBy: 'request',
      answerModel: MODEL,
    });
    try {
      const home = configuredHome(server);
      ok(home, ['ssh', 'test', 'staging', '--yes-pin-fingerprint', sshd.hostKeyFingerprint]);
      writeFileSync(join(hostDir, 'notes.txt'), 'line one\n\u001b[31mred\n');
      const followed = await paddockAsync(home, ['operator', 'run', ...GOAL, '--max-steps', '2']);
      expect(followed.code, followed.stderr).toBe(1);
      expect(followed.stdout).toContain(
        [
          '[1] Read the notes.',
          `    $ cat ${hostDir}/notes.txt`,
          '    allowed by policy Ssh(staging:cat:*): rule: Ssh(staging:cat:*)',
        ].join('\n'),
      );
      // The host's output cannot drive this terminal: control characters come out escaped.
      expect(followed.stdout).toMatch(
        /exit 0 in \d+ ms\n {4}\| line one\n {4}\| \\u001b\[31mred\n/,
      );
      expect(followed.stdout).toContain(
        `[2] Leave a marker with tee.\n    $ echo hi | tee ${hostDir}/denied-marker\n    NOT RUN by policy Ssh(staging:tee:*)`,
      );
      expect(followed.stdout).toContain('step-limit: the step limit (2) was reached');
      expect(existsSync(join(hostDir, 'denied-marker'))).toBe(false);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('takes the host over in a terminal while a command is held, then hands it back and the run goes on', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'notes\n');
    const server = await startAnthropicServer({
      turns: releaseScript(dir),
      scriptBy: 'request',
      answerModel: MODEL,
    });
    try {
      const home = configuredHome(server);
      ok(home, ['ssh', 'test', 'staging', '--yes-pin-fingerprint', sshd.hostKeyFingerprint]);
      const child = paddockProcess(home, ['operator', 'run', ...GOAL, '--json']);
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const held = await pendingRequest(home);

      const pty = spawnPty(
        process.execPath,
        ['--import', 'tsx', CLI, 'operator', 'takeover', held.sessionId],
        {
          cwd: ROOT,
          env: { ...process.env, PADDOCK_HOME: home } as Record<string, string>,
          cols: 100,
          rows: 30,
        },
      );
      let screen = '';
      pty.onData((data) => (screen += data));
      const takeoverExit = new Promise<number>((resolve) =>
        pty.onExit(({ exitCode }) => resolve(exitCode)),
      );
      await expect.poll(() => screen, { timeout: 30_000 }).toContain("You have staging's terminal");
      const session = (JSON.parse(ok(home, ['session', 'list', '--json'])) as SessionRecord[])[0];
      expect(session).toMatchObject({ id: held.sessionId, state: 'paused' });
      pty.write(`stty size; echo typed-$((6*7)) > ${dir}/typed.txt\r`);
      await expect.poll(() => existsSync(join(dir, 'typed.txt')), { timeout: 10_000 }).toBe(true);
      expect(readFileSync(join(dir, 'typed.txt'), 'utf8')).toBe('typed-42\n');
      expect(screen).toContain('30 100');
      pty.write('exit\r');
      expect(await takeoverExit, screen).toBe(0);
      expect(screen).toContain('Handed staging back: the run goes on.');

      // Still held in the inbox: allowed, the run finishes, and the model heard of the take-over.
      ok(home, ['approvals', 'allow', held.id]);
      expect(await exited).toBe(0);
      const told = JSON.stringify(server.scriptedRequests().at(-1)?.body ?? null);
      expect(told).toContain("took over the host's terminal");
      const cast = ok(home, ['session', 'export', held.sessionId, '--cast']);
      expect(castText(cast, 'i')).toContain('echo typed-$((6*7))');
    } finally {
      await server.close();
    }
  }, 180_000);

  it('stops the run at Ctrl-C, and says so when the connection to Paddock drops', async () => {
    const dir = tempDir();
    const held = (name: string) => runCommand('Make a directory.', `mkdir ${dir}/${name}`);
    const server = await startAnthropicServer({
      turns: [held('a'), held('b')],
      scriptBy: 'request',
      answerModel: MODEL,
    });
    const follow = () => {
      const child = paddockProcess(home, ['operator', 'run', ...GOAL]);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      return { child, exited, stderr: () => stderr };
    };
    const home = configuredHome(server);
    try {
      ok(home, ['ssh', 'test', 'staging', '--yes-pin-fingerprint', sshd.hostKeyFingerprint]);
      const first = follow();
      const request = await pendingRequest(home);
      await expect
        .poll(() => first.stderr(), { timeout: 30_000 })
        .toContain('waiting in the inbox');
      first.child.kill('SIGINT');
      expect(await first.exited).toBe(1);
      expect(first.stderr()).toContain(`Stopping run ${request.sessionId}`);
      const [stopped] = JSON.parse(
        ok(home, ['operator', 'list', '--json']),
      ) as OperatorRunSummary[];
      expect(stopped).toMatchObject({ id: request.sessionId, status: 'stopped' });
      expect(existsSync(join(dir, 'a'))).toBe(false);

      const second = follow();
      await expect
        .poll(() => second.stderr(), { timeout: 30_000 })
        .toContain('waiting in the inbox');
      ok(home, ['stop']);
      expect(await second.exited).toBe(1);
      expect(second.stderr()).toContain('Lost the connection to Paddock');
    } finally {
      await server.close();
    }
  }, 120_000);
});
