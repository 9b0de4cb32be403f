/**
 * The desktop app's sink: native notifications through Electron, by way of the preload's
 * `paddockDesktop` bridge. Main shows the notification and, on a click, brings the window forward
 * and reports the notification's id back; the click is then handled here, like the browser's.
 */
import type { DesktopBridge } from '../../../shared/desktop';
import type { NotificationSink, ShownNotification } from './core';

/** Clicks remembered for this many notifications: older ones are long gone from the screen. */
const REMEMBERED = 200;

export function desktopNotificationSink(
  bridge: Pick<DesktopBridge, 'notify' | 'onNotificationClick'>,
): NotificationSink & { dispose(): void } {
  const clicks = new Map<string, () => void>();
  let shown = 0;
  const stop = bridge.onNotificationClick((id) => {
    const onClick = clicks.get(id);
    clicks.delete(id);
    onClick?.();
  });
  return {
    show(notification: ShownNotification) {
      const id = `notification-${++shown}`;
      clicks.set(id, notification.onClick);
      if (clicks.size > REMEMBERED) clicks.delete(clicks.keys().next().value as string);
      bridge.notify({ id, title: notification.title, body: notification.body });
    },
    dispose: stop,
  };
}
