/**
 * Plays a recorded terminal: play, pause, speed, seek, with long idle gaps cut short. No DOM: the
 * view is any xterm.js terminal (the page's, or @xterm/headless in tests and the bench).
 *
 * Time: the engine speaks playback seconds, where every gap between events longer than the idle
 * limit counts as the limit (as asciinema's `idle_time_limit`); `toPlayback` turns recording
 * seconds (what the audit events' times give) into playback seconds.
 *
 * Seek: restore the nearest keyframe at or before the target and write the output between; when
 * going forward from what the view shows already costs less output, write only that. Work on the
 * view is done one piece at a time (a queue); while a seek waits, a newer one replaces it, so
 * dragging the scrubber never piles seeks up.
 *
 * Play: a timer wakes about every frame (less often while nothing is due), writes every event
 * whose time has come (at 16× a busy stretch becomes one big write), and reports the time.
 */
import type { Recording } from './asciicast';
import type { KeyframeIndex } from './keyframes';
import { applyEvents, restoreKeyframe, type ReplayTerminal } from './terminal';

export const SPEEDS = [0.5, 1, 2, 4, 8, 16] as const;
export const MIN_SPEED = 0.5;
export const MAX_SPEED = 16;

/** Time and timers, replaceable in tests. */
export interface Scheduler {
  /** Milliseconds from any origin. */
  now(): number;
  /** Runs `work` in `ms`; returns what cancels it. */
  after(ms: number, work: () => void): () => void;
}

export interface ReplayOptions {
  /** Seconds a gap between events may last at most in playback; null: gaps as recorded. */
  idleLimit?: number | null;
  scheduler?: Scheduler;
}

/** How the last seek got there, for tests and the bench. */
export interface SeekReport {
  /** Events shown after it. */
  target: number;
  /** From a keyframe, or on from what the view showed. */
  from: 'keyframe' | 'here';
  /** The keyframe's event index (when from a keyframe). */
  keyframe: number | null;
  /** Output characters written. */
  chars: number;
  ms: number;
}

/** Between two wake-ups while playing: about a frame, at most a quarter second. */
const FRAME_MS = 16;
const MAX_WAIT_MS = 250;

const realTime: Scheduler = {
  now: () => performance.now(),
  after(ms, work) {
    const timer = setTimeout(work, ms);
    return () => clearTimeout(timer);
  },
};

/** Maps recording seconds to playback seconds with idle gaps capped, and back. */
export class PlaybackClock {
  /** Playback time of each event. */
  readonly times: Float64Array;
  readonly duration: number;

  constructor(
    private readonly recording: Recording,
    readonly idleLimit: number | null,
  ) {
    const cap = (gap: number) => (idleLimit === null ? gap : Math.min(gap, idleLimit));
    this.times = new Float64Array(recording.events.length);
    let previous = 0;
    let playback = 0;
    recording.events.forEach((event, index) => {
      playback += cap(event.time - previous);
      previous = event.time;
      this.times[index] = playback;
    });
    this.duration = playback;
  }

  toPlayback(seconds: number): number {
    const index = lastAtOrBefore(this.recording.events.length, (i) => this.eventTime(i), seconds);
    const base = index < 0 ? 0 : (this.times[index] as number);
    const since = seconds - (index < 0 ? 0 : this.eventTime(index));
    return base + (this.idleLimit === null ? since : Math.min(since, this.idleLimit));
  }

  toRecording(playback: number): number {
    const index = lastAtOrBefore(this.times.length, (i) => this.times[i] as number, playback);
    if (index < 0) return playback;
    return this.eventTime(index) + (playback - (this.times[index] as number));
  }

  /** How many events have happened by playback time `time`. */
  eventsUpTo(time: number): number {
    return lastAtOrBefore(this.times.length, (i) => this.times[i] as number, time) + 1;
  }

  private eventTime(index: number): number {
    return (this.recording.events[index] as { time: number }).time;
  }
}

/** The last index in 0..count whose value is at most `limit` (values never decrease); -1 if none. */
function lastAtOrBefore(count: number, value: (index: number) => number, limit: number): number {
  let low = -1;
  let high = count - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (value(middle) <= limit + 1e-9) low = middle;
    else high = middle - 1;
  }
  return low;
}

export class ReplayEngine {
  private clock: PlaybackClock;
  private readonly scheduler: Scheduler;
  /** Events the view shows: `events[0..applied)`. */
  private applied = 0;
  private current = 0;
  private speedFactor = 1;
  /** While playing: when (wall clock) playback was at which time. */
  private anchor: { wall: number; time: number } | null = null;
  private cancelTimer: (() => void) | null = null;
  private queue: Promise<void> = Promise.resolve();
  private wanted: number | null = null;
  private disposed = false;
  private readonly timeListeners = new Set<(time: number) => void>();
  private readonly stateListeners = new Set<() => void>();
  lastSeek: SeekReport | null = null;

  constructor(
    readonly recording: Recording,
    private readonly view: ReplayTerminal,
    readonly keyframes: KeyframeIndex,
    options: ReplayOptions = {},
  ) {
    this.clock = new PlaybackClock(recording, options.idleLimit ?? null);
    this.scheduler = options.scheduler ?? realTime;
  }

  get time(): number {
    return this.current;
  }

  get duration(): number {
    return this.clock.duration;
  }

  get playing(): boolean {
    return this.anchor !== null;
  }

  get speed(): number {
    return this.speedFactor;
  }

  get idleLimit(): number | null {
    return this.clock.idleLimit;
  }

  /** Recording seconds (since `terminal.started`) as playback seconds. */
  toPlayback(seconds: number): number {
    return this.clock.toPlayback(seconds);
  }

  onTime(listener: (time: number) => void): () => void {
    this.timeListeners.add(listener);
    return () => this.timeListeners.delete(listener);
  }

  /** Hears play, pause, speed and idle limit changes. */
  onState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Shows the terminal as it was at playback time `time`; playing goes on from there. */
  seek(time: number): Promise<void> {
    this.wanted = Math.min(Math.max(0, time), this.duration);
    return this.exclusive(async () => {
      const target = this.wanted;
      if (target === null) return; // a later seek took this one's place and ran already
      this.wanted = null;
      await this.show(target);
      if (this.anchor) this.restartClock();
    });
  }

  play(speed?: number): void {
    if (speed !== undefined) this.speedFactor = clampSpeed(speed);
    if (this.disposed || this.anchor) return this.emitState();
    // At the end, play starts over.
    const atEnd = this.current >= this.duration;
    if (atEnd) void this.seek(0);
    this.anchor = { wall: this.scheduler.now(), time: atEnd ? 0 : this.current };
    this.wake(0);
    this.emitState();
  }

  pause(): void {
    this.anchor = null;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.emitState();
  }

  setSpeed(speed: number): void {
    this.speedFactor = clampSpeed(speed);
    if (this.anchor) this.anchor = { wall: this.scheduler.now(), time: this.current };
    this.emitState();
  }

  /** Changes the idle limit, staying at the same moment of the recording. */
  setIdleLimit(limit: number | null): void {
    const moment = this.clock.toRecording(this.current);
    this.clock = new PlaybackClock(this.recording, limit);
    this.current = this.clock.toPlayback(moment);
    if (this.anchor) this.anchor = { wall: this.scheduler.now(), time: this.current };
    this.emitState();
    this.emitTime();
  }

  /** Resolves once the work asked for so far is done. */
  settled(): Promise<void> {
    return this.queue;
  }

  dispose(): void {
    this.pause();
    this.disposed = true;
    this.timeListeners.clear();
    this.stateListeners.clear();
  }

  /** Runs `work` after what was asked before; a failure is the caller's and does not stop the queue. */
  private exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.disposed ? undefined : work()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async show(time: number): Promise<void> {
    const started = this.scheduler.now();
    const target = this.clock.eventsUpTo(time);
    const keyframe = this.keyframes.before(target);
    const chars = (from: number) => this.charsBefore(target) - this.charsBefore(from);
    const onward = target >= this.applied ? chars(this.applied) : Infinity;
    const fromKeyframe = chars(keyframe.index);
    if (onward <= fromKeyframe) await applyEvents(this.view, this.recording, this.applied, target);
    else {
      await restoreKeyframe(this.view, keyframe);
      await applyEvents(this.view, this.recording, keyframe.index, target);
    }
    this.lastSeek = {
      target,
      from: onward <= fromKeyframe ? 'here' : 'keyframe',
      keyframe: onward <= fromKeyframe ? null : keyframe.index,
      chars: Math.min(onward, fromKeyframe),
      ms: this.scheduler.now() - started,
    };
    this.applied = target;
    this.current = time;
    this.emitTime();
  }

  private charsBefore(index: number): number {
    return this.recording.offsets[index] ?? 0;
  }

  /** While playing: write what has come due, then sleep until the next event (within limits). */
  private async tick(): Promise<void> {
    this.cancelTimer = null;
    const shown = await this.exclusive(async () => {
      if (this.anchor) await this.show(Math.min(this.duration, this.playhead()));
    }).then(
      () => true,
      () => false,
    );
    // The view could not be written (it went away): playing stops.
    if (!shown) return this.pause();
    if (!this.anchor || this.cancelTimer) return;
    if (this.current >= this.duration) return this.pause();
    this.wake(this.nextWait());
  }

  private playhead(): number {
    const anchor = this.anchor;
    if (!anchor) return this.current;
    return anchor.time + ((this.scheduler.now() - anchor.wall) / 1000) * this.speedFactor;
  }

  private nextWait(): number {
    const next = this.clock.times[this.applied] ?? this.duration;
    const ms = ((next - this.current) / this.speedFactor) * 1000;
    return Math.min(MAX_WAIT_MS, Math.max(FRAME_MS, ms));
  }

  private restartClock(): void {
    this.anchor = { wall: this.scheduler.now(), time: this.current };
    this.wake(FRAME_MS);
  }

  private wake(ms: number): void {
    this.cancelTimer?.();
    this.cancelTimer = this.scheduler.after(ms, () => void this.tick());
  }

  private emitTime(): void {
    this.timeListeners.forEach((listener) => listener(this.current));
  }

  private emitState(): void {
    this.stateListeners.forEach((listener) => listener());
  }
}

export function clampSpeed(speed: number): number {
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
}

/** The next speed up (+1) or down (-1) of SPEEDS. */
export function stepSpeed(speed: number, step: 1 | -1): number {
  const index = SPEEDS.findIndex((candidate) => candidate >= speed);
  const at = index === -1 ? SPEEDS.length - 1 : index;
  return SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, at + step))] as number;
}
