/**
 * Opening the SQLite file safely: refuse anything that is not ours (and leave it untouched), apply
 * migrations in order with a backup first (the erasing of a secret comes before even that), and set
 * the pragmas that make an acknowledged write durable.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './errors';
import { sqliteOptions } from './native-binding';
import { LATEST_VERSION, MIGRATIONS } from './migrations';

export type Db = Database.Database;

/** "PDCK": marks a SQLite file as Paddock's audit store. */
export const APPLICATION_ID = 0x5044434b;
const SQLITE_HEADER = 'SQLite format 3\0';

export interface OpenDatabaseOptions {
  readonly?: boolean;
  /** Where a copy is written before a migration changes an existing file. */
  backupDir: string;
  now?: () => Date;
}

export function openDatabase(file: string, options: OpenDatabaseOptions): Db {
  const isNew = !existsSync(file) || statSync(file).size === 0;
  if (!isNew) refuseNonSqlite(file);
  if (isNew && options.readonly) {
    throw new StoreError(
      `No Paddock audit store at ${file} yet. Run any paddock command that writes (for example \`paddock doctor\`) to create it.`,
      'needs-migration',
      file,
    );
  }
  if (isNew) closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    fileMustExist: true,
    ...sqliteOptions(),
  });
  try {
    const version = checkOwnership(db, file);
    if (options.readonly) {
      if (version < LATEST_VERSION) {
        throw new StoreError(
          `The audit store ${file} is at schema version ${version}; this Paddock needs ${LATEST_VERSION}. Open it once with a writing command (for example \`paddock doctor\`) to migrate it.`,
          'needs-migration',
          file,
        );
      }
      return db;
    }
    chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    // FULL: a transaction that has returned survives power loss and kill -9 alike.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // 64 MiB of page cache: the id and session indexes stay in memory as the log grows.
    db.pragma('cache_size = -65536');
    migrate(db, file, version, options);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function refuseNonSqlite(file: string): void {
  const header = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new StoreError(
      `${file} is not a SQLite database, so it is not a Paddock audit store. It was left untouched. ` +
        `Move it aside (or restore it from ${join(file, '..', 'backups')}) and run Paddock again, or point PADDOCK_HOME elsewhere.`,
      'not-sqlite',
      file,
    );
  }
}

/** Returns the schema version of a file that is ours (or empty); throws for anything else. */
function checkOwnership(db: Db, file: string): number {
  let applicationId: number;
  let tables: number;
  let version: number;
  try {
    applicationId = db.pragma('application_id', { simple: true }) as number;
    version = db.pragma('user_version', { simple: true }) as number;
    tables = (db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n;
  } catch (error) {
    throw new StoreError(
      `${file} is damaged (${(error as Error).message}). It was left untouched. ` +
        `Restore the newest copy from ${join(file, '..', 'backups')}, or move the file aside and start a new store.`,
      'corrupt',
      file,
    );
  }
  if (applicationId === 0 && tables === 0) return 0;
  if (applicationId !== APPLICATION_ID) {
    throw new StoreError(
      `${file} is a SQLite database that does not belong to Paddock (application id ${applicationId}). ` +
        `It was left untouched. Point PADDOCK_HOME at another directory, or move the file aside.`,
      'foreign',
      file,
    );
  }
  if (version > LATEST_VERSION) {
    throw new StoreError(
      `${file} was written by a newer Paddock (schema ${version}; this one knows up to ${LATEST_VERSION}). Upgrade Paddock; the file was left untouched.`,
      'too-new',
      file,
    );
  }
  return version;
}

function migrate(db: Db, file: string, from: number, options: OpenDatabaseOptions): void {
  if (from >= LATEST_VERSION) return;
  if (from > 0) {
    eraseBeforeBackup(db, from);
    backupBeforeMigration(db, file, from, options);
  }
  applyMigrations(db, from, LATEST_VERSION);
}

/**
 * The pending migrations that erase a secret run first, each where its table exists already: the
 * backup is a copy of the file, and must not copy the secret. (They run again in their turn.)
 */
function eraseBeforeBackup(db: Db, from: number): void {
  const tableExists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  for (const migration of MIGRATIONS.filter((m) => m.version > from && m.erasesSecrets)) {
    if (!tableExists.get(migration.erasesSecrets?.table)) continue;
    withSecureDelete(db, () => db.transaction(() => db.exec(migration.sql))());
  }
}

function backupBeforeMigration(
  db: Db,
  file: string,
  from: number,
  options: OpenDatabaseOptions,
): void {
  const stamp = (options.now?.() ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const name = `${file.split('/').pop() ?? 'paddock.db'}.v${from}.${stamp}.bak`;
  const target = join(options.backupDir, name);
  // VACUUM INTO writes a consistent copy, WAL included, in one synchronous step.
  db.prepare('VACUUM INTO ?').run(target);
  chmodSync(target, 0o600);
}

/** Runs the migrations after `from` up to `to`, each in its own transaction. */
export function applyMigrations(db: Db, from: number, to: number): void {
  for (const migration of MIGRATIONS.filter((m) => m.version > from && m.version <= to)) {
    const run = db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${migration.version}`);
    });
    if (migration.erasesSecrets) withSecureDelete(db, run);
    else run();
  }
}

/**
 * Runs `work` with secure_delete on: SQLite then overwrites deleted rows, and pages it frees, with
 * zeros. The connection's own setting (off: the append path does not pay for it) comes back after.
 * It is the connection's setting, not the transaction's: set around the transaction, it holds for
 * every statement in it.
 */
function withSecureDelete(db: Db, work: () => void): void {
  const previous = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    work();
  } finally {
    db.pragma(`secure_delete = ${previous}`);
  }
}
