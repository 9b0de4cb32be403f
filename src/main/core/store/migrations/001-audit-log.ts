/** The append-only, hash-chained event log, its blobs and its full-text index. */
import { BLOBS_TABLE } from '../blob-table';

export const sql = /* sql */ `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('format', 'paddock-audit');
-- Event ids are '<store id>-<seq>': unique across stores, and found without an index of their own.
INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(8))));

CREATE TABLE events (
  seq               INTEGER PRIMARY KEY,
  id                TEXT NOT NULL,
  ts                TEXT NOT NULL,
  session_id        TEXT,
  kind              TEXT NOT NULL,
  actor             TEXT NOT NULL CHECK (actor IN ('agent', 'person', 'policy', 'system')),
  actor_id          TEXT NOT NULL,
  payload           TEXT NOT NULL,
  blobs             TEXT NOT NULL,
  -- SHA-256 digests as 32-byte blobs: a third of the row is hashes, and hex would double it.
  prev_hash         BLOB NOT NULL,
  session_prev_hash BLOB,
  hash              BLOB NOT NULL
);

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;
CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;

${BLOBS_TABLE}
-- Derived indexes, filled after commit (see derived-indexes.ts), never on the append path.
-- Full-text: contentless, the text lives in events; rowid = events.seq.
CREATE VIRTUAL TABLE events_fts USING fts5(body, content = '', tokenize = 'unicode61');
-- Which events belong to which session.
CREATE TABLE event_sessions (
  session_id TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
`;
