/**
 * What notifies, decided in one place. Everything that wants a person's attention (a request in
 * the inbox, a session waiting for input or done; later gates, reviews, budgets) becomes a
 * NotifyEvent here, and this core decides whether and how it is shown: nothing under
 * do-not-disturb, and everything within one window coalesced into a single notification, so ten
 * requests in a second are one "10 requests waiting", not ten pop-ups. How a notification is
 * shown is a sink's business (the Web Notification API in a browser; Electron's later), so the
 * core stays plain logic, tested with fake timers.
 */
import type { ScreenId } from '../store/screen';

export const NOTIFY_KINDS = [
  'approval',
  'budget',
  'review',
  'gate',
  'session-waiting',
  'session-done',
] as const;
/** Ordered by urgency: a coalesced notification opens the most urgent kind's screen. */
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

/** Where a click on the notification leads: a screen, and the thing on it if there is one. */
export interface NotifyTarget {
  screen: ScreenId;
  id?: string;
  /** A session's review tab rather than its terminal. */
  view?: 'review';
}

export interface NotifyEvent {
  kind: NotifyKind;
  title: string;
  body: string;
  target: NotifyTarget;
}

export interface ShownNotification {
  title: string;
  body: string;
  /** The person clicked it: bring the window forward and open the target. */
  onClick: () => void;
}

/** Shows a notification somewhere: the browser, the OS through Electron, a test's array. */
export interface NotificationSink {
  show(notification: ShownNotification): void;
}

/** One notification for a batch of events, before a sink shows it. */
export interface Summary {
  title: string;
  body: string;
  target: NotifyTarget;
}

export interface NotifierOptions {
  sink: NotificationSink;
  /** Do-not-disturb: read at each event and again when the batch is shown. */
  isQuiet: () => boolean;
  /** Opens a target after a click. */
  open: (target: NotifyTarget) => void;
  /** How long events are gathered into one notification, from the first. */
  windowMs?: number;
  /** Told of each notification handed to the sink (whether or not the OS then displays it). */
  onShown?: (summary: Summary) => void;
}

export interface Notifier {
  notify(event: NotifyEvent): void;
  /** Shows what is gathered now, without waiting for the window to end. */
  flush(): void;
  /** Drops what is gathered and stops the timer. */
  dispose(): void;
  setSink(sink: NotificationSink): void;
}

export const COALESCE_WINDOW_MS = 1000;

/** How each kind is counted in a coalesced notification. */
const COUNTED: Record<NotifyKind, [one: string, many: string]> = {
  approval: ['request waiting', 'requests waiting'],
  budget: ['budget alert', 'budget alerts'],
  review: ['review waiting', 'reviews waiting'],
  gate: ['gate result', 'gate results'],
  'session-waiting': ['session waiting for input', 'sessions waiting for input'],
  'session-done': ['session finished', 'sessions finished'],
};

/** Lines of detail a coalesced notification lists before "and N more". */
const LISTED = 3;

function counted(kind: NotifyKind, count: number): string {
  const [one, many] = COUNTED[kind];
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * One notification for a batch: a single event as it is; several of one kind counted ("10
 * requests waiting") with the first few listed; several kinds counted kind by kind. A click opens
 * the most urgent kind's screen, and the item itself only when it is the only one of its kind.
 */
export function summarize(events: readonly NotifyEvent[]): Summary {
  const [first] = events;
  if (!first) throw new Error('summarize needs at least one event');
  if (events.length === 1) return { title: first.title, body: first.body, target: first.target };

  const byKind = new Map<NotifyKind, NotifyEvent[]>();
  for (const kind of NOTIFY_KINDS) {
    const ofKind = events.filter((event) => event.kind === kind);
    if (ofKind.length) byKind.set(kind, ofKind);
  }
  const [[urgentKind, urgent]] = [...byKind] as [[NotifyKind, [NotifyEvent, ...NotifyEvent[]]]];
  const target: NotifyTarget =
    urgent.length === 1 ? urgent[0].target : { screen: urgent[0].target.screen };

  if (byKind.size === 1) {
    const lines = urgent.slice(0, LISTED).map((event) => event.body);
    if (urgent.length > LISTED) lines.push(`and ${urgent.length - LISTED} more`);
    return { title: counted(urgentKind, urgent.length), body: lines.join('\n'), target };
  }
  const parts = [...byKind].map(([kind, ofKind]) => counted(kind, ofKind.length));
  return { title: 'Paddock needs you', body: parts.join(' · '), target };
}

export function createNotifier(options: NotifierOptions): Notifier {
  const windowMs = options.windowMs ?? COALESCE_WINDOW_MS;
  let sink = options.sink;
  let batch: NotifyEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  const show = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const events = batch;
    batch = [];
    // Do-not-disturb switched on while the batch gathered still silences it.
    if (events.length === 0 || options.isQuiet()) return;
    const summary = summarize(events);
    options.onShown?.(summary);
    try {
      sink.show({ ...summary, onClick: () => options.open(summary.target) });
    } catch (error) {
      // A sink that fails (a revoked permission, a closed window) must not break what fed it.
      console.warn('A notification could not be shown:', error);
    }
  };

  return {
    notify(event) {
      // Under do-not-disturb nothing is kept for later either: the inbox holds what matters.
      if (options.isQuiet()) return;
      batch.push(event);
      // A fixed window from the first event, not a debounce: a steady stream still notifies.
      timer ??= setTimeout(show, windowMs);
    },
    flush: show,
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
      batch = [];
    },
    setSink(next) {
      sink = next;
    },
  };
}
