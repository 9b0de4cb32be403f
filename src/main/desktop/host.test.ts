/**
 * The desktop host's behaviour against real parts: agents in real pseudo-terminals (the scripted
 * fake agent), a real inbox and a real store file.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCustomPreset } from '../core/agents';
import { ApprovalService } from '../core/approvals';
import { makeRepository } from '../core/git/testing';
import { AuditStore } from '../core/store';
import { FAKE_AGENT_PRESET } from '../../test-support/fixtures/fake-agent-preset';
import { testSessions } from '../../test-support/sessions';
import { tempDir } from '../../test-support/temp';
import { DesktopHost } from './host';
import type { TrayState } from './tray-state';

const PERSON = { actor: 'person' as const, actorId: 'ada' };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A Paddock whose agents wait a minute (until stopped), with a desktop host on it. */
function fixture() {
  const home = realpathSync(tempDir());
  const project = makeRepository(realpathSync(tempDir()), { 'README.md': 'hello\n' });
  const core = testSessions({
    home,
    presets: [parseCustomPreset(FAKE_AGENT_PRESET)],
    sourceEnv: {
      PATH: process.env.PATH,
      FAKE_AGENT_SCRIPT: JSON.stringify([{ type: 'wait', ms: 60_000 }]),
    },
    stopGraceMs: 1000,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await core.close();
  };
  cleanups.push(close);
  const approvals = new ApprovalService(core.store, core.settings);
  const host = new DesktopHost({
    sessions: core.sessions,
    approvals,
    store: core.store,
    person: PERSON,
    close,
  });
  const start = (task: string) =>
    core.sessions.start({ project, preset: 'fake', task }, PERSON).then((session) => session.id);
  const ask = (sessionId: string, subject: string) =>
    approvals.request({
      sessionId,
      projectPath: project,
      agent: 'fake',
      kind: 'command',
      subject,
      tool: 'Bash',
      input: '{}',
      risk: 'medium',
      reason: 'not in the policy',
      context: '',
    });
  return { home, core, approvals, host, start, ask, isClosed: () => closed };
}

describe('the desktop host', () => {
  it('follows sessions and requests in the tray, and pauses every running session', async () => {
    const { core, host, start, ask } = fixture();
    const seen: TrayState[] = [];
    const stop = host.onTrayChange((state) => seen.push(state));
    expect(host.trayState().variant).toBe('idle');

    const [first, second] = [await start('one'), await start('two')];
    await expect.poll(() => host.trayState().tooltip).toBe('Paddock: 2 sessions running');
    ask(first, 'Bash(rm -rf build)');
    expect(seen.at(-1)).toMatchObject({ variant: 'attention', badge: 1 });
    expect(seen.at(-1)?.menu.find((item) => item.action?.kind === 'approval')?.label).toBe(
      'fake: Bash(rm -rf build)',
    );

    const { paused, failed } = host.pauseAll();
    expect([paused.sort(), failed]).toEqual([[first, second].sort(), []]);
    expect(core.sessions.get(first).state).toBe('paused');
    expect(host.trayState().tooltip).toBe(
      'Paddock: 0 sessions running, 2 paused, 1 request waiting',
    );
    const pausedBy = core.store
      .list({ limit: 1000 })
      .filter((event) => event.kind === 'session.paused');
    expect(pausedBy.map((event) => [event.sessionId, event.actorId]).sort()).toEqual(
      [
        [first, 'ada'],
        [second, 'ada'],
      ].sort(),
    );
    stop();
  });

  it('asks before quitting with sessions running, then stops them as the person and closes the store once', async () => {
    const { home, host, start, isClosed } = fixture();
    expect(host.quitQuestion()).toBeNull();
    const id = await start('long work');
    expect(host.quitQuestion()).toEqual({
      message: 'A session is still running. Stop it and quit?',
      detail: expect.stringContaining('Close the window instead'),
    });

    // Two exit paths at once (the menu and a signal): one shutdown.
    await Promise.all([host.shutdown('menu'), host.shutdown('SIGTERM')]);
    expect(isClosed()).toBe(true);
    const store = AuditStore.open({ home, readonly: true });
    try {
      const events = store.list({ limit: 1000 });
      expect(events.filter((event) => event.kind === 'desktop.quit')).toEqual([
        expect.objectContaining({
          actorId: 'ada',
          payload: { reason: 'menu', sessionsStopped: [id] },
        }),
      ]);
      const ended = events.find(
        (event) => event.sessionId === id && event.kind === 'session.stopped',
      );
      expect(ended?.actorId).toBe('ada');
      expect(store.verify().ok).toBe(true);
    } finally {
      store.close();
    }
    // Checkpointed: nothing left in the write-ahead log.
    const wal = join(home, 'paddock.db-wal');
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  });

  it('puts a crashed window on the record', () => {
    const { core, host } = fixture();
    host.rendererGone({ reason: 'crashed', exitCode: 139 });
    expect(core.store.list({ order: 'desc', limit: 1 })[0]).toMatchObject({
      kind: 'desktop.renderer.gone',
      actor: 'system',
      payload: { reason: 'crashed', exitCode: 139, reloaded: true },
    });
  });
});
