/**
 * The launcher end to end with a real pseudo-terminal: a spawn plan started under node-pty, the
 * scripted fake agent inside it reading what the kernel gave it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_AGENT_PRESET } from '../../../test-support/fixtures/fake-agent-preset';
import { runInPty, waitUntil, type PtyRun } from '../../../test-support/fixtures/pty';
import { tempDir } from '../../../test-support/temp';
import {
  PASSED_THROUGH_ENV,
  buildSpawnPlan,
  launchCommand,
  parseCustomPreset,
  prepareSessionHome,
  type SpawnPlan,
} from '.';

const person = { name: 'Grace Hopper', email: 'grace@example.com' };

const fakeAgent = parseCustomPreset(FAKE_AGENT_PRESET);

function gitRepository(): string {
  const workspace = tempDir('paddock-workspace-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace });
  git('init', '-q', '-b', 'main');
  git(
    '-c',
    'user.name=Repo Owner',
    '-c',
    'user.email=owner@example.com',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'base',
  );
  return workspace;
}

function plan(workspace: string, steps: unknown[]): SpawnPlan {
  const sessionHome = join(tempDir('paddock-session-'), 'home');
  prepareSessionHome({ home: sessionHome, preset: fakeAgent, workspace, person, model: {} });
  return buildSpawnPlan({
    preset: fakeAgent,
    workspace,
    sessionHome,
    model: {},
    sourceEnv: {
      ...process.env,
      FAKE_AGENT_SCRIPT: JSON.stringify(steps),
      AWS_SECRET_ACCESS_KEY: 'aws-secret-from-the-shell',
      GITHUB_TOKEN: 'ghp_from_the_shell',
      SSH_AUTH_SOCK: '/tmp/agent.sock',
      NPM_TOKEN: 'npm-from-the-shell',
    },
  });
}

let run: PtyRun | undefined;
afterEach(() => run?.stop());

function start(spawnPlan: SpawnPlan): PtyRun {
  run = runInPty({ ...launchCommand(spawnPlan), cwd: spawnPlan.cwd, env: spawnPlan.env });
  return run;
}

describe('a spawn plan in a pseudo-terminal', () => {
  it.skipIf(process.platform !== 'linux')(
    'gives the agent only the allowlisted environment (read from /proc/self/environ)',
    async () => {
      const workspace = gitRepository();
      const agent = start(plan(workspace, [{ type: 'writeEnviron', path: 'environ.json' }]));
      expect((await agent.exited).exitCode).toBe(0);
      const environ = JSON.parse(readFileSync(join(workspace, 'environ.json'), 'utf8')) as Record<
        string,
        string
      >;
      for (const name of ['AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'SSH_AUTH_SOCK', 'NPM_TOKEN']) {
        expect(environ).not.toHaveProperty(name);
      }
      // node-pty adds PWD; everything else is the allowlist, HOME and the declared variable.
      const allowed = (name: string) =>
        [...PASSED_THROUGH_ENV, 'HOME', 'PWD', 'FAKE_AGENT_SCRIPT'].includes(name) ||
        /^LC_/.test(name);
      expect(Object.keys(environ).filter((name) => !allowed(name))).toEqual([]);
      expect(environ.HOME).not.toBe(process.env.HOME);
      expect(environ.TERM).toBeTruthy();
    },
  );

  it('runs an agent that answers a prompt, writes a file and commits as the person', async () => {
    const workspace = gitRepository();
    const agent = start(
      plan(workspace, [
        { type: 'print', text: 'working on it\r\n' },
        { type: 'prompt', question: 'Which file? ' },
        { type: 'writeFile', path: 'notes/answer.txt', content: 'forty-two\n' },
        { type: 'commit', message: 'from the fake agent' },
        { type: 'exit', code: 7 },
      ]),
    );
    await waitUntil(() => agent.output().includes('Which file? '), {
      timeoutMs: 10_000,
      describe: () => `no prompt in ${JSON.stringify(agent.output())}`,
    });
    agent.pty.write('answer.txt\r');
    expect((await agent.exited).exitCode).toBe(7);
    expect(agent.output().startsWith('fake-agent ready')).toBe(true);
    expect(agent.output()).toContain('you said: answer.txt');
    expect(readFileSync(join(workspace, 'notes', 'answer.txt'), 'utf8')).toBe('forty-two\n');
    const head = execFileSync('git', ['log', '-1', '--format=%an <%ae>|%cn <%ce>|%s'], {
      cwd: workspace,
      encoding: 'utf8',
    });
    expect(head.trim()).toBe(
      'Grace Hopper <grace@example.com>|Grace Hopper <grace@example.com>|from the fake agent',
    );
  });
});
