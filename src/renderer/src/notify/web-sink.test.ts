import { describe, expect, it, vi } from 'vitest';
import { askNotificationPermission, webNotificationSink, type NotificationApi } from './web-sink';

/** A stand-in for the browser's Notification class: records what was shown. */
function fakeApi(initial: NotificationPermission, answer: NotificationPermission = 'granted') {
  const shown: Array<{
    title: string;
    body?: string;
    onclick: (() => void) | null;
    closed: boolean;
  }> = [];
  const api = class {
    static permission: NotificationPermission = initial;
    static requestPermission = vi.fn(async () => {
      api.permission = answer;
      return answer;
    });
    onclick: (() => void) | null = null;
    constructor(title: string, options?: NotificationOptions) {
      const record = { title, body: options?.body, onclick: null, closed: false };
      shown.push(record);
      // The sink sets onclick after construction: read it through the instance.
      Object.defineProperty(record, 'onclick', { get: () => this.onclick });
      this.close = () => (record.closed = true);
    }
    close: () => void;
  };
  return { api: api as unknown as NotificationApi & typeof api, shown };
}

const note = (onClick = () => undefined) => ({ title: 'Approval needed', body: 'x', onClick });

describe('the Web Notification sink', () => {
  it('shows a notification when permitted; a click focuses the window and opens the target', () => {
    const { api, shown } = fakeApi('granted');
    const focusWindow = vi.fn();
    const onClick = vi.fn();
    webNotificationSink({ api, gestures: new EventTarget(), focusWindow }).show(note(onClick));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ title: 'Approval needed', body: 'x' });
    shown[0]?.onclick?.();
    expect(focusWindow).toHaveBeenCalledOnce();
    expect(onClick).toHaveBeenCalledOnce();
    expect(shown[0]?.closed).toBe(true);
  });

  it('does nothing when permission is denied', () => {
    const { api, shown } = fakeApi('denied');
    const gestures = new EventTarget();
    webNotificationSink({ api, gestures }).show(note());
    gestures.dispatchEvent(new Event('pointerdown'));
    expect(shown).toHaveLength(0);
    expect(api.requestPermission).not.toHaveBeenCalled();
  });

  it('asks for permission on the next user gesture, once, and shows later ones when granted', async () => {
    const { api, shown } = fakeApi('default', 'granted');
    const gestures = new EventTarget();
    const sink = webNotificationSink({ api, gestures });
    sink.show(note());
    sink.show(note());
    expect(api.requestPermission).not.toHaveBeenCalled();
    gestures.dispatchEvent(new Event('keydown'));
    gestures.dispatchEvent(new Event('pointerdown'));
    expect(api.requestPermission).toHaveBeenCalledOnce();
    await Promise.resolve();
    // The one that prompted the question is not shown late: the person is at the window.
    expect(shown).toHaveLength(0);
    sink.show(note());
    expect(shown).toHaveLength(1);
  });

  it('does nothing without the Notification API', () => {
    expect(() => webNotificationSink({ gestures: new EventTarget() }).show(note())).not.toThrow();
  });
});

describe('askNotificationPermission', () => {
  it('asks only while undecided', async () => {
    const granted = fakeApi('granted');
    expect(await askNotificationPermission(granted.api)).toBe('granted');
    expect(granted.api.requestPermission).not.toHaveBeenCalled();
    const undecided = fakeApi('default', 'denied');
    expect(await askNotificationPermission(undecided.api)).toBe('denied');
    expect(await askNotificationPermission(undefined)).toBe('unsupported');
  });
});
