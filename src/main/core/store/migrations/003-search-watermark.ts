/**
 * The full-text index is filled after commit, off the append path. This row says how far it has
 * got; events before it were indexed as they were appended (migration 001's way).
 */
export const sql = /* sql */ `
INSERT INTO meta (key, value) SELECT 'fts_indexed_seq', CAST(coalesce(max(seq), 0) AS TEXT) FROM events;
`;
