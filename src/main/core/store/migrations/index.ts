import { sql as auditLog } from './001-audit-log';
import { sql as projectsSessionsSettings } from './002-projects-sessions-settings';
import { sql as indexWatermark } from './003-index-watermark';
import { sql as approvals } from './004-approvals';
import { sql as eraseModelApiKey } from './005-erase-model-api-key';
import { sql as usageIndex } from './006-usage-index';
import { sql as restorableBlobs } from './007-restorable-blobs';
import { sql as outputSearch } from './008-output-search';
import { sql as usageHours } from './009-usage-hours';
import { sql as sessionsWithoutProject } from './010-sessions-without-project';

export interface Migration {
  /** PRAGMA user_version after this migration has run. */
  version: number;
  name: string;
  sql: string;
  /**
   * Set for a migration that deletes a secret from `table`: it runs with SQLite's secure_delete
   * on, so what it deletes is overwritten with zeros in the file (through the WAL) rather than
   * left in free space. On an upgrade it also runs before the backup is taken (where `table`
   * exists already), so the backup never copies the secret: its SQL must be safe to run twice.
   */
  erasesSecrets?: { table: string };
}

/** In order. Never edit a migration that has shipped: add the next one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'audit-log', sql: auditLog },
  { version: 2, name: 'projects-sessions-settings', sql: projectsSessionsSettings },
  { version: 3, name: 'index-watermark', sql: indexWatermark },
  { version: 4, name: 'approvals', sql: approvals },
  {
    version: 5,
    name: 'erase-model-api-key',
    sql: eraseModelApiKey,
    erasesSecrets: { table: 'settings' },
  },
  { version: 6, name: 'usage-index', sql: usageIndex },
  { version: 7, name: 'restorable-blobs', sql: restorableBlobs },
  { version: 8, name: 'output-search', sql: outputSearch },
  { version: 9, name: 'usage-hours', sql: usageHours },
  { version: 10, name: 'sessions-without-project', sql: sessionsWithoutProject },
];

export const LATEST_VERSION = MIGRATIONS.length;
