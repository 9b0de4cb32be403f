/**
 * A session's header and views rendered to HTML in Node: an operator run's session says where it
 * works and offers only what such a session has (no diff, review or sandboxed network, no message
 * queue), with a way to its run; an agent's session keeps every view.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { SessionRecord } from '../../../../shared/sessions';
import { sessionRecord, textOf } from '../../test-support';

vi.mock('../../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: { costs: {}, on: () => () => undefined },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const { SessionDetail } = await import('./SessionDetail');
const { SessionList } = await import('./SessionList');
const { useSessions } = await import('../../store/sessions');

const session = (overrides: Partial<SessionRecord> = {}) =>
  sessionRecord({
    task: 'Fix the build',
    workspace: '/tmp/ws',
    branch: 'paddock/ses_1234abcd',
    ...overrides,
  });

const OPERATOR_RUN = session({
  projectId: '',
  agentPreset: 'operator',
  workspace: null,
  branch: null,
  sandboxProfile: 'ssh:staging',
});

describe('an operator run on the Sessions screen', () => {
  it('says which host it works on and offers its terminal, timeline and replay only', () => {
    useSessions.setState({ view: 'diff' });
    const html = renderToStaticMarkup(<SessionDetail session={OPERATOR_RUN} />);
    const text = textOf(html);
    expect(text).toContain('operator · on staging · ses_1234abcd');
    expect(text).toContain('Open on the Operator screen');
    for (const view of ['Terminal', 'Timeline', 'Replay']) expect(text).toContain(view);
    for (const view of ['Diff', 'Review', 'Network']) expect(text).not.toContain(view);
    // The diff asked for is not there: its terminal shows, without the agent's message queue.
    expect(html).toContain('data-testid="terminal"');
    expect(html).not.toContain('Message for the agent');

    const list = textOf(
      renderToStaticMarkup(<SessionList sessions={[OPERATOR_RUN]} projects={[]} />),
    );
    expect(list).toContain('operator · on staging · ses_1234abcd');
  });

  it('leaves an agent session every view and its message queue', () => {
    useSessions.setState({ view: 'terminal' });
    const html = renderToStaticMarkup(<SessionDetail session={session()} />);
    const text = textOf(html);
    expect(html).toContain('Message for the agent');
    for (const view of ['Terminal', 'Diff', 'Network', 'Review', 'Timeline', 'Replay'])
      expect(text).toContain(view);
    expect(text).not.toContain('Open on the Operator screen');
  });
});
