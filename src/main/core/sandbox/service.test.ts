/**
 * The sandbox as sessions see it: no sandbox, no session (unless the person says so, on the
 * record), and every contained process on the record with how it was contained.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepository } from '../git/testing';
import { shellPreset } from '../../../test-support/fixtures/shell-preset';
import { testSessions } from '../../../test-support/sessions';
import { tempDir } from '../../../test-support/temp';
import { bubblewrapBackend } from './bubblewrap';
import type { SandboxBackend } from './spec';

const bubblewrapRuns = (await bubblewrapBackend().problem()) === null;
const person = { actor: 'person' as const, actorId: 'ada' };
const echo = shellPreset('echo', 'echo hello');

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

function setup(backend?: SandboxBackend | null, presets = [echo]) {
  const home = tempDir();
  const context = testSessions({
    home,
    presets,
    sandbox: backend === undefined ? {} : { backend },
  });
  open.push(context.close);
  return { ...context, home, repo: makeRepository(tempDir(), { 'README.md': '# demo\n' }) };
}

/** A backend that cannot run here, as bubblewrap without user namespaces. */
const blocked: SandboxBackend = {
  name: 'bubblewrap',
  problem: async () => 'bubblewrap cannot make its namespaces here (Operation not permitted).',
  wrap: () => {
    throw new Error('never called');
  },
};

describe('the sandbox, as sessions use it', () => {
  it('fails closed: no sandbox, no session, nothing made, and the error says what to do', async () => {
    const { sessions, home, repo } = setup(blocked);
    await expect(sessions.start({ project: repo, preset: 'echo' }, person)).rejects.toThrow(
      /cannot make its namespaces.*paddock doctor.*--unsandboxed/s,
    );
    await expect(
      sessions.exec(
        { project: repo, argv: ['true'] },
        { stdout: () => {}, stderr: () => {} },
        person,
      ),
    ).rejects.toThrow(/cannot make its namespaces/);
    expect(sessions.list()).toEqual([]);
    const workspaces = join(home, 'workspaces');
    expect(existsSync(workspaces) ? readdirSync(workspaces) : []).toEqual([]);
  });

  it('says so where no backend exists for the platform', async () => {
    const { sessions, repo } = setup(null);
    await expect(sessions.start({ project: repo, preset: 'echo' }, person)).rejects.toThrow(
      /no sandbox for/,
    );
  });

  it('runs unsandboxed only when asked, and records that choice', async () => {
    const { sessions, store, repo } = setup(blocked);
    const started = await sessions.start(
      { project: repo, preset: 'echo', unsandboxed: true },
      person,
    );
    expect(started.sandboxProfile).toBe('unsandboxed');
    await sessions.waitForExit(started.id);
    const created = store.list({ sessionId: started.id, limit: 100 })[0];
    expect(created).toMatchObject({
      kind: 'session.created',
      actor: 'person',
      payload: { sandbox: 'unsandboxed' },
    });
    expect(
      store.list({ sessionId: started.id, limit: 100 }).some((e) => e.kind === 'sandbox.started'),
    ).toBe(false);
  });

  // Skipped (and so reported) only where bubblewrap cannot run; the doctor says why.
  it.skipIf(!bubblewrapRuns)('records how each process was contained', async () => {
    const { sessions, store, repo } = setup();
    const started = await sessions.start({ project: repo, preset: 'echo' }, person);
    expect(started.sandboxProfile).toBe('bubblewrap');
    await sessions.waitForExit(started.id);
    const contained = store
      .list({ sessionId: started.id, limit: 100 })
      .find((e) => e.kind === 'sandbox.started');
    expect(contained?.payload).toMatchObject({
      backend: 'bubblewrap',
      program: '/bin/sh',
      blocked: expect.arrayContaining(['.mcp.json', '.claude/settings.json', '.envrc']),
      limits: { processes: 1024 },
    });
  });

  it.skipIf(!bubblewrapRuns)(
    'runs commands beside the agent in its sandbox, from a spare made ahead too, with their exit codes',
    async () => {
      const { sessions, repo } = setup(undefined, [shellPreset('idle', 'sleep 30')]);
      const started = await sessions.start({ project: repo, preset: 'idle' }, person);
      const attempts: Array<{ exitCode: number; output: string }> = [];
      for (let i = 0; i < 3; i++) {
        let output = '';
        const io = {
          stdout: (chunk: Buffer) => void (output += chunk.toString()),
          stderr: (chunk: Buffer) => void (output += chunk.toString()),
        };
        const { exitCode } = await sessions.execIn(
          started.id,
          ['/bin/sh', '-c', 'echo x > /etc/paddock-probe || exit 7'],
          io,
          person,
        );
        attempts.push({ exitCode, output });
      }
      for (const attempt of attempts) {
        expect(attempt.exitCode).toBe(7);
        expect(attempt.output).toMatch(/Read-only file system/);
      }
      expect(existsSync('/etc/paddock-probe')).toBe(false);
      sessions.stop(started.id, person);
      await sessions.waitForExit(started.id);
    },
  );

  it.skipIf(!bubblewrapRuns)('shows tracked .env files empty, but not their examples', async () => {
    const { sessions } = setup();
    const repo = makeRepository(tempDir(), {
      'config/.env': 'TOKEN=from-git\n',
      'config/.env.example': 'TOKEN=\n',
    });
    let output = '';
    const io = { stdout: (c: Buffer) => void (output += c.toString()), stderr: () => {} };
    const argv = ['/bin/sh', '-c', 'cat config/.env; cat config/.env.example'];
    await sessions.exec({ project: repo, argv }, io, person);
    expect(output).toBe('TOKEN=\n');
  });
});
