/** Turning contract values into short text for people. */
import type { JsonValue } from '../../shared/audit';

/**
 * The message of a failed call. Over IPC the ContractError class does not survive the context
 * bridge, so this reads the shape rather than checking `instanceof`.
 */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message } = error;
    if (typeof message === 'string' && message) return message;
  }
  return String(error);
}

const pad = (value: number) => String(value).padStart(2, '0');

/** `2026-11-22 10:00:01` in local time: fixed width, so a column of times lines up. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const SUMMARY_MAX = 240;
const STRING_MAX = 80;

function shortValue(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.length}]`;
  if (typeof value === 'object') return '{…}';
  if (typeof value !== 'string') return String(value);
  const clipped = value.length > STRING_MAX ? `${value.slice(0, STRING_MAX - 1)}…` : value;
  // Quote only when needed to see where the value ends.
  return /^[^\s"=]+$/.test(clipped) ? clipped : JSON.stringify(clipped);
}

/** One line for a payload: `key=ui.theme from=system to=dark`; nested values are only sized. */
export function summarizePayload(payload: { [key: string]: JsonValue }): string {
  let line = '';
  for (const [key, value] of Object.entries(payload)) {
    line += `${line ? ' ' : ''}${key}=${shortValue(value)}`;
    if (line.length > SUMMARY_MAX) return `${line.slice(0, SUMMARY_MAX - 1)}…`;
  }
  return line;
}
