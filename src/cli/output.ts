import type { AuditEvent } from '../shared/audit';

/** One line per event, for people: `#12  2026-11-22 10:00:01  doctor.ran  person:ada  {…}` */
export function formatEvent(event: AuditEvent): string {
  const when = event.ts.replace('T', ' ').replace(/\.\d+Z$/, '');
  const session = event.sessionId ? ` [${event.sessionId}]` : '';
  const payload = JSON.stringify(event.payload);
  const summary = payload.length > 120 ? `${payload.slice(0, 119)}…` : payload;
  return `#${event.seq}  ${when}  ${event.kind}  ${event.actor}:${event.actorId}${session}  ${summary}`;
}

/** Exit codes every command keeps to. */
export const EXIT = { ok: 0, failed: 1, error: 2 } as const;

/** Wraps a command's action so that the number it returns becomes the process exit code. */
export function withExitCode<A extends unknown[]>(
  action: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    process.exitCode = await action(...args);
  };
}

/** A command used wrongly: the message says how to use it. Exit code 2. */
export class UsageError extends Error {}

/** Rows as aligned columns, two spaces apart; the last column is not padded. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const count = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: count }, (_, i) =>
    Math.max(...rows.map((row) => (row[i] ?? '').length)),
  );
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
