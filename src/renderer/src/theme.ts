/**
 * Applies the `ui.theme` setting to the page. The palettes live in styles.css under
 * `[data-theme=light|dark]`; 'system' is resolved here so the CSS holds each palette once.
 */
import { useEffect } from 'react';
import type { SettingValue } from '../../shared/settings';

export type ThemePreference = SettingValue<'ui.theme'>;

/** The last applied preference, so a reload paints in the right colours before settings load. */
const STORAGE_KEY = 'paddock.theme';
const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

function isThemePreference(value: string | null): value is ThemePreference {
  return value === 'system' || value === 'light' || value === 'dark';
}

export function rememberedTheme(): ThemePreference {
  const stored = localStorage.getItem(STORAGE_KEY);
  return isThemePreference(stored) ? stored : 'system';
}

export function applyTheme(preference: ThemePreference): void {
  const resolved = preference === 'system' ? (darkQuery.matches ? 'dark' : 'light') : preference;
  const root = document.documentElement;
  root.dataset.theme = resolved;
  root.style.colorScheme = resolved;
  localStorage.setItem(STORAGE_KEY, preference);
}

/** Keeps the page on `preference`, following the OS while it is 'system'. */
export function useTheme(preference: ThemePreference): void {
  useEffect(() => {
    applyTheme(preference);
    if (preference !== 'system') return;
    const follow = () => applyTheme('system');
    darkQuery.addEventListener('change', follow);
    return () => darkQuery.removeEventListener('change', follow);
  }, [preference]);
}
