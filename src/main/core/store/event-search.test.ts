import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { insertProjects, insertSessions } from '../costs/fixtures/usage';
import { AuditStore } from './index';

function seeded() {
  const store = AuditStore.open({ home: tempDir(), checkpointEvery: 1_000_000 });
  insertProjects(store, [
    { id: 'prj_web', path: '/work/web', name: 'web' },
    { id: 'prj_api', path: '/work/api', name: 'api' },
  ]);
  insertSessions(store, [
    { id: 'ses_aaaaaaaa', projectId: 'prj_web', agentPreset: 'claude', task: 'a' },
    { id: 'ses_bbbbbbbb', projectId: 'prj_api', agentPreset: 'codex', task: 'b' },
  ]);
  const events = [
    {
      kind: 'approval.requested',
      actor: 'system',
      sessionId: 'ses_aaaaaaaa',
      text: 'deploy asked',
    },
    {
      kind: 'approval.decided',
      actor: 'person',
      sessionId: 'ses_aaaaaaaa',
      text: 'deploy allowed',
    },
    { kind: 'hook.pre-tool', actor: 'agent', sessionId: 'ses_bbbbbbbb', text: 'deploy reported' },
    { kind: 'network.request', actor: 'policy', sessionId: 'ses_bbbbbbbb', text: 'deploy denied' },
  ] as const;
  for (const event of events)
    store.append({
      kind: event.kind,
      actor: event.actor,
      actorId: 'x',
      sessionId: event.sessionId,
      payload: { text: event.text },
    });
  // What commands printed is searchable too, colour codes and all taken out.
  store.append({
    kind: 'session.exec',
    actor: 'person',
    actorId: 'ada',
    sessionId: 'ses_aaaaaaaa',
    payload: { argv: ['npm', 'test'], exitCode: 1 },
    blobs: [Buffer.from('\x1b[31mFAIL\x1b[0m checkout\x1b[1m-flow\x1b[0m timed out\r\n')],
  });
  store.append({
    kind: 'terminal.output',
    actor: 'agent',
    actorId: 'claude',
    sessionId: 'ses_bbbbbbbb',
    payload: { chunk: 0 },
    blobs: [Buffer.from('\x1b]0;title\x07Compiling quokka-engine v0.3\n')],
  });
  return store;
}

const kinds = (store: AuditStore, ...args: Parameters<AuditStore['search']>) =>
  store.search(...args).map((event) => event.kind);

describe('audit search', () => {
  it('finds words inside what a command or a terminal printed', () => {
    const store = seeded();
    expect(kinds(store, 'checkout-flow')).toEqual(['session.exec']);
    expect(kinds(store, 'timed out')).toEqual(['session.exec']);
    expect(kinds(store, 'quokka')).toEqual(['terminal.output']);
    // The escape sequences themselves are not words.
    expect(kinds(store, '31mFAIL')).toEqual([]);
    store.close();
  });

  it('narrows by session, project, kind (or prefix), actor and time', () => {
    const store = seeded();
    expect(kinds(store, 'deploy')).toEqual([
      'network.request',
      'hook.pre-tool',
      'approval.decided',
      'approval.requested',
    ]);
    expect(kinds(store, 'deploy', 50, { sessionId: 'ses_bbbbbbbb' })).toEqual([
      'network.request',
      'hook.pre-tool',
    ]);
    expect(kinds(store, 'deploy', 50, { projectId: 'prj_web' })).toEqual([
      'approval.decided',
      'approval.requested',
    ]);
    expect(kinds(store, 'deploy', 50, { kinds: ['approval.'] })).toEqual([
      'approval.decided',
      'approval.requested',
    ]);
    expect(kinds(store, 'deploy', 50, { kinds: ['network.request', 'hook.pre-tool'] })).toEqual([
      'network.request',
      'hook.pre-tool',
    ]);
    // `_` in a prefix is a character, not a wildcard.
    expect(kinds(store, 'deploy', 50, { kinds: ['approval_'] })).toEqual([]);
    expect(kinds(store, 'deploy', 50, { actors: ['agent', 'policy'] })).toEqual([
      'network.request',
      'hook.pre-tool',
    ]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(kinds(store, 'deploy', 50, { since: future })).toEqual([]);
    expect(kinds(store, 'deploy', 50, { until: future }).length).toBe(4);
    // Filters alone, without words.
    expect(kinds(store, '', 50, { actors: ['agent'] })).toEqual([
      'terminal.output',
      'hook.pre-tool',
    ]);
    expect(kinds(store, '', 50)).toEqual([]);
    store.close();
  });
});
