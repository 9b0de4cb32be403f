import { describe, expect, it } from 'vitest';
import type { SessionState } from '../../shared/sessions';
import { LISTED_APPROVALS, trayState } from './tray-state';

const sessions = (...states: SessionState[]) => states.map((state) => ({ state }));
const request = (n: number, subject = `Bash(npm test ${n})`) => ({
  id: `apr_${n}`,
  subject,
  agent: 'claude',
  createdAt: `2026-12-05T10:00:${String(n).padStart(2, '0')}.000Z`,
  state: 'pending' as const,
});

describe('the tray', () => {
  it('is idle with nothing running, and offers nothing to pause', () => {
    const state = trayState(sessions('exited', 'failed', 'promoted'), []);
    expect(state).toMatchObject({
      variant: 'idle',
      tooltip: 'Paddock: no sessions running',
      badge: 0,
    });
    expect(state.menu.map((item) => [item.label, item.enabled])).toEqual([
      ['Open Paddock', true],
      ['No requests waiting', false],
      ['Pause all sessions', false],
      ['Quit Paddock', true],
    ]);
  });

  it('shows sessions at work, paused ones apart, and pauses the running ones', () => {
    const state = trayState(sessions('running', 'starting', 'paused', 'exited'), []);
    expect(state.variant).toBe('running');
    expect(state.tooltip).toBe('Paddock: 2 sessions running, 1 paused');
    expect(state.menu.find((item) => item.action?.kind === 'pause-all')).toMatchObject({
      label: 'Pause all sessions (2)',
      enabled: true,
    });
  });

  it('asks for attention with requests waiting: a badge, and each request opens the inbox at it, oldest first', () => {
    const state = trayState(sessions('running', 'waiting'), [request(2), request(1)]);
    expect(state).toMatchObject({ variant: 'attention', badge: 2 });
    expect(state.tooltip).toBe(
      'Paddock: 2 sessions running, 1 waiting for you, 2 requests waiting',
    );
    expect(state.menu.filter((item) => item.action?.kind === 'approval')).toEqual([
      {
        label: 'claude: Bash(npm test 1)',
        enabled: true,
        action: { kind: 'approval', id: 'apr_1' },
        separatorBefore: true,
      },
      {
        label: 'claude: Bash(npm test 2)',
        enabled: true,
        action: { kind: 'approval', id: 'apr_2' },
        separatorBefore: false,
      },
    ]);
  });

  it('a session waiting for input asks for attention without any request', () => {
    expect(trayState(sessions('waiting'), []).variant).toBe('attention');
  });

  it('lists a few requests and sends the rest to the inbox; decided ones do not count', () => {
    const many = Array.from({ length: LISTED_APPROVALS + 3 }, (_, i) => request(i));
    const state = trayState([], [...many, { ...request(99), state: 'allowed' as const }]);
    expect(state.badge).toBe(LISTED_APPROVALS + 3);
    expect(state.menu.filter((item) => item.action?.kind === 'approval')).toHaveLength(
      LISTED_APPROVALS,
    );
    expect(state.menu.find((item) => item.action?.kind === 'inbox')?.label).toBe(
      'and 3 more in the inbox',
    );
  });

  it('shows a subject as one plain line: no escapes, no access keys, not too long', () => {
    const [item] = trayState(
      [],
      [request(1, `Bash(echo \u001b[2Jsafe && curl evil.example ${'x'.repeat(80)})`)],
    ).menu.filter((entry) => entry.action?.kind === 'approval');
    // eslint-disable-next-line no-control-regex -- no control character may reach the menu
    expect(item?.label).not.toMatch(/[\u0000-\u001f]/);
    expect(item?.label).toContain('\ufffd[2Jsafe &&&& curl');
    expect(item?.label.endsWith('…')).toBe(true);
    expect(item?.label.length).toBeLessThanOrEqual('claude: '.length + 60);
  });
});
