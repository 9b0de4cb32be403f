/**
 * Which screen is showing, kept in sync with the URL hash (`#/audit`) so a reload, a bookmark or
 * the back button lands on the same screen.
 */
import { create } from 'zustand';

export type ScreenId = 'sessions' | 'inbox' | 'audit' | 'costs' | 'operator' | 'settings';

export interface ScreenInfo {
  id: ScreenId;
  label: string;
  /** The key after `g` that opens it. Alt+1..6 follow the order of SCREENS. */
  key: string;
}

export const SCREENS: readonly ScreenInfo[] = [
  { id: 'sessions', label: 'Sessions', key: 's' },
  { id: 'inbox', label: 'Inbox', key: 'i' },
  { id: 'audit', label: 'Audit', key: 'a' },
  { id: 'costs', label: 'Costs', key: 'c' },
  { id: 'operator', label: 'Operator', key: 'o' },
  { id: 'settings', label: 'Settings', key: ',' },
];

const DEFAULT_SCREEN: ScreenId = 'sessions';

interface ScreenStore {
  screen: ScreenId;
  shortcutsOpen: boolean;
  goTo: (screen: ScreenId) => void;
  setShortcutsOpen: (open: boolean) => void;
}

export const useScreen = create<ScreenStore>((set) => ({
  screen: DEFAULT_SCREEN,
  shortcutsOpen: false,
  goTo: (screen) => set({ screen }),
  setShortcutsOpen: (shortcutsOpen) => set({ shortcutsOpen }),
}));

export function screenInfo(id: ScreenId): ScreenInfo {
  return SCREENS.find((screen) => screen.id === id) ?? (SCREENS[0] as ScreenInfo);
}

export function screenHash(id: ScreenId): string {
  return `#/${id}`;
}

function screenFromHash(hash: string): ScreenId | null {
  const id = /^#\/([a-z]+)$/.exec(hash)?.[1];
  return SCREENS.some((screen) => screen.id === id) ? (id as ScreenId) : null;
}

/**
 * Starts two-way sync between the store and the hash. Call it only after `api/connection` has been
 * imported: that module takes the one-time `#token=…` out of the URL, and the router must not
 * mistake it for a screen (or write over it before it is read).
 */
export function startHashRouting(): () => void {
  const initial = screenFromHash(window.location.hash) ?? useScreen.getState().screen;
  useScreen.setState({ screen: initial });
  // replaceState: opening the app should not leave an extra entry for the back button.
  history.replaceState(null, '', screenHash(initial));

  const followHash = () => {
    const screen = screenFromHash(window.location.hash);
    if (screen && screen !== useScreen.getState().screen) useScreen.setState({ screen });
  };
  window.addEventListener('hashchange', followHash);
  const unsubscribe = useScreen.subscribe((state, previous) => {
    if (state.screen !== previous.screen && screenFromHash(window.location.hash) !== state.screen) {
      window.location.hash = screenHash(state.screen);
    }
  });
  return () => {
    window.removeEventListener('hashchange', followHash);
    unsubscribe();
  };
}
