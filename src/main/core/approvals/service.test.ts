import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { SettingsService } from '../settings';
import { AuditStore } from '../store';
import { ApprovalService, type ApprovalInput } from './index';

const person = { actor: 'person' as const, actorId: 'ada' };
const stores: AuditStore[] = [];
afterEach(() => stores.splice(0).forEach((store) => store.close()));

function service(expiryMs?: number) {
  const store = AuditStore.open({ home: tempDir() });
  stores.push(store);
  const settings = new SettingsService(store);
  return { store, settings, approvals: new ApprovalService(store, settings, expiryMs) };
}

const input = (subject = 'Bash(npm install left-pad)'): ApprovalInput => ({
  sessionId: 'ses_0123abcd',
  projectPath: '/work/app',
  agent: 'claude',
  kind: 'command',
  subject,
  tool: 'Bash',
  input: JSON.stringify({ command: 'npm install left-pad' }),
  risk: 'medium',
  reason: 'a package install',
  context: '$ npm test\nok\n',
});

describe('ApprovalService', () => {
  it('holds a request until a person answers, and records who, how and how long', async () => {
    const { store, approvals } = service();
    const { request, answer } = approvals.request(input());
    expect(approvals.list({ state: 'pending' }).map((r) => r.id)).toEqual([request.id]);
    const [decided] = approvals.decide([request.id], { allow: true, scope: 'once' }, person);
    expect(decided).toMatchObject({
      state: 'allowed',
      decision: { allow: true, by: 'ada', scope: 'once' },
    });
    expect(await answer).toEqual({ allow: true, reason: expect.stringMatching(/Allowed by ada/) });
    const kinds = store.list({ sessionId: 'ses_0123abcd' }).map((e) => [e.kind, e.actor]);
    expect(kinds).toEqual([
      ['approval.requested', 'system'],
      ['approval.decided', 'person'],
    ]);
    const requested = store.list({ sessionId: 'ses_0123abcd' })[0];
    expect(requested?.payload.inputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(() => approvals.decide([request.id], { allow: false, scope: 'once' }, person)).toThrow(
      /allowed already/,
    );
  });

  it('remembers an answer for the session, and one for the project in the settings', () => {
    const { settings, approvals } = service();
    const first = approvals.request(input()).request;
    approvals.decide([first.id], { allow: true, scope: 'session' }, person);
    expect(approvals.allowedBefore('ses_0123abcd', '/work/app', first.subject)).toBe('session');
    expect(approvals.allowedBefore('ses_99999999', '/work/app', first.subject)).toBeNull();

    const second = approvals.request(input('Bash(npm run build)')).request;
    approvals.decide([second.id], { allow: true, scope: 'project' }, person);
    expect(settings.get('approvals.project')).toEqual({ '/work/app': ['Bash(npm run build)'] });
    expect(approvals.allowedBefore('ses_99999999', '/work/app', 'Bash(npm run build)')).toBe(
      'project',
    );
    expect(() =>
      approvals.decide(
        [approvals.request(input()).request.id],
        { allow: false, scope: 'project' },
        person,
      ),
    ).toThrow(/deny answers one request/);
  });

  it('answers a review once: a wider scope would promote changes nobody looked at', () => {
    const { settings, approvals } = service();
    const review = approvals.request({
      ...input('Review(paddock/1 → main run_1)'),
      kind: 'review',
    });
    for (const scope of ['session', 'project'] as const)
      expect(() => approvals.decide([review.request.id], { allow: true, scope }, person)).toThrow(
        /is a review: it decides one change, so it is answered once/,
      );
    expect(settings.get('approvals.project')).toEqual({});
    expect(approvals.list({ state: 'pending' }).map((r) => r.id)).toEqual([review.request.id]);
  });

  it('refuses to allow a request of no project for a project, and keeps it pending', () => {
    const { settings, approvals } = service();
    const held = approvals.request({
      ...input('Ssh(staging:mkdir /srv/release)'),
      projectPath: '',
      agent: 'operator',
    });
    expect(() =>
      approvals.decide([held.request.id], { allow: true, scope: 'project' }, person),
    ).toThrow(
      /belongs to no project \(an operator run on an SSH host\): allow it once or for its session/,
    );
    expect(settings.get('approvals.project')).toEqual({});
    expect(approvals.list({ state: 'pending' }).map((r) => r.id)).toEqual([held.request.id]);
    approvals.decide([held.request.id], { allow: true, scope: 'session' }, person);
    expect(approvals.allowedBefore('ses_0123abcd', '', 'Ssh(staging:mkdir /srv/release)')).toBe(
      'session',
    );
  });

  it('denies a request nobody answers in time, and tells the agent why', async () => {
    const { store, approvals } = service(50);
    const { request, answer } = approvals.request(input());
    expect(await answer).toEqual({
      allow: false,
      reason: expect.stringMatching(/no answer within/),
    });
    expect(approvals.list()[0]).toMatchObject({ id: request.id, state: 'expired' });
    expect(store.list({ sessionId: 'ses_0123abcd' }).at(-1)?.kind).toBe('approval.expired');
  });

  it('denies what is pending when the session ends or Paddock stops', async () => {
    const { approvals } = service();
    const ended = approvals.request(input());
    const stopping = approvals.request({ ...input(), sessionId: 'ses_99999999' });
    approvals.endSession('ses_0123abcd');
    expect((await ended.answer).allow).toBe(false);
    approvals.shutdown();
    expect(await stopping.answer).toEqual({
      allow: false,
      reason: expect.stringMatching(/shutting down/),
    });
  });
});
