/**
 * Paddock's own settings, kept in the store. A change and its audit event commit together, so the
 * record never disagrees with the setting in force.
 */
import {
  SETTINGS,
  isSettingKey,
  type SettingKey,
  type SettingsValues,
} from '../../../shared/settings';
import type { AuditStore } from '../store';
import type { Actor, JsonValue } from '../../../shared/audit';

export class SettingsError extends Error {}

/** Deeper checks for some keys, supplied by the services that own what the value means. */
export type SettingValidators = Partial<Record<SettingKey, (value: unknown) => void>>;

export class SettingsService {
  constructor(
    private readonly store: AuditStore,
    private readonly validators: SettingValidators = {},
  ) {}

  all(): SettingsValues {
    const rows = this.store.database.prepare('SELECT key, value FROM settings').all() as {
      key: string;
      value: string;
    }[];
    const values = Object.fromEntries(
      Object.entries(SETTINGS).map(([key, spec]) => [key, spec.default]),
    ) as Record<string, unknown>;
    for (const { key, value } of rows) if (isSettingKey(key)) values[key] = JSON.parse(value);
    return values as SettingsValues;
  }

  get<K extends SettingKey>(key: K): SettingsValues[K] {
    return this.all()[key];
  }

  /** Validates and stores a value; `value` comes from a person or a client, so nothing is assumed. */
  set(key: string, value: unknown, by: { actor: Actor; actorId: string }): SettingsValues {
    if (!isSettingKey(key)) {
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
      const shown = (value: unknown) =>
        (SETTINGS[key].secret ? (value ? '[secret set]' : '[secret empty]') : value) as JsonValue;
      this.store.append({
        kind: 'settings.changed',
        actor: by.actor,
        actorId: by.actorId,
        payload: { key, from: shown(previous), to: shown(parsed.data) },
      });
    });
    return this.all();
  }
}
