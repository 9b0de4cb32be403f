import { sql as auditLog } from './001-audit-log';
import { sql as projectsSessionsSettings } from './002-projects-sessions-settings';
import { sql as indexWatermark } from './003-index-watermark';
import { sql as approvals } from './004-approvals';

export interface Migration {
  /** PRAGMA user_version after this migration has run. */
  version: number;
  name: string;
  sql: string;
}

/** In order. Never edit a migration that has shipped: add the next one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'audit-log', sql: auditLog },
  { version: 2, name: 'projects-sessions-settings', sql: projectsSessionsSettings },
  { version: 3, name: 'index-watermark', sql: indexWatermark },
  { version: 4, name: 'approvals', sql: approvals },
];

export const LATEST_VERSION = MIGRATIONS.length;
