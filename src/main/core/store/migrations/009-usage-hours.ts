/**
 * Usage by the hour: cost figures over months of calls sum a few thousand pre-summed rows instead
 * of every call. `usage_hours` holds one row per UTC hour, session, model and source; `usage.hour`
 * says which hour a call was summed into, and is NULL for a call whose time is not written as
 * `Date#toISOString` writes it (such a time does not compare as text in time order, so it is never
 * summed ahead and is read from `usage` itself, through the small `usage_irregular` index).
 * Both are filled here from the calls already indexed; the derived indexes keep them up to date.
 */
export const sql = /* sql */ `
ALTER TABLE usage ADD COLUMN hour TEXT;
UPDATE usage SET hour = substr(at, 1, 13)
  WHERE at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z';
CREATE INDEX usage_irregular ON usage (at) WHERE hour IS NULL;
CREATE TABLE usage_hours (
  hour        TEXT NOT NULL,
  -- '' for calls without a Paddock session (NULL would make every such row a key of its own).
  session_key TEXT NOT NULL,
  model       TEXT NOT NULL,
  source      TEXT NOT NULL,
  calls       INTEGER NOT NULL,
  -- Calls with a price; the rest are unpriced, never counted as $0.
  priced      INTEGER NOT NULL,
  cost_usd    REAL NOT NULL,
  input       INTEGER NOT NULL,
  output      INTEGER NOT NULL,
  cache_write INTEGER NOT NULL,
  cache_read  INTEGER NOT NULL,
  first_at    TEXT NOT NULL,
  last_at     TEXT NOT NULL,
  -- In the order the report groups by, so summing by session, model and source needs no sort.
  PRIMARY KEY (session_key, model, source, hour)
) WITHOUT ROWID;
CREATE INDEX usage_hours_by_hour ON usage_hours (hour);
-- Sums by model alone (\`paddock costs --by model\`) read this, in order, and never the table.
CREATE INDEX usage_hours_by_model ON usage_hours (model, source, calls, priced, cost_usd, input,
  output, cache_write, cache_read, first_at, last_at);
INSERT INTO usage_hours
  SELECT hour, coalesce(session_id, ''), model, source, count(*), count(cost_usd), total(cost_usd),
    total(input), total(output), total(cache_write), total(cache_read), min(at), max(at)
  FROM usage WHERE hour IS NOT NULL GROUP BY 1, 2, 3, 4;
`;
