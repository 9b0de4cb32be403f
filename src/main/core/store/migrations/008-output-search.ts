/**
 * Search reaches into what commands and agents printed: the full-text index now holds the text of
 * terminal output chunks and `session.exec` output (escape sequences taken out), beside each
 * event's payload. The derived indexes are rebuilt from the log to take it in: emptied here, and
 * filled again after opening, in the background, like any events not yet indexed.
 */
export const sql = /* sql */ `
INSERT INTO events_fts (events_fts) VALUES ('delete-all');
DELETE FROM event_sessions;
DELETE FROM usage;
UPDATE meta SET value = '0' WHERE key = 'indexed_seq';
`;
