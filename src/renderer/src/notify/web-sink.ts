/**
 * The browser's sink: the Web Notification API. Permission is asked lazily: the first time there
 * is something to show and the browser has not been asked yet, the question waits for the
 * person's next click or key press (browsers refuse, or quietly bury, a request made without
 * one). That notification itself is dropped: by then the person is at the window. If permission is
 * denied, or the API is missing, the sink does nothing.
 */
import type { NotificationSink, ShownNotification } from './core';

/** The part of the Notification API used here, so a test can supply its own. */
export interface NotificationApi {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options?: NotificationOptions): Notification;
}

export interface WebSinkOptions {
  api?: NotificationApi;
  /** Where a user gesture is awaited (the window). */
  gestures?: EventTarget;
  /** Brings this window forward after a click. */
  focusWindow?: () => void;
}

const GESTURES = ['pointerdown', 'keydown'] as const;

export function browserNotificationApi(): NotificationApi | undefined {
  return typeof Notification === 'undefined' ? undefined : Notification;
}

/** Asks for permission now: call it from a click (a settings button) or a key press. */
export async function askNotificationPermission(
  api: NotificationApi | undefined = browserNotificationApi(),
): Promise<NotificationPermission | 'unsupported'> {
  if (!api) return 'unsupported';
  if (api.permission !== 'default') return api.permission;
  try {
    return await api.requestPermission();
  } catch {
    return api.permission;
  }
}

export function webNotificationSink(options: WebSinkOptions = {}): NotificationSink {
  const api = options.api ?? browserNotificationApi();
  const gestures = options.gestures ?? (typeof window === 'undefined' ? undefined : window);
  const focusWindow = options.focusWindow ?? (() => window.focus());
  let asking = false;

  const askOnNextGesture = () => {
    if (asking || !gestures) return;
    asking = true;
    const ask = () => {
      for (const type of GESTURES) gestures.removeEventListener(type, ask, true);
      void askNotificationPermission(api).finally(() => (asking = false));
    };
    for (const type of GESTURES) gestures.addEventListener(type, ask, true);
  };

  return {
    show(notification: ShownNotification) {
      if (!api) return;
      if (api.permission === 'default') return askOnNextGesture();
      if (api.permission !== 'granted') return;
      const shown = new api(notification.title, { body: notification.body });
      shown.onclick = () => {
        focusWindow();
        notification.onClick();
        shown.close();
      };
    },
  };
}
