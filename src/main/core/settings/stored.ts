/**
 * Settings as stored, read without the registry: the registry's zod schemas take longer to load
 * than a quick command takes to run (`paddock costs` reads three settings). Values were validated
 * when they were set; a key no longer in the registry is the caller's to ignore.
 */
import type { AuditStore } from '../store';

export function storedSettings(store: Pick<AuditStore, 'database'>): Map<string, unknown> {
  const rows = store.database.prepare('SELECT key, value FROM settings').all() as {
    key: string;
    value: string;
  }[];
  return new Map(rows.map(({ key, value }) => [key, JSON.parse(value) as unknown]));
}
