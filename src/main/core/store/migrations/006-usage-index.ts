/**
 * A derived index of model usage: one row per `cost.usage` event (metered by the broker, or
 * reported by an agent's transcripts), filled after commit like the full-text index, so budgets
 * and cost figures sum rows instead of parsing every event's payload. No store before this
 * version holds a `cost.usage` event, so there is nothing to fill in for the past.
 */
export const sql = /* sql */ `
CREATE TABLE usage (
  seq         INTEGER PRIMARY KEY,
  session_id  TEXT,
  at          TEXT NOT NULL,
  source      TEXT NOT NULL,
  provider    TEXT NOT NULL,
  model       TEXT NOT NULL,
  input       INTEGER NOT NULL,
  output      INTEGER NOT NULL,
  cache_write INTEGER NOT NULL,
  cache_read  INTEGER NOT NULL,
  -- NULL: the model is not in the price table (unpriced), never counted as $0.
  cost_usd    REAL,
  request_id  TEXT,
  message_id  TEXT
);
CREATE INDEX usage_by_session ON usage (session_id, at);
CREATE INDEX usage_by_time ON usage (at);
CREATE INDEX usage_by_request ON usage (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX usage_by_message ON usage (message_id) WHERE message_id IS NOT NULL;
`;
