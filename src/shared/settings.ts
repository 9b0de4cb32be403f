import { z } from 'zod';

/**
 * Paddock's own settings: every key, its schema and its default. A key not listed here is refused,
 * and every change is an audit event. Later features add their keys here.
 */
export const SETTINGS = {
  'ui.theme': {
    schema: z.enum(['system', 'light', 'dark']),
    default: 'system',
    help: 'Colour theme of the app.',
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]['schema']>;
export type SettingsValues = { [K in SettingKey]: SettingValue<K> };

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, key);
}
