import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCustomPreset } from '../agents';
import { makeRepository } from '../git/testing';
import type { AuditStore } from '../store';
import { FAKE_AGENT_PRESET } from '../../../test-support/fixtures/fake-agent-preset';
import { testSessions } from '../../../test-support/sessions';
import { tempDir } from '../../../test-support/temp';
import type { WorkspaceSetup } from './index';

const person = { actor: 'person' as const, actorId: 'ada' };
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** A project with a gitignored .env, and sessions whose workspaces `setup` prepares. */
function withSetup(setup: () => Promise<WorkspaceSetup | null>, envFilesAllowed = false) {
  const home = tempDir();
  const script = [{ type: 'print', text: 'agent says hello\r\n' }];
  const context = testSessions({
    home,
    presets: [parseCustomPreset(FAKE_AGENT_PRESET)],
    sourceEnv: { PATH: process.env.PATH, FAKE_AGENT_SCRIPT: JSON.stringify(script) },
    stopGraceMs: 1000,
    workspaceSetup: setup,
    envFilesAllowed: async () => envFilesAllowed,
  });
  open.push(context.close);
  const repo = makeRepository(tempDir(), { '.gitignore': '.env\n', '.env': 'API_URL=http://x\n' });
  return { ...context, home, repo };
}

const kinds = (store: AuditStore, id: string) =>
  store.list({ sessionId: id, limit: 1000 }).map((e) => e.kind);

function recordedText(store: AuditStore, id: string): string {
  return store
    .list({ sessionId: id, limit: 1000 })
    .filter((e) => e.kind === 'terminal.output')
    .map((e) => store.getBlob(e.blobs[0] ?? '')?.toString() ?? '')
    .join('');
}

describe('workspace set-up', () => {
  it('copies the named files, runs the command in the terminal, then starts the agent', async () => {
    const { store, sessions, repo } = withSetup(
      async () => ({
        copy: ['.env', 'missing.json'],
        command: 'echo preparing the workspace; cat .env > copied-env.txt',
      }),
      true,
    );
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    const ended = await sessions.waitForExit(started.id);
    expect(ended.state).toBe('exited');

    const workspace = started.workspace as string;
    expect(readFileSync(join(workspace, 'copied-env.txt'), 'utf8')).toBe('API_URL=http://x\n');
    const events = store.list({ sessionId: started.id, limit: 1000 });
    expect(events.find((e) => e.kind === 'workspace.copied')?.payload).toEqual({
      copied: [{ path: '.env', bytes: 17 }],
      missing: ['missing.json'],
    });
    expect(events.find((e) => e.kind === 'workspace.setup.finished')?.payload).toMatchObject({
      exitCode: 0,
    });
    // Running only once the agent is up, after the set-up finished.
    const order = kinds(store, started.id);
    expect(order.indexOf('session.running')).toBeGreaterThan(
      order.indexOf('workspace.setup.finished'),
    );
    const text = recordedText(store, started.id);
    expect(text.indexOf('preparing the workspace')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('agent says hello')).toBeGreaterThan(text.indexOf('preparing'));
  });

  it('fails the session, saying why, when the command fails; the agent never starts', async () => {
    const { store, sessions, repo } = withSetup(async () => ({
      copy: [],
      command: 'echo npm ci went wrong; exit 3',
    }));
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    const ended = await sessions.waitForExit(started.id);
    expect(ended.state).toBe('failed');
    expect(ended.reason).toMatch(/set-up command `echo npm ci went wrong; exit 3` exited with 3/);
    const text = recordedText(store, started.id);
    expect(text).toContain('npm ci went wrong');
    expect(text).not.toContain('agent says hello');
  });

  it('stops a command that outlives its time', async () => {
    const { sessions, repo } = withSetup(async () => ({
      copy: [],
      command: 'sleep 30',
      timeoutMs: 300,
    }));
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    const ended = await sessions.waitForExit(started.id, 10_000);
    expect(ended.state).toBe('failed');
    expect(ended.reason).toMatch(/took longer than 0.3 s/);
  });

  it('refuses to start on a broken policy, leaving nothing behind', async () => {
    const { home, sessions, repo } = withSetup(async () => {
      throw new Error('.paddock/policy.yaml:3:3: workspace.copy[0]: expected a path');
    });
    await expect(sessions.start({ project: repo, preset: 'fake' }, person)).rejects.toThrow(
      /policy\.yaml:3:3/,
    );
    expect(sessions.list()).toEqual([]);
    expect(
      existsSync(join(home, 'workspaces')) ? readdirSync(join(home, 'workspaces')) : [],
    ).toEqual([]);
  });

  it('runs the set-up before `exec`, its output on stderr, never stdout', async () => {
    const { sessions, repo } = withSetup(async () => ({
      copy: ['.env'],
      command: 'echo setting up',
    }));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const io = { stdout: (b: Buffer) => out.push(b), stderr: (b: Buffer) => err.push(b) };
    const result = await sessions.exec(
      { project: repo, argv: ['sh', '-c', 'wc -c < .env; echo "x" > .env'] },
      io,
      person,
    );
    // The copied .env is there, seen empty and read-only: the policy does not allow .env files.
    expect(result.exitCode).not.toBe(0);
    expect(Buffer.concat(out).toString()).toBe('0\n');
    expect(Buffer.concat(err).toString()).toMatch(/^setting up\n.*Read-only file system/s);
  });

  it('records an `exec` whose set-up fails as failed, saying why', async () => {
    const { sessions, repo } = withSetup(async () => ({ copy: [], command: 'exit 3' }));
    const io = { stdout: () => undefined, stderr: () => undefined };
    await expect(sessions.exec({ project: repo, argv: ['true'] }, io, person)).rejects.toThrow(
      /set-up command `exit 3` exited with 3/,
    );
    const [session] = sessions.list();
    expect(session?.state).toBe('failed');
    expect(session?.reason).toContain('exited with 3');
  });
});
