/** Approval requests and their answers (the audit log has the same facts as events; this is the list). */
export const sql = /* sql */ `
CREATE TABLE approvals (
  id           TEXT PRIMARY KEY,
  session_id   TEXT NOT NULL,
  project_path TEXT NOT NULL,
  agent        TEXT NOT NULL,
  kind         TEXT NOT NULL,
  subject      TEXT NOT NULL,
  tool         TEXT NOT NULL,
  input        TEXT NOT NULL,
  risk         TEXT NOT NULL,
  reason       TEXT NOT NULL,
  context      TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('pending', 'allowed', 'denied', 'expired')),
  created_at   TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  -- JSON: allow, scope, by, reason, decidedAt, waitedMs
  decision     TEXT
);
CREATE INDEX approvals_by_time ON approvals (created_at);
`;
