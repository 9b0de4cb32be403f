import { describe, expect, it, vi } from 'vitest';
import type { DesktopNotification } from '../../../shared/desktop';
import { createNotifier } from './core';
import { desktopNotificationSink } from './desktop-sink';

/** The preload's bridge as main drives it: notifications recorded, clicks sent back by id. */
function fakeBridge() {
  const shown: DesktopNotification[] = [];
  const listeners = new Set<(id: string) => void>();
  return {
    shown,
    click: (id: string) => listeners.forEach((listener) => listener(id)),
    bridge: {
      notify: (notification: DesktopNotification) => void shown.push(notification),
      onNotificationClick(listener: (id: string) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    listening: () => listeners.size,
  };
}

describe('native notifications (the desktop sink)', () => {
  it('shows what the notifier decided, and a click opens its target', () => {
    vi.useFakeTimers();
    const fake = fakeBridge();
    const open = vi.fn();
    const notifier = createNotifier({
      sink: desktopNotificationSink(fake.bridge),
      isQuiet: () => false,
      open,
    });
    for (const n of [1, 2, 3])
      notifier.notify({
        kind: 'approval',
        title: 'Approval needed',
        body: `claude: Bash(step ${n})`,
        target: { screen: 'inbox', id: `apr_${n}` },
      });
    vi.advanceTimersByTime(1000);
    // Coalesced as in the browser: one notification for the three.
    expect(fake.shown).toEqual([
      {
        id: 'notification-1',
        title: '3 requests waiting',
        body: 'claude: Bash(step 1)\nclaude: Bash(step 2)\nclaude: Bash(step 3)',
      },
    ]);
    fake.click('notification-1');
    expect(open).toHaveBeenCalledWith({ screen: 'inbox' });
    // A click is handled once; an unknown id is ignored.
    fake.click('notification-1');
    fake.click('notification-999');
    expect(open).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });

  it('stops listening when disposed', () => {
    const fake = fakeBridge();
    const sink = desktopNotificationSink(fake.bridge);
    expect(fake.listening()).toBe(1);
    sink.dispose();
    expect(fake.listening()).toBe(0);
  });
});
