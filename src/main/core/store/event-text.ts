import type { JsonValue } from '../../../shared/audit';

const MAX_TEXT = 16 * 1024;

/** The searchable text of an event: its kind, who acted, and every string and number in its payload. */
export function eventText(kind: string, actorId: string, payload: JsonValue): string {
  const parts: string[] = [kind, actorId];
  collect(payload, parts);
  const text = parts.join(' ');
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

function collect(value: JsonValue, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'number') into.push(String(value));
  else if (Array.isArray(value)) for (const item of value) collect(item, into);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) collect(item, into);
}
