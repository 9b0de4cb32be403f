/**
 * The Replay view's keys. The Sessions screen hands them over while the view shows (its one key
 * map, see keyboard.ts); the scrubber, a range input where the app's keys pause, handles the same
 * keys itself so they do the same there. The showing replay registers what they act on.
 */
import type { ScreenKeys } from '../../keyboard';

export interface ReplayControls {
  togglePlay(): void;
  /** Seconds of playback time forward (negative: back). */
  step(seconds: number): void;
  speed(step: 1 | -1): void;
  /** To the next (1) or previous (-1) marker. */
  marker(step: 1 | -1): void;
  /** To the start (0) or the end (1). */
  edge(to: 0 | 1): void;
}

export const STEP_SECONDS = 5;
export const BIG_STEP_SECONDS = 30;

/** For the shortcuts overlay. */
export const REPLAY_SHORTCUTS: ReadonlyArray<[readonly string[], string]> = [
  [['Space'], 'Play or pause'],
  [['←'], `Back ${STEP_SECONDS} s (→: forward)`],
  [['Shift', '←'], `Back ${BIG_STEP_SECONDS} s (Shift+→: forward)`],
  [['−'], 'Slower (+: faster), 0.5× to 16×'],
  [['['], 'Previous marker (]: next)'],
  [['Home'], 'To the start (End: the end)'],
];

let active: ReplayControls | null = null;

/** Makes `controls` the ones the keys act on, until the returned function is called. */
export function registerReplay(controls: ReplayControls): () => void {
  active = controls;
  return () => {
    if (active === controls) active = null;
  };
}

/** The keys this view takes, by `KeyboardEvent.key`. */
export const REPLAY_KEYS = [' ', 'ArrowLeft', 'ArrowRight', '-', '+', '=', '[', ']', 'Home', 'End'];

/** Acts on the key if it is the replay's; says whether it was. */
export function replayKey(event: Pick<KeyboardEvent, 'key' | 'shiftKey'>): boolean {
  const controls = active;
  if (!controls) return false;
  const step = event.shiftKey ? BIG_STEP_SECONDS : STEP_SECONDS;
  const actions: Readonly<Record<string, () => void>> = {
    ' ': () => controls.togglePlay(),
    ArrowLeft: () => controls.step(-step),
    ArrowRight: () => controls.step(step),
    '-': () => controls.speed(-1),
    '+': () => controls.speed(1),
    // `+` without Shift on most keyboards.
    '=': () => controls.speed(1),
    '[': () => controls.marker(-1),
    ']': () => controls.marker(1),
    Home: () => controls.edge(0),
    End: () => controls.edge(1),
  };
  const action = actions[event.key];
  action?.();
  return action !== undefined;
}

/**
 * The handlers the Sessions screen adds to its key map: each acts while `showing()` (the Replay
 * view is open). Space on a focused button is the button's: it would otherwise press it and play.
 */
export function replayScreenKeys(showing: () => boolean): ScreenKeys {
  const handle = (event: KeyboardEvent) => {
    if (!showing()) return;
    if (event.key === ' ' && event.target instanceof HTMLButtonElement) return;
    if (replayKey(event)) event.preventDefault();
  };
  return Object.fromEntries(REPLAY_KEYS.map((key) => [key, handle]));
}
