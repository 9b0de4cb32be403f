/** Times a person gives on the command line. */
import { UsageError } from './output';

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i;
const UNIT_MS: Record<string, number> = {
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * A time a person gives: `7d` (that long before `now`: m, h, d, w), an ISO date (the local
 * midnight that starts it) or an ISO date-time (without an offset: local time). As an ISO time.
 */
export function parseTime(value: string, now: Date, option: string): string {
  const text = value.trim();
  const relative = RELATIVE.exec(text);
  if (relative) {
    const unit = UNIT_MS[(relative[2] as string).toLowerCase()] as number;
    return new Date(now.getTime() - Number(relative[1]) * unit).toISOString();
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const time = date
    ? new Date(Number(date[1]), Number(date[2]) - 1, Number(date[3]))
    : /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)
      ? new Date(text)
      : new Date(Number.NaN);
  if (Number.isNaN(time.getTime()))
    throw new UsageError(
      `${option} takes an ISO date (2026-12-01), a date-time (2026-12-01T09:30, 2026-12-01T08:30:00Z) or how long ago (30m, 24h, 7d, 2w), not "${value}".`,
    );
  return time.toISOString();
}
