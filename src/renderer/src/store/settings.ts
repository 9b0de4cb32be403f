/** Paddock's settings as main holds them; changes go through `settings.set` and are audited. */
import { create } from 'zustand';
import type { SettingKey, SettingValue, SettingsValues } from '../../../shared/settings';
import { api } from '../api/connection';
import { errorMessage } from '../format';

interface SettingsStore {
  values: SettingsValues | null;
  loadError: string | null;
  /** The key being saved, to disable its control meanwhile. */
  saving: SettingKey | null;
  saveError: string | null;
}

export const useSettings = create<SettingsStore>(() => ({
  values: null,
  loadError: null,
  saving: null,
  saveError: null,
}));

export async function loadSettings(): Promise<void> {
  try {
    useSettings.setState({ values: await api.settings.all({}), loadError: null });
  } catch (error) {
    useSettings.setState({ loadError: errorMessage(error) });
  }
}

/** Shows the new value at once and puts the old one back if main refuses it. */
export async function saveSetting<K extends SettingKey>(
  key: K,
  value: SettingValue<K>,
): Promise<void> {
  const previous = useSettings.getState().values;
  useSettings.setState({
    saving: key,
    saveError: null,
    values: previous ? { ...previous, [key]: value } : previous,
  });
  try {
    useSettings.setState({ values: await api.settings.set({ key, value }), saving: null });
  } catch (error) {
    useSettings.setState({ values: previous, saving: null, saveError: errorMessage(error) });
  }
}
