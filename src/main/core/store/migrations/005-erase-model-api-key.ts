/**
 * The setting `agents.model.apiKey` is gone: a model key is a secret, kept in the vault (the OS
 * keychain) and given to agents only through the credential broker. Its row is deleted, and the
 * settings table is rebuilt: each change of a setting rewrites its row, and an earlier value of
 * the key can still sit in the free space of the table's pages, which a DELETE leaves alone.
 * Dropping the old table with secure_delete on (see `erasesSecrets`) overwrites its pages with
 * zeros. Runs again, harmlessly, on a store it has already cleaned.
 */
export const sql = /* sql */ `
DELETE FROM settings WHERE key = 'agents.model.apiKey';
CREATE TABLE settings_rebuilt (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO settings_rebuilt (key, value, updated_at) SELECT key, value, updated_at FROM settings;
DROP TABLE settings;
ALTER TABLE settings_rebuilt RENAME TO settings;
`;
