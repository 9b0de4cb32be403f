/**
 * What the desktop app's main process and its window say to each other beyond the core's contract:
 * native notifications, and main asking the window to open something (a tray menu item, a click
 * on a notification). The preload exposes exactly this as `window.paddockDesktop`; in a browser
 * (the headless host) it is absent and the renderer uses the Web Notification API instead.
 */

/** Channels between the preload and main. Every one is checked against the sender's page in main. */
export const DESKTOP_CHANNELS = {
  notify: 'paddock:desktop:notify',
  notificationClicked: 'paddock:desktop:notification-clicked',
  open: 'paddock:desktop:open',
} as const;

/** Where main asks the window to go: a screen, and the thing on it when there is one. */
export interface DesktopTarget {
  screen: 'sessions' | 'inbox' | 'audit' | 'costs' | 'operator' | 'settings';
  id?: string;
  view?: 'review';
}

export interface DesktopNotification {
  /** Chosen by the window, so a click can be matched to what it was about. */
  id: string;
  title: string;
  body: string;
}

export interface DesktopBridge {
  /** Shows a native notification; a click focuses the window and is reported by `onNotificationClick`. */
  notify(notification: DesktopNotification): void;
  onNotificationClick(listener: (id: string) => void): () => void;
  /** Main asks the window to open a target (the tray menu's pending approvals, say). */
  onOpen(listener: (target: DesktopTarget) => void): () => void;
}

const SCREENS: ReadonlySet<string> = new Set([
  'sessions',
  'inbox',
  'audit',
  'costs',
  'operator',
  'settings',
]);
const MAX_ID = 200;
const MAX_TEXT = 2_000;

/** A notification from the window, checked field by field (the window is not trusted blindly). */
export function parseDesktopNotification(value: unknown): DesktopNotification | null {
  if (!value || typeof value !== 'object') return null;
  const { id, title, body } = value as Record<string, unknown>;
  const text = (field: unknown, max: number) =>
    typeof field === 'string' && field.length <= max ? field : null;
  const [checkedId, checkedTitle, checkedBody] = [
    text(id, MAX_ID),
    text(title, MAX_TEXT),
    text(body, MAX_TEXT),
  ];
  if (!checkedId || checkedTitle === null || checkedBody === null) return null;
  return { id: checkedId, title: checkedTitle, body: checkedBody };
}

/** A target from main, checked before the window acts on it. */
export function parseDesktopTarget(value: unknown): DesktopTarget | null {
  if (!value || typeof value !== 'object') return null;
  const { screen, id, view } = value as Record<string, unknown>;
  if (typeof screen !== 'string' || !SCREENS.has(screen)) return null;
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID))
    return null;
  if (view !== undefined && view !== 'review') return null;
  return {
    screen: screen as DesktopTarget['screen'],
    ...(id === undefined ? {} : { id }),
    ...(view === undefined ? {} : { view }),
  };
}
