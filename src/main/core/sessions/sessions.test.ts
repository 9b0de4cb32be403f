import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCustomPreset, type AgentPreset } from '../agents';
import { makeRepository, snapshotTree } from '../git/testing';
import type { AuditStore } from '../store';
import { FAKE_AGENT_PRESET } from '../../../test-support/fixtures/fake-agent-preset';
import { testSessions } from '../../../test-support/sessions';
import { tempDir } from '../../../test-support/temp';

/** The scripted fake agent as a custom preset: the script travels in FAKE_AGENT_SCRIPT. */
const fakePreset: AgentPreset = parseCustomPreset(FAKE_AGENT_PRESET);
const person = { actor: 'person' as const, actorId: 'ada' };

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

function setup(
  script: unknown[],
  extraEnv: NodeJS.ProcessEnv = {},
  options: { idleMs?: number; home?: string; presets?: AgentPreset[] } = {},
) {
  const home = options.home ?? tempDir();
  const { store, settings, projects, sessions, close } = testSessions({
    home,
    presets: options.presets ?? [fakePreset],
    sourceEnv: { PATH: process.env.PATH, FAKE_AGENT_SCRIPT: JSON.stringify(script), ...extraEnv },
    idleMs: options.idleMs,
    stopGraceMs: 1000,
  });
  open.push(close);
  const repo = makeRepository(tempDir(), {
    'README.md': '# demo\n',
    '.gitignore': '.env\n',
    '.env': 'SECRET=1\n',
  });
  return { home, store, settings, sessions, projects, repo };
}

function output(store: AuditStore, sessionId: string): string {
  return store
    .list({ sessionId, limit: 1000 })
    .filter((e) => e.kind === 'terminal.output')
    .flatMap((e) => e.blobs.map((hash) => store.getBlob(hash)?.toString('utf8') ?? ''))
    .join('');
}

async function waitFor<T>(read: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('sessions', () => {
  it('runs an agent in its own workspace, records every byte, and leaves the project untouched', async () => {
    const { store, sessions, repo } = setup([
      { type: 'print', text: 'working on it\r\n' },
      { type: 'writeFile', path: 'src/made.txt', content: 'made by the agent\n' },
      { type: 'commit', message: 'agent work' },
      { type: 'writeFile', path: 'notes.txt', content: 'not committed\n' },
      { type: 'exit', code: 3 },
    ]);
    const before = snapshotTree(join(repo, '.git'));
    const started = await sessions.start(
      { project: repo, preset: 'fake', task: 'make a file' },
      person,
    );
    // Recorded before the checkout; running once the agent prints.
    expect(started.state).toBe('starting');
    expect(started.branch).toMatch(/^paddock\/[0-9a-f]{8}$/);
    expect(started.workspace?.startsWith(join(store.paths.home, 'workspaces'))).toBe(true);
    // Nothing gitignored reaches the workspace.
    expect(existsSync(join(started.workspace as string, '.env'))).toBe(false);

    const ended = await sessions.waitForExit(started.id);
    expect(ended).toMatchObject({ state: 'exited', exitCode: 3 });
    expect(output(store, started.id)).toContain('working on it');

    const diff = await sessions.diff(started.id);
    expect(diff.files.map((f) => [f.status, f.path]).sort()).toEqual([
      ['A', 'notes.txt'],
      ['A', 'src/made.txt'],
    ]);
    expect(diff.patch).toContain('+made by the agent');
    expect(snapshotTree(join(repo, '.git'))).toEqual(before);

    const kinds = store.list({ sessionId: started.id, limit: 1000 }).map((e) => e.kind);
    expect(kinds.filter((k) => k.startsWith('session.'))).toEqual([
      'session.created',
      'session.running',
      'session.exited',
    ]);
    expect(store.verify().ok).toBe(true);
  });

  it('records the exact bytes the terminal produced, invalid UTF-8 included', async () => {
    const printer: AgentPreset = {
      ...fakePreset,
      id: 'printer',
      command: '/bin/sh',
      args: ['-c', "printf 'ok \\377\\376 done'"],
      env: {},
    };
    const { store, sessions, repo } = setup([], {}, { presets: [printer] });
    const started = await sessions.start({ project: repo, preset: 'printer' }, person);
    await sessions.waitForExit(started.id);
    const recorded = Buffer.concat(
      store
        .list({ sessionId: started.id, limit: 1000 })
        .filter((e) => e.kind === 'terminal.output')
        .map((e) => store.getBlob(e.blobs[0] as string) ?? Buffer.alloc(0)),
    );
    expect(recorded.equals(Buffer.from('ok \xff\xfe done', 'latin1'))).toBe(true);
  });

  it('passes input to the agent and records it', async () => {
    const { store, sessions, repo } = setup([{ type: 'prompt', question: 'name? ' }]);
    let live = '';
    sessions.onOutput((_id, data) => (live += data));
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    await waitFor(() => live.includes('name?'));
    sessions.write(started.id, 'Ada\r');
    await sessions.waitForExit(started.id);
    expect(output(store, started.id)).toContain('you said: Ada');
    expect(
      store.list({ sessionId: started.id, limit: 1000 }).some((e) => e.kind === 'terminal.input'),
    ).toBe(true);
  });

  it('keeps credentials in Paddock’s environment away from the agent', async () => {
    const { sessions, repo } = setup([{ type: 'writeEnviron', path: 'environ.json' }], {
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
      GITHUB_TOKEN: 'ghp_notforagents',
      SSH_AUTH_SOCK: '/tmp/agent.sock',
    });
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    await sessions.waitForExit(started.id);
    const environ = JSON.parse(
      readFileSync(join(started.workspace as string, 'environ.json'), 'utf8'),
    ) as Record<string, string>;
    expect(environ).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
    expect(environ).not.toHaveProperty('GITHUB_TOKEN');
    expect(environ).not.toHaveProperty('SSH_AUTH_SOCK');
    expect(environ.HOME).toMatch(/sessions\/ses_[0-9a-f]{8}\/home$/);
  });

  it('pauses the whole process group, resumes it, and stops it on request', async () => {
    const { store, sessions, repo } = setup([{ type: 'wait', ms: 30_000 }]);
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    const running = await waitFor(() =>
      store.list({ sessionId: started.id, limit: 100 }).find((e) => e.kind === 'session.running'),
    );
    const pid = Number(running.payload.pid);
    const processState = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    expect(sessions.pause(started.id, person).state).toBe('paused');
    await waitFor(() => processState() === 'T');
    expect(sessions.resume(started.id, person).state).toBe('running');
    await waitFor(() => processState() !== 'T');
    sessions.stop(started.id, person);
    const stopped = await sessions.waitForExit(started.id);
    expect(stopped.state).toBe('stopped');
    const stoppedEvent = store
      .list({ sessionId: started.id, limit: 100 })
      .find((e) => e.kind === 'session.stopped');
    expect(stoppedEvent).toMatchObject({ actor: 'person', actorId: 'ada' });
  });

  it('restarts an exited session in the same workspace, runs commands there, and exports the recording', async () => {
    const { store, sessions, repo } = setup([
      { type: 'print', text: 'hello from the agent\r\n' },
      { type: 'exit', code: 0 },
    ]);
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    await sessions.waitForExit(started.id);
    const restarted = await sessions.restart(started.id, person);
    expect(restarted.state).toBe('running');
    expect(restarted.workspace).toBe(started.workspace);
    await sessions.waitForExit(started.id);

    let printed = '';
    const { exitCode } = await sessions.execIn(
      started.id,
      ['sh', '-c', 'echo from-exec; exit 4'],
      { stdout: (c) => (printed += c), stderr: () => undefined },
      person,
    );
    expect(exitCode).toBe(4);
    expect(printed).toBe('from-exec\n');
    const execEvent = store
      .list({ sessionId: started.id, limit: 1000 })
      .find((e) => e.kind === 'session.exec');
    expect(execEvent?.payload).toMatchObject({
      argv: ['sh', '-c', 'echo from-exec; exit 4'],
      exitCode: 4,
    });
    expect(store.getBlob(execEvent?.blobs[0] as string)?.toString()).toBe('from-exec\n');

    const cast = (await sessions.exportAsciicast(started.id)).trim().split('\n');
    expect(JSON.parse(cast[0] as string)).toMatchObject({ version: 2 });
    const text = cast
      .slice(1)
      .map((line) => JSON.parse(line) as [number, string, string])
      .filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join('');
    expect(text).toContain('hello from the agent');
  });

  it('shows an attaching client the screen so far, then only the output after it', async () => {
    const { sessions, repo } = setup([
      { type: 'print', text: '\x1b[32mstep one done\x1b[0m\r\n' },
      { type: 'prompt', question: 'continue? ' },
    ]);
    const seen: Array<{ data: string; seq: number }> = [];
    sessions.onOutput((_id, data, seq) => seen.push({ data, seq }));
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    await waitFor(() =>
      seen
        .map((e) => e.data)
        .join('')
        .includes('continue?'),
    );
    const screen = await sessions.screen(started.id);
    expect(screen).toMatchObject({ live: true, seq: seen.length, cols: 120, rows: 32 });
    expect(screen.data).toContain('step one done');
    expect(screen.data).toContain('continue?');
    sessions.write(started.id, 'yes\r');
    const ended = await sessions.waitForExit(started.id);
    // Output after the screen carries later sequence numbers.
    expect(
      seen
        .filter((e) => e.seq > screen.seq)
        .map((e) => e.data)
        .join(''),
    ).toContain('you said: yes');
    const after = await sessions.screen(ended.id);
    expect(after).toMatchObject({ live: false, seq: 0 });
    expect(after.data).toContain('you said: yes');
  });

  it('types a queued message in when the agent waits for it', async () => {
    const { store, sessions, repo } = setup(
      [{ type: 'prompt', question: 'next task? ' }],
      {},
      {
        idleMs: 200,
      },
    );
    let live = '';
    sessions.onOutput((_id, data) => (live += data));
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    expect(sessions.queue(started.id, 'write the tests', person).queued).toEqual([
      'write the tests',
    ]);
    await sessions.waitForExit(started.id);
    expect(live).toContain('you said: write the tests');
    const kinds = store.list({ sessionId: started.id, limit: 1000 }).map((e) => e.kind);
    expect(kinds.indexOf('session.message.delivered')).toBeGreaterThan(
      kinds.indexOf('session.waiting'),
    );
  });

  it('marks a session waiting when its agent goes quiet', async () => {
    const { sessions, repo } = setup([{ type: 'wait', ms: 30_000 }], {}, { idleMs: 200 });
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    await waitFor(() => sessions.get(started.id).state === 'waiting');
    sessions.stop(started.id, person);
    await sessions.waitForExit(started.id);
  });

  it('marks sessions whose process died with Paddock as interrupted', async () => {
    const home = tempDir();
    const first = setup([{ type: 'wait', ms: 30_000 }], {}, { home });
    const started = await first.sessions.start({ project: first.repo, preset: 'fake' }, person);
    // Paddock "dies": its record of the session still says running.
    first.sessions.stop(started.id, person);
    await first.sessions.waitForExit(started.id);
    first.store.database
      .prepare("UPDATE sessions SET state = 'running' WHERE id = ?")
      .run(started.id);
    await open.splice(0)[0]?.();
    const second = setup([], {}, { home });
    expect(second.sessions.recoverAfterRestart().map((s) => s.id)).toEqual([started.id]);
    expect(second.sessions.get(started.id).state).toBe('interrupted');
  });

  it('discards a session’s workspace, and gc frees what is left behind', async () => {
    const { home, sessions, repo } = setup([{ type: 'exit', code: 0 }]);
    const started = await sessions.start({ project: repo, preset: 'fake' }, person);
    await sessions.waitForExit(started.id);
    const { session, bytesFreed } = await sessions.discard(started.id, person);
    expect(session.state).toBe('discarded');
    expect(bytesFreed).toBeGreaterThan(0);
    expect(existsSync(started.workspace as string)).toBe(false);
    expect(sessions.gc(person)).toEqual({ removed: [], bytesFreed: 0 });
    const orphan = join(home, 'workspaces', 'prj_00000000', 'ses_0badf00d');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, 'left.txt'), 'x'.repeat(5000));
    const collected = sessions.gc(person);
    expect(collected.removed).toEqual([orphan]);
    expect(collected.bytesFreed).toBeGreaterThanOrEqual(5000);
  });

  it.each([
    [
      'a path that is not a repository',
      (_p: { repo: string }) => ({ project: tempDir(), preset: 'fake' }),
      /is not a git repository/,
    ],
    [
      'an unknown preset',
      (p: { repo: string }) => ({ project: p.repo, preset: 'nosuch' }),
      /nosuch/,
    ],
    [
      'a base that does not exist',
      (p: { repo: string }) => ({ project: p.repo, preset: 'fake', base: 'no-such-branch' }),
      /no-such-branch/,
    ],
  ])(
    'refuses %s with a clear error and leaves nothing behind',
    async (_label, request, message) => {
      const context = setup([]);
      await expect(context.sessions.start(request(context), person)).rejects.toThrow(message);
      expect(context.sessions.list()).toEqual([]);
      const workspaces = join(context.home, 'workspaces');
      const made = existsSync(workspaces)
        ? readdirSync(workspaces).flatMap((p) => readdirSync(join(workspaces, p)))
        : [];
      expect(made).toEqual([]);
    },
  );

  it('refuses a preset whose program is missing, before making anything', async () => {
    const missing: AgentPreset = { ...fakePreset, id: 'gone', command: 'no-such-agent-program' };
    const context = setup([], {}, { presets: [missing] });
    const sessions = context.sessions;
    await expect(sessions.start({ project: context.repo, preset: 'gone' }, person)).rejects.toThrow(
      /no-such-agent-program/,
    );
    expect(sessions.list()).toEqual([]);
    const workspaces = join(context.home, 'workspaces');
    const made = existsSync(workspaces)
      ? readdirSync(workspaces).flatMap((p) => readdirSync(join(workspaces, p)))
      : [];
    expect(made).toEqual([]);
  });

  it('refuses an unwritable workspace root with what to do', async () => {
    const context = setup([]);
    // Root may write anywhere, so "unwritable" is a path under a plain file.
    const { writeFileSync } = await import('node:fs');
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    context.settings.set('workspaces.root', join(file, 'workspaces'), person);
    await expect(
      context.sessions.start({ project: context.repo, preset: 'fake' }, person),
    ).rejects.toThrow(/workspaces\.root/);
    expect(context.sessions.list()).toEqual([]);
  });
});
