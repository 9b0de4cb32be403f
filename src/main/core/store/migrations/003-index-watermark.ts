/**
 * The derived indexes (full-text, session membership) are filled after commit, off the append
 * path. This row says how far they have got; it starts at 0 and they catch up on first use.
 */
export const sql = /* sql */ `
INSERT INTO meta (key, value) VALUES ('indexed_seq', '0');
`;
