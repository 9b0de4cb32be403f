/**
 * Search across every session: full text (the FTS5 index, which also holds what commands printed)
 * narrowed by session, project, kind, actor and time, newest first. Without text, the filters
 * alone select. Filters go into SQL as parameters; the person's words only ever become quoted
 * FTS5 strings.
 */
import type { Actor } from '../../../shared/audit';
import type { Db } from './database';

export interface SearchFilters {
  sessionId?: string;
  projectId?: string;
  /** Kinds, or prefixes ending in `.` (`approval.`). */
  kinds?: readonly string[];
  actors?: readonly Actor[];
  /** ISO times: at or after `since`, before `until`. */
  since?: string;
  until?: string;
}

interface Clause {
  sql: string;
  params: Record<string, string>;
}

/** The seqs of matching events, newest first. `match` is an FTS5 query, or null for filters only. */
export function searchSeqs(
  db: Db,
  match: string | null,
  filters: SearchFilters,
  limit: number,
): number[] {
  const where = filterClauses(filters);
  const conditions = where.map((clause) => clause.sql);
  const params = Object.assign({ limit }, ...where.map((clause) => clause.params)) as Record<
    string,
    string | number
  >;
  const sql = match
    ? `SELECT e.seq FROM events_fts f JOIN events e ON e.seq = f.rowid
        WHERE events_fts MATCH @match${conditions.map((c) => ` AND ${c}`).join('')}
        ORDER BY f.rowid DESC LIMIT @limit`
    : `SELECT e.seq FROM events e${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY e.seq DESC LIMIT @limit`;
  return db
    .prepare(sql)
    .pluck()
    .all(match ? { ...params, match } : params) as number[];
}

export function hasFilters(filters: SearchFilters): boolean {
  return filterClauses(filters).length > 0;
}

function filterClauses(filters: SearchFilters): Clause[] {
  const clauses: Clause[] = [];
  if (filters.sessionId)
    clauses.push({ sql: 'e.session_id = @session', params: { session: filters.sessionId } });
  if (filters.projectId)
    clauses.push({
      sql: 'e.session_id IN (SELECT id FROM sessions WHERE project_id = @project)',
      params: { project: filters.projectId },
    });
  if (filters.kinds?.length) clauses.push(kindClause(filters.kinds));
  if (filters.actors?.length) clauses.push(listClause('e.actor', 'actor', filters.actors));
  // Stored times are ISO with milliseconds and Z: compared as text only in that same form.
  if (filters.since)
    clauses.push({
      sql: 'e.ts >= @since',
      params: { since: new Date(filters.since).toISOString() },
    });
  if (filters.until)
    clauses.push({
      sql: 'e.ts < @until',
      params: { until: new Date(filters.until).toISOString() },
    });
  return clauses;
}

function kindClause(kinds: readonly string[]): Clause {
  const params: Record<string, string> = {};
  const parts = kinds.map((kind, i) => {
    if (kind.endsWith('.')) {
      // A prefix: the escape keeps `_` and `%` in a kind from acting as LIKE wildcards.
      params[`kind${i}`] = `${kind.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return `e.kind LIKE @kind${i} ESCAPE '\\'`;
    }
    params[`kind${i}`] = kind;
    return `e.kind = @kind${i}`;
  });
  return { sql: `(${parts.join(' OR ')})`, params };
}

function listClause(column: string, name: string, values: readonly string[]): Clause {
  const params = Object.fromEntries(values.map((value, i) => [`${name}${i}`, value]));
  return { sql: `${column} IN (${values.map((_, i) => `@${name}${i}`).join(', ')})`, params };
}
