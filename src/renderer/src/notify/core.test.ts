import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  COALESCE_WINDOW_MS,
  createNotifier,
  summarize,
  type NotifyEvent,
  type NotifyTarget,
  type ShownNotification,
} from './core';

function approval(n: number): NotifyEvent {
  return {
    kind: 'approval',
    title: 'Approval needed',
    body: `claude in ses_1: Bash(step ${n})`,
    target: { screen: 'inbox', id: `apr_${n}` },
  };
}

const waiting: NotifyEvent = {
  kind: 'session-waiting',
  title: 'A session is waiting for you',
  body: 'claude: fix the test',
  target: { screen: 'sessions', id: 'ses_1' },
};

function setUp(quiet = false) {
  const shown: ShownNotification[] = [];
  const opened: NotifyTarget[] = [];
  const counted: string[] = [];
  const state = { quiet };
  const notifier = createNotifier({
    sink: { show: (notification) => shown.push(notification) },
    isQuiet: () => state.quiet,
    open: (target) => opened.push(target),
    onShown: (summary) => counted.push(summary.title),
  });
  return { notifier, shown, opened, counted, state };
}

describe('the notifier', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows one event as it is, after the coalescing window', () => {
    const { notifier, shown, opened, counted } = setUp();
    notifier.notify(approval(1));
    expect(shown).toHaveLength(0);
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({
      title: 'Approval needed',
      body: 'claude in ses_1: Bash(step 1)',
    });
    expect(counted).toEqual(['Approval needed']);
    shown[0]?.onClick();
    expect(opened).toEqual([{ screen: 'inbox', id: 'apr_1' }]);
  });

  it('coalesces ten requests in a second into one notification', () => {
    const { notifier, shown, opened } = setUp();
    for (let n = 1; n <= 10; n++) {
      notifier.notify(approval(n));
      vi.advanceTimersByTime(90);
    }
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.title).toBe('10 requests waiting');
    expect(shown[0]?.body).toBe(
      [
        'claude in ses_1: Bash(step 1)',
        'claude in ses_1: Bash(step 2)',
        'claude in ses_1: Bash(step 3)',
        'and 7 more',
      ].join('\n'),
    );
    // Several requests: the click opens the inbox, not one of them.
    shown[0]?.onClick();
    expect(opened).toEqual([{ screen: 'inbox' }]);
  });

  it('uses a fixed window from the first event, so a steady stream still notifies', () => {
    const { notifier, shown } = setUp();
    for (let n = 1; n <= 25; n++) {
      notifier.notify(approval(n));
      vi.advanceTimersByTime(100);
    }
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    // 2.5 s of one request every 100 ms: three windows, three notifications.
    expect(shown.map((notification) => notification.title)).toEqual([
      '10 requests waiting',
      '10 requests waiting',
      '5 requests waiting',
    ]);
  });

  it('shows nothing under do-not-disturb, and keeps nothing for later', () => {
    const { notifier, shown, counted, state } = setUp(true);
    notifier.notify(approval(1));
    notifier.notify(waiting);
    vi.advanceTimersByTime(COALESCE_WINDOW_MS * 5);
    expect(shown).toHaveLength(0);
    state.quiet = false;
    vi.advanceTimersByTime(COALESCE_WINDOW_MS * 5);
    expect(shown).toHaveLength(0);
    expect(counted).toHaveLength(0);
  });

  it('drops a gathering batch when do-not-disturb is switched on before it shows', () => {
    const { notifier, shown, state } = setUp();
    notifier.notify(approval(1));
    state.quiet = true;
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(shown).toHaveLength(0);
    state.quiet = false;
    notifier.notify(approval(2));
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(shown.map((notification) => notification.body)).toEqual([
      'claude in ses_1: Bash(step 2)',
    ]);
  });

  it('flushes at once on request, and dispose drops what is gathered', () => {
    const { notifier, shown } = setUp();
    notifier.notify(approval(1));
    notifier.flush();
    expect(shown).toHaveLength(1);
    notifier.notify(approval(2));
    notifier.dispose();
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(shown).toHaveLength(1);
  });

  it('takes a new sink, and survives one that throws', () => {
    const { notifier, counted } = setUp();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    notifier.setSink({
      show: () => {
        throw new Error('permission revoked');
      },
    });
    notifier.notify(approval(1));
    expect(() => vi.advanceTimersByTime(COALESCE_WINDOW_MS)).not.toThrow();
    expect(counted).toHaveLength(1);
    expect(warn).toHaveBeenCalledOnce();
    const later: string[] = [];
    notifier.setSink({ show: (notification) => later.push(notification.title) });
    notifier.notify(approval(2));
    vi.advanceTimersByTime(COALESCE_WINDOW_MS);
    expect(later).toEqual(['Approval needed']);
    warn.mockRestore();
  });
});

describe('summarize', () => {
  it('counts kinds separately, most urgent first, and opens the most urgent screen', () => {
    const done: NotifyEvent = {
      kind: 'session-done',
      title: 'A session finished',
      body: 'claude: x (exit code 0)',
      target: { screen: 'sessions', id: 'ses_2' },
    };
    const summary = summarize([waiting, approval(1), done, approval(2), waiting]);
    expect(summary).toEqual({
      title: 'Paddock needs you',
      body: '2 requests waiting · 2 sessions waiting for input · 1 session finished',
      target: { screen: 'inbox' },
    });
  });

  it('keeps the one item of the most urgent kind as the target', () => {
    expect(summarize([waiting, approval(7)]).target).toEqual({ screen: 'inbox', id: 'apr_7' });
  });

  it('lists every item when there are few', () => {
    expect(summarize([waiting, { ...waiting, body: 'codex: other' }])).toEqual({
      title: '2 sessions waiting for input',
      body: 'claude: fix the test\ncodex: other',
      target: { screen: 'sessions' },
    });
  });

  it('needs at least one event', () => {
    expect(() => summarize([])).toThrow();
  });
});
