/** Durations for people: how long a request waited, how long it has left. */

/** `12 s`, `4 min 3 s`, `2 h 5 min`: two units at most, enough to compare at a glance. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/**
 * What is left before a request expires: `9:41` under an hour (it ticks every second, so the
 * seconds show), a duration above; null once the time is up (main expires it shortly).
 */
export function formatTimeLeft(expiresAt: string, now: number): string | null {
  const left = Date.parse(expiresAt) - now;
  if (!(left > 0)) return null;
  const seconds = Math.ceil(left / 1000);
  if (seconds >= 3600) return formatDuration(seconds * 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A minute or less: the row says so in the warning colour. */
export const URGENT_MS = 60_000;
