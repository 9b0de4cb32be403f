/**
 * The gates as Paddock wires them: a finished run raises a `review` item in the inbox, and the
 * person's answer there is the decision (allow promotes, deny rejects and sends the failures
 * back); a newer run withdraws the older item.
 */
import { realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepository, plainGit } from './core/git/testing';
import { openPaddock, type Paddock } from './paddock';
import { sandboxAvailable } from '../test-support/sandbox-host';
import { tempDir } from '../test-support/temp';

const opened: Paddock[] = [];
afterEach(async () => {
  for (const paddock of opened.splice(0)) await paddock.close();
});

async function fixture() {
  const paddock = openPaddock({ home: realpathSync(tempDir()) });
  opened.push(paddock);
  const repo = makeRepository(realpathSync(tempDir()), { 'value.txt': 'bad\n' });
  paddock.settings.set(
    'policy.personal',
    'version: 1\ngates:\n  tests:\n    - name: value check\n      run: grep -q good value.txt\n',
    paddock.person,
  );
  const { session } = await paddock.sessions.exec(
    { project: repo, argv: ['sh', '-c', 'echo good > value.txt'], keep: true },
    { stdout: () => undefined, stderr: () => undefined },
    paddock.person,
  );
  return { paddock, repo, id: session.id };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(condition()).toBe(true);
}

(sandboxAvailable ? describe : describe.skip)('review in the inbox', () => {
  it('raises a review item per run, withdraws the older one, and promotes on allow', async () => {
    const { paddock, repo, id } = await fixture();
    await paddock.gates.run(id, paddock.person);
    const [first] = paddock.approvals.list({ state: 'pending' });
    expect(first).toMatchObject({ kind: 'review', sessionId: id, risk: 'low' });
    expect(first?.reason).toContain('Every gate passed on main');

    await paddock.gates.run(id, paddock.person);
    const pending = paddock.approvals.list({ state: 'pending' });
    expect(pending).toHaveLength(1);
    expect(pending[0]?.id).not.toBe(first?.id);
    expect(paddock.approvals.list({ state: 'denied' })[0]?.decision?.reason).toContain(
      'superseded',
    );
    expect(paddock.sessions.get(id).state).toBe('exited');

    paddock.approvals.decide(
      [pending[0]?.id ?? ''],
      { allow: true, scope: 'once' },
      paddock.person,
    );
    await until(() => paddock.sessions.get(id).state === 'promoted');
    expect(plainGit(repo, ['show', 'main:value.txt'])).toBe('good\n');
  }, 60_000);

  it('rejects on deny, with the reason given', async () => {
    const { paddock, id } = await fixture();
    await paddock.gates.run(id, paddock.person);
    const [review] = paddock.approvals.list({ state: 'pending' });
    paddock.approvals.decide(
      [review?.id ?? ''],
      { allow: false, scope: 'once', reason: 'not this way' },
      paddock.person,
    );
    await until(() =>
      paddock.store
        .list({ sessionId: id, limit: 1000 })
        .some((e) => e.kind === 'review.rejected' || e.kind === 'review.inbox.failed'),
    );
    const state = await paddock.gates.status(id);
    expect(state.rejected?.reason).toBe('not this way');
  }, 60_000);
});
