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
