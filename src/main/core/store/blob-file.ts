/**
 * The blob file: a second SQLite file beside the audit log (`paddock-blobs.db`) for bulk content,
 * today the terminal recordings, written by the recording thread through a `BlobWriter`.
 *
 * Why a second file: SQLite has one writer per file. A recording writes ~100 MB a minute when an
 * agent floods its terminal; in the log's own file that work would sit on the main thread (the
 * log's writer), between two reads of every agent's terminal. Here another thread writes and
 * fsyncs it on its own connection, while the log's writer appends only the small events that
 * name each blob by its SHA-256 (`AppendInput.storedBlobs`). The audit store attaches the file
 * read-only in spirit: `getBlob` and `verify` see both tables as one, so a recorded chunk is
 * checked like any other blob (missing, altered, swapped).
 *
 * Order makes it safe: a blob is committed (fsynced) here before any event names it, so an event
 * never points at content that a crash could lose. A crash between the two leaves an unreferenced
 * blob, which wastes space and breaks nothing.
 *
 * Only the process holding the audit store's writer lock opens a `BlobWriter`.
 *
 * Space: the file is in `auto_vacuum = INCREMENTAL` mode, so the pages that retention frees can be
 * given back to the file system a few at a time (store/retention.ts) while recordings go on.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { paddockPaths } from '../home';
import { BLOBS_RESTORE_TRIGGER, BLOBS_TABLE, PUT_BLOB } from './blob-table';
import { sha256Hex } from './event-hash';
import { sqliteOptions } from './native-binding';

/**
 * The blob file's own schema version (its `user_version`). 2: dropped content may be stored again,
 * and the file gives freed pages back (incremental auto-vacuum).
 */
const BLOB_FILE_VERSION = 2;
/** `PRAGMA auto_vacuum` says 2 for INCREMENTAL. */
const INCREMENTAL = 2;

/** Opens the blob file for writing, creating it (mode 0600, with its table) the first time. */
export function openBlobFile(file: string): Database.Database {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new Database(file, sqliteOptions());
  try {
    // Takes effect at once on a new file (before its first table), else at the VACUUM below.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // As the log: a blob that has been acknowledged survives power loss.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > BLOB_FILE_VERSION)
      throw new Error(
        `The blob file ${file} is at version ${version}; this Paddock knows ${BLOB_FILE_VERSION}. Use the Paddock that wrote it.`,
      );
    if (version < BLOB_FILE_VERSION)
      db.transaction(() => {
        if (version === 0) db.exec(BLOBS_TABLE);
        db.exec(BLOBS_RESTORE_TRIGGER);
        db.pragma(`user_version = ${BLOB_FILE_VERSION}`);
      })();
    // A file written before version 2: one full VACUUM turns incremental auto-vacuum on. It runs
    // when the audit store opens the file, before the recording thread (the other writer) starts.
    if (db.pragma('auto_vacuum', { simple: true }) !== INCREMENTAL) db.exec('VACUUM');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Attaches the blob file to the log's connection as `blob_file`, and defines the view `all_blobs`
 * (hash, content) over the blobs of both files, for reads. A writable store creates the file; a
 * read-only one without it attaches an empty table in memory.
 */
export function attachBlobFile(db: Database.Database, file: string): void {
  if (!db.readonly) openBlobFile(file).close();
  if (existsSync(file)) db.prepare('ATTACH DATABASE ? AS blob_file').run(file);
  else {
    db.exec("ATTACH DATABASE ':memory:' AS blob_file");
    db.exec('CREATE TABLE blob_file.blobs (hash TEXT PRIMARY KEY, size INTEGER, content BLOB)');
  }
  db.exec(
    'CREATE TEMP VIEW all_blobs AS SELECT hash, content FROM main.blobs UNION ALL SELECT hash, content FROM blob_file.blobs',
  );
}

/** Writes blobs into the blob file: many at once, one transaction and one fsync. */
export class BlobWriter {
  private readonly insert: Database.Statement;
  private readonly putAll: (contents: readonly Uint8Array[]) => string[];

  private constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(PUT_BLOB('blobs'));
    this.putAll = db.transaction((contents: readonly Uint8Array[]) =>
      contents.map((content) => {
        const hash = sha256Hex(content);
        this.insert.run(hash, content.byteLength, content);
        return hash;
      }),
    );
  }

  /** The blob file of the Paddock home `home`. */
  static open(home: string): BlobWriter {
    return new BlobWriter(openBlobFile(paddockPaths(home).blobFile));
  }

  /** Stores every content (once, by hash); returns their SHA-256 hashes, in order, once durable. */
  putMany(contents: readonly Uint8Array[]): string[] {
    return contents.length === 0 ? [] : this.putAll(contents);
  }

  close(): void {
    this.db.close();
  }
}
