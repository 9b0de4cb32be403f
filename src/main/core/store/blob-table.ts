/**
 * The blob table, shared by the audit log's own file and the blob file beside it (blob-file.ts):
 * the same shape and the same refusals in both, so a blob is a blob wherever it lives.
 */
export const BLOBS_TABLE = /* sql */ `
-- Content-addressed by SHA-256. Content may only ever be dropped (set to NULL) by a retention or
-- redaction, which also appends a blob.dropped event: the tombstone.
CREATE TABLE blobs (
  hash    TEXT PRIMARY KEY,
  size    INTEGER NOT NULL,
  content BLOB
);
CREATE TRIGGER blobs_refuse_rewrite BEFORE UPDATE ON blobs
WHEN NEW.hash IS NOT OLD.hash OR NEW.size IS NOT OLD.size OR NEW.content IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'blobs are immutable: only dropping their content is allowed'); END;
CREATE TRIGGER blobs_refuse_delete BEFORE DELETE ON blobs
BEGIN SELECT RAISE(ABORT, 'blobs are never deleted: drop their content instead'); END;
`;

/**
 * Since retention (schema 7, blob file 2): content that was dropped may be stored again. Content is
 * deduplicated by hash, so a chunk or a diff identical to one that retention dropped comes back,
 * and an event appended after the drop must find its content (`verify` takes a tombstone to cover
 * only the events before it). Storing it again is the one change allowed besides dropping: the
 * content must be the size the row says; that it hashes to the row's hash, `verify` checks.
 */
export const BLOBS_RESTORE_TRIGGER = /* sql */ `
DROP TRIGGER blobs_refuse_rewrite;
CREATE TRIGGER blobs_refuse_rewrite BEFORE UPDATE ON blobs
WHEN NEW.hash IS NOT OLD.hash OR NEW.size IS NOT OLD.size
  OR (NEW.content IS NOT NULL AND (OLD.content IS NOT NULL OR length(NEW.content) IS NOT OLD.size))
BEGIN SELECT RAISE(ABORT, 'blobs are immutable: only dropping their content, or storing dropped content again, is allowed'); END;
`;

/** Stores content once by hash; content that was dropped is stored again (see above). */
export const PUT_BLOB = (table: string) => /* sql */ `
INSERT INTO ${table} (hash, size, content) VALUES (?, ?, ?)
ON CONFLICT (hash) DO UPDATE SET content = excluded.content WHERE content IS NULL`;
