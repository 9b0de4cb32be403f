/**
 * The keyboard map. One window listener handles everything so the keys cannot fight each other:
 * `g` then a letter (or Alt+1..6) switches screens, `?` shows the map, and the showing screen may
 * add its own keys (Audit: j, k, Enter, /, f, o, Esc) through useScreenKeys.
 */
import { useEffect } from 'react';
import { SCREENS, useScreen } from './store/screen';

export type KeyHandler = (event: KeyboardEvent) => void;
/** Handlers by `KeyboardEvent.key`. */
export type ScreenKeys = Partial<Record<string, KeyHandler>>;

/** How long `g` waits for its second key. */
const SEQUENCE_TIMEOUT_MS = 1500;
const MODIFIER_KEYS = new Set(['Shift', 'Alt', 'Control', 'Meta', 'CapsLock']);

let screenKeys: ScreenKeys = {};

/** Registers the showing screen's keys for as long as it is mounted. */
export function useScreenKeys(keys: ScreenKeys): void {
  useEffect(() => {
    screenKeys = keys;
    return () => {
      if (screenKeys === keys) screenKeys = {};
    };
  });
}

/** Keys typed into a field belong to the field, not to the shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/** Alt+1..6 by physical key: on macOS Alt+1 types `¡`, so `event.key` cannot be used. */
function altDigitScreen(event: KeyboardEvent) {
  const digit = /^Digit([1-9])$/.exec(event.code)?.[1];
  return event.altKey && digit ? SCREENS[Number(digit) - 1] : undefined;
}

export function installShortcuts(): () => void {
  let awaitingSecondKey: ReturnType<typeof setTimeout> | null = null;
  const stopAwaiting = () => {
    if (awaitingSecondKey) clearTimeout(awaitingSecondKey);
    awaitingSecondKey = null;
  };
  const { goTo, setShortcutsOpen } = useScreen.getState();

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey) return;
    if (MODIFIER_KEYS.has(event.key)) return;

    // The overlay is modal: only its own keys work while it is open.
    if (useScreen.getState().shortcutsOpen) {
      if (event.key === 'Escape' || event.key === '?') {
        event.preventDefault();
        setShortcutsOpen(false);
      }
      return;
    }
    if (isTypingTarget(event.target)) return;

    const byDigit = altDigitScreen(event);
    if (byDigit) {
      event.preventDefault();
      return goTo(byDigit.id);
    }
    if (event.altKey) return;

    if (awaitingSecondKey) {
      stopAwaiting();
      const screen = SCREENS.find((candidate) => candidate.key === event.key);
      if (screen) {
        event.preventDefault();
        goTo(screen.id);
      }
      return;
    }
    if (event.key === 'g') {
      event.preventDefault();
      awaitingSecondKey = setTimeout(stopAwaiting, SEQUENCE_TIMEOUT_MS);
      return;
    }
    if (event.key === '?') {
      event.preventDefault();
      return setShortcutsOpen(true);
    }
    screenKeys[event.key]?.(event);
  };

  window.addEventListener('keydown', onKeyDown);
  return () => {
    stopAwaiting();
    window.removeEventListener('keydown', onKeyDown);
  };
}
