/**
 * Paddock's own settings, kept in the store. A change and its audit event commit together, so the
 * record never disagrees with the setting in force. No setting holds a secret (those are in the
 * vault), so the event carries the values, before and after.
 */
import {
  SETTINGS,
  isSettingKey,
  type SettingKey,
  type SettingsValues,
} from '../../../shared/settings';
import type { AuditStore } from '../store';
import type { Actor, JsonValue } from '../../../shared/audit';
import { storedSettings } from './stored';

export { storedSettings } from './stored';

export class SettingsError extends Error {}

/** Settings that are gone, and where what they held goes now. */
const RETIRED: Readonly<Record<string, string>> = {
  'agents.model.apiKey':
    'A model key is a secret: keep it in the vault (`paddock secrets set ANTHROPIC_API_KEY`, or OPENAI_API_KEY for Codex); a sandboxed agent reaches it through the credential broker.',
};

/** Deeper checks for some keys, supplied by the services that own what the value means. */
export type SettingValidators = Partial<Record<SettingKey, (value: unknown) => void>>;

export class SettingsService {
  constructor(
    private readonly store: AuditStore,
    private readonly validators: SettingValidators = {},
  ) {}

  all(): SettingsValues {
    const values = Object.fromEntries(
      Object.entries(SETTINGS).map(([key, spec]) => [key, spec.default]),
    ) as Record<string, unknown>;
    for (const [key, value] of storedSettings(this.store))
      if (isSettingKey(key)) values[key] = value;
    return values as SettingsValues;
  }

  get<K extends SettingKey>(key: K): SettingsValues[K] {
    return this.all()[key];
  }

  /** Validates and stores a value; `value` comes from a person or a client, so nothing is assumed. */
  set(key: string, value: unknown, by: { actor: Actor; actorId: string }): SettingsValues {
    if (!isSettingKey(key)) {
      const retired = Object.prototype.hasOwnProperty.call(RETIRED, key) ? RETIRED[key] : undefined;
      if (retired) throw new SettingsError(`The setting ${key} is gone. ${retired}`);
      throw new SettingsError(
        `Unknown setting "${key}". Known settings: ${Object.keys(SETTINGS).join(', ')}.`,
      );
    }
    const parsed = SETTINGS[key].schema.safeParse(value);
    if (!parsed.success) {
      throw new SettingsError(
        `Invalid value for ${key}: ${parsed.error.issues.map((i) => i.message).join('; ')}.`,
      );
    }
    try {
      this.validators[key]?.(parsed.data);
    } catch (error) {
      throw new SettingsError(`Invalid value for ${key}: ${(error as Error).message}`);
    }
    const previous = this.get(key);
    this.store.transaction(() => {
      this.store.database
        .prepare(
          'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        )
        .run(key, JSON.stringify(parsed.data), new Date().toISOString());
      this.store.append({
        kind: 'settings.changed',
        actor: by.actor,
        actorId: by.actorId,
        payload: { key, from: previous as JsonValue, to: parsed.data as JsonValue },
      });
    });
    return this.all();
  }
}
