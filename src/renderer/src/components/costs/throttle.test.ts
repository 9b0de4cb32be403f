import { describe, expect, it } from 'vitest';
import { throttle, type Clock } from './throttle';

function fakeClock() {
  let now = 0;
  const timers: Array<{ at: number; run: () => void }> = [];
  const clock: Clock = {
    now: () => now,
    setTimeout: (run, ms) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => void timers.splice(timers.indexOf(handle as never), 1),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.run();
    }
  };
  return { clock, advance, pending: () => timers.length };
}

describe('re-reading the report while calls arrive', () => {
  it('runs the first ask at once and folds a burst into one run a second', () => {
    const { clock, advance } = fakeClock();
    const runs: number[] = [];
    const reread = throttle(() => runs.push(clock.now()), 1000, clock);
    reread.request();
    expect(runs).toEqual([0]);
    for (let ms = 0; ms < 900; ms += 100) {
      advance(100);
      reread.request();
    }
    expect(runs).toEqual([0]);
    advance(100);
    expect(runs).toEqual([0, 1000]);
    advance(5000);
    reread.request();
    expect(runs).toEqual([0, 1000, 6000]);
  });

  it('drops a waiting run when cancelled', () => {
    const { clock, advance, pending } = fakeClock();
    const runs: number[] = [];
    const reread = throttle(() => runs.push(clock.now()), 1000, clock);
    reread.request();
    reread.request();
    expect(pending()).toBe(1);
    reread.cancel();
    advance(2000);
    expect(runs).toEqual([0]);
  });
});
