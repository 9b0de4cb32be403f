/** Gate and promotion values as short text for people. */
import { formatDuration } from '../inbox/time';

/** `350 ms`, `4.2 s`, then `2 min 5 s`: a gate takes anything from milliseconds to minutes. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms);
}

/** `m:ss`, for a clock that ticks while the gates run. */
export function formatClock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A commit's short id, as git shows it. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 7);
}

export { commandLine } from '../../../../shared/command-line';

/** `3 lines`, `1 line`: how much of a command's output the tail holds. */
export function lineCount(text: string): string {
  const lines = text.replace(/\n$/, '').split('\n').length;
  return lines === 1 ? '1 line' : `${lines.toLocaleString()} lines`;
}

export const plural = (count: number, one: string, many = `${one}s`) =>
  `${count.toLocaleString()} ${count === 1 ? one : many}`;

/**
 * `SHA256:AbCdEf123456…`: enough of a key's fingerprint to tell keys apart at a glance; the whole
 * one goes in the tooltip, to compare with `ssh-keygen -lf`.
 */
export function shortFingerprint(fingerprint: string): string {
  const [scheme, hash] = fingerprint.includes(':') ? fingerprint.split(':', 2) : ['', fingerprint];
  const head = (hash ?? '').slice(0, 12);
  const cut = head.length < (hash ?? '').length ? `${head}…` : head;
  return scheme ? `${scheme}:${cut}` : cut;
}
