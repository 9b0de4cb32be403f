/**
 * The notification module, wired to the app: feeds the core from `approvals.changed` (new pending
 * requests), `session.changed` (a session starting to wait, finishing or failing) and
 * `audit.appended` (a budget past 80% of its limit), silences it
 * with the `notifications.doNotDisturb` setting, and opens the Inbox or the session on a click.
 * Started once by the App, so it works whichever screen shows.
 *
 * The sink is Electron's native notifications in the desktop app (the preload's `paddockDesktop`
 * bridge), the browser's Notification API otherwise. In the desktop app, main can also ask the
 * window to open something (a pending request picked in the tray menu).
 */
import type { SessionState } from '../../../shared/sessions';
import { api } from '../api/connection';
import { focus as focusRequest } from '../store/approvals';
import { useScreen } from '../store/screen';
import { openReview, openSession } from '../store/sessions';
import { useSettings } from '../store/settings';
import { createNotifier, type NotificationSink, type Notifier, type NotifyTarget } from './core';
import { parseDesktopTarget, type DesktopBridge } from '../../../shared/desktop';
import { desktopNotificationSink } from './desktop-sink';
import { approvalEvent, budgetEvent, sessionEvent } from './events';
import { webNotificationSink } from './web-sink';

export type { NotificationSink, NotifyEvent, NotifyKind, NotifyTarget } from './core';

declare global {
  interface Window {
    /**
     * How many notifications this page has handed to its sink since it loaded: the end-to-end
     * tests read it (ten requests in a second add one; under do-not-disturb none). It counts what
     * the module decided to show, whether or not the browser had permission to display it.
     */
    __paddockNotifications?: number;
    /** The desktop app's bridge (the preload); absent in a browser. */
    paddockDesktop?: DesktopBridge;
  }
}

/** Request ids already notified: a request notifies once, however often it changes. */
const ANNOUNCED_MAX = 10_000;

let notifier: Notifier | null = null;

export function isDoNotDisturb(): boolean {
  return useSettings.getState().values?.['notifications.doNotDisturb'] === true;
}

/** After a click: the window is already forward (the sink did that); show what it was about. */
export function openTarget(target: NotifyTarget): void {
  useScreen.getState().goTo(target.screen);
  if (target.screen === 'inbox' && target.id) focusRequest(target.id);
  if (target.screen === 'sessions' && target.id)
    (target.view === 'review' ? openReview : openSession)(target.id);
}

export function setNotificationSink(sink: NotificationSink): void {
  notifier?.setSink(sink);
}

export function startNotifications(options: { sink?: NotificationSink } = {}): () => void {
  window.__paddockNotifications ??= 0;
  const desktop = window.paddockDesktop;
  const desktopSink = desktop && !options.sink ? desktopNotificationSink(desktop) : null;
  // Main's requests are checked like any input before the window acts on them.
  const stopOpen = desktop?.onOpen((target) => {
    const checked = parseDesktopTarget(target);
    if (checked) openTarget(checked);
  });
  const own = createNotifier({
    sink: options.sink ?? desktopSink ?? webNotificationSink(),
    isQuiet: isDoNotDisturb,
    open: openTarget,
    onShown: () => {
      window.__paddockNotifications = (window.__paddockNotifications ?? 0) + 1;
    },
  });
  notifier = own;

  const announced = new Set<string>();
  const stopApprovals = api.on('approvals.changed', (request) => {
    if (announced.size > ANNOUNCED_MAX) announced.clear();
    const event = approvalEvent(request, announced);
    if (event) own.notify(event);
  });

  const states = new Map<string, SessionState>();
  const stopSessions = api.on('session.changed', (session) => {
    const event = sessionEvent(session, states.get(session.id));
    states.set(session.id, session.state);
    if (event) own.notify(event);
  });

  const stopBudgets = api.on('audit.appended', (events) => {
    for (const event of events) {
      const notice = budgetEvent(event);
      if (notice) own.notify(notice);
    }
  });

  return () => {
    stopOpen?.();
    desktopSink?.dispose();
    stopApprovals();
    stopSessions();
    stopBudgets();
    own.dispose();
    if (notifier === own) notifier = null;
  };
}
