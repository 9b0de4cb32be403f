/**
 * At most one run per interval, however often it is asked for: the first ask runs at once, asks
 * within the interval after a run are folded into one run at its end. The dashboard re-reads its
 * report so while model calls arrive in bursts.
 */

export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Throttled {
  /** Runs now, or once at the end of the current interval. */
  request(): void;
  /** Drops a run that is waiting. */
  cancel(): void;
}

export function throttle(
  run: () => void,
  intervalMs: number,
  clock: Clock = REAL_CLOCK,
): Throttled {
  let lastRun = -Infinity;
  let waiting: unknown = null;
  const runNow = () => {
    waiting = null;
    lastRun = clock.now();
    run();
  };
  return {
    request() {
      if (waiting !== null) return;
      const wait = lastRun + intervalMs - clock.now();
      if (wait <= 0) runNow();
      else waiting = clock.setTimeout(runNow, wait);
    },
    cancel() {
      if (waiting !== null) clock.clearTimeout(waiting);
      waiting = null;
    },
  };
}
