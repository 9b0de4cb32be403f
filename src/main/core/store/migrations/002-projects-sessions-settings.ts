/** The things events are about: projects, sessions, and Paddock's own settings. */
export const sql = /* sql */ `
CREATE TABLE projects (
  id          TEXT PRIMARY KEY,
  path        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  added_at    TEXT NOT NULL,
  last_preset TEXT
);

CREATE TABLE sessions (
  id              TEXT PRIMARY KEY,
  project_id      TEXT NOT NULL REFERENCES projects (id),
  agent_preset    TEXT NOT NULL,
  task            TEXT NOT NULL,
  author          TEXT NOT NULL,
  workspace       TEXT,
  branch          TEXT,
  base_commit     TEXT,
  sandbox_profile TEXT,
  budget          TEXT,
  state           TEXT NOT NULL CHECK (state IN ('starting', 'running', 'waiting', 'paused', 'exited',
                    'failed', 'stopped', 'interrupted', 'promoted', 'discarded')),
  exit_code       INTEGER,
  reason          TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX sessions_by_project ON sessions (project_id, created_at);

-- Current values only; every change is also a settings.changed audit event.
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;
