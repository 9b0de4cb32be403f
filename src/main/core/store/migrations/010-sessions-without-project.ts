/**
 * Sessions without a project: a remote operator run (#17) works on an SSH host, not in a
 * repository, so its `project_id` is NULL rather than a made-up project. SQLite cannot drop a NOT
 * NULL constraint in place: the table is rebuilt with the same columns, rows and index.
 */
export const sql = /* sql */ `
CREATE TABLE sessions_new (
  id              TEXT PRIMARY KEY,
  project_id      TEXT REFERENCES projects (id),
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
INSERT INTO sessions_new SELECT id, project_id, agent_preset, task, author, workspace, branch,
  base_commit, sandbox_profile, budget, state, exit_code, reason, created_at, updated_at
  FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_by_project ON sessions (project_id, created_at);
`;
