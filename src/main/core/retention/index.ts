/**
 * Automatic retention: the `audit.retentionDays` setting applied by a long-lived Paddock (the
 * desktop app, `paddock serve`): soon after it starts, then daily, and soon after the setting
 * changes. Each run drops the content only events older than that many days name
 * (store/retention.ts says what, how and why it is safe); a run that drops something ends with an
 * `audit.pruned` event. A short-lived command (the CLI without a host) closes before the first run.
 */
import type { PruneReport } from '../../../shared/audit';
import type { SettingsService } from '../settings';
import { pruneContent, type AuditStore } from '../store';

export interface RetentionOptions {
  store: AuditStore;
  settings: Pick<SettingsService, 'get'>;
  /** Before the first run (default 30 s: the host is up, a one-off command is long gone). */
  startDelayMs?: number;
  /** Between runs (default a day). */
  intervalMs?: number;
  now?: () => Date;
  /** Hears of a run that failed (default: logged); the next run tries again. */
  onError?: (error: Error) => void;
}

export interface Retention {
  /** Applies the setting now: null when it keeps everything. */
  run(): Promise<PruneReport | null>;
  /** No more runs; resolves once a run under way has finished. */
  stop(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The setting as a number of days, or null for "keep everything". */
export function retentionDays(value: number | ''): number | null {
  return typeof value === 'number' && value > 0 ? value : null;
}

export function startRetention(options: RetentionOptions): Retention {
  const { store, settings } = options;
  const now = options.now ?? (() => new Date());
  const onError =
    options.onError ??
    ((error: Error) => console.error('paddock: retention could not run:', error.message));
  let stopped = false;
  let current: Promise<PruneReport | null> = Promise.resolve(null);
  const timers = new Set<NodeJS.Timeout>();

  const apply = async (): Promise<PruneReport | null> => {
    const days = retentionDays(settings.get('audit.retentionDays'));
    if (days === null || stopped) return null;
    return pruneContent(store, {
      before: new Date(now().getTime() - days * DAY_MS),
      reason: `retention: older than ${days} days`,
      actor: 'system',
      actorId: 'retention',
      // Stopping (Paddock closing) ends the run at its next batch: what it did is consistent.
      pause: () =>
        new Promise((resolve, reject) =>
          setImmediate(() => (stopped ? reject(new Error('retention stopped')) : resolve())),
        ),
    });
  };
  const run = (): Promise<PruneReport | null> => {
    current = current.catch(() => null).then(apply);
    return current;
  };
  const later = (ms: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run().catch((error: Error) => {
        if (!stopped) onError(error);
      });
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const startDelay = options.startDelayMs ?? 30_000;
  later(startDelay);
  const daily = setInterval(() => later(0), options.intervalMs ?? DAY_MS);
  daily.unref();
  const unsubscribe = store.onAppend((events) => {
    if (
      events.some((e) => e.kind === 'settings.changed' && e.payload.key === 'audit.retentionDays')
    )
      later(startDelay);
  });

  return {
    run,
    async stop() {
      stopped = true;
      clearInterval(daily);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      unsubscribe();
      await current.catch(() => null);
    },
  };
}
