/**
 * The exact values a caller asks to redact, as one matcher (known-values.ts): plain values,
 * reported as `known-value`, and the vault's secrets, each in every spelling of secret-forms.ts,
 * reported as `secret:NAME`. Shared by the terminal redactor and the payload redactor, so both
 * look for the same spellings and refuse the same values.
 */
import { KnownValues } from './known-values';
import { secretForms } from './secret-forms';

export const KNOWN_VALUE_RULE = 'known-value';
/** Values shorter than this would redact ordinary text; refusing them is clearer than ignoring. */
export const MIN_KNOWN_VALUE_BYTES = 4;

/** A vault secret: its name (shown in the placeholder) and its value (never shown). */
export interface KnownSecret {
  name: string;
  value: string;
}

export interface KnownMatcher {
  /** Null when there is nothing to look for. */
  values: KnownValues | null;
  /** The rule each value of `values` is reported under, by its index. */
  rules: string[];
}

/** One matcher for all of them; throws a RangeError for a value (or secret) under 4 bytes. */
export function knownMatcher(
  knownValues: readonly string[] = [],
  knownSecrets: ReadonlyArray<KnownSecret> = [],
): KnownMatcher {
  const byForm = new Map<string, string>();
  for (const value of knownValues) if (value.length > 0) byForm.set(value, KNOWN_VALUE_RULE);
  for (const { name, value } of knownSecrets) {
    if (Buffer.byteLength(value) < MIN_KNOWN_VALUE_BYTES) throw shortValue();
    for (const form of secretForms(value, MIN_KNOWN_VALUE_BYTES))
      byForm.set(form, `secret:${name}`);
  }
  if (byForm.size === 0) return { values: null, rules: [] };
  const encoded = [...byForm.keys()].map((value) => Buffer.from(value, 'utf8'));
  if (encoded.some((value) => value.length < MIN_KNOWN_VALUE_BYTES)) throw shortValue();
  return { values: new KnownValues(encoded), rules: [...byForm.values()] };
}

function shortValue(): RangeError {
  return new RangeError(
    `Known secret values must be at least ${MIN_KNOWN_VALUE_BYTES} bytes long: a shorter one would redact ordinary text.`,
  );
}
