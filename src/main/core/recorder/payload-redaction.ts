/**
 * The vault's secrets taken out of audit payloads before they are written: every string of a
 * payload (values and object keys, at any depth, in arrays too) has each spelling of a secret
 * (its value, hex, URL encoding and base64, see secret-forms.ts) replaced by `[secret:NAME]`, as
 * the terminal redactor does in recordings.
 *
 * Most payloads hold no secret, so that path is the cheap one: each string is encoded into a reused
 * buffer and scanned by the terminal's Wu–Manber matcher (known-values.ts), nothing is allocated,
 * and the payload comes back as the very object given. When something matched, only the objects
 * and arrays on the way to it are copied; the rest is shared with the payload given.
 *
 * A payload is JSON, but what arrives at run time may not be exactly: an object with `toJSON` is
 * redacted as what it serialises to (as the store's canonical JSON does), and values JSON cannot
 * hold (undefined, functions) are left alone for the store to refuse or skip.
 */
import type { JsonObject } from '../../../shared/audit';
import { knownMatcher, type KnownSecret } from './known-secrets';
import type { KnownValues } from './known-values';
import { placeholder } from './token-rules';

export interface PayloadRedaction {
  /** The payload given when nothing matched (the same object), else a redacted copy. */
  payload: JsonObject;
  /** How many secrets were replaced (overlapping ones count once). */
  replacements: number;
}

/** A span of a string's UTF-8 bytes to replace, and the rule of its placeholder. */
interface Span {
  start: number;
  end: number;
  rule: string;
}

export class PayloadRedactor {
  private readonly values: KnownValues | null;
  private readonly rules: string[];
  /** Replacements made by the `redact` call running now. */
  private count = 0;
  /** The secrets found in the string being scanned (one array, reused). */
  private readonly found: Span[] = [];
  /** Where strings are encoded to be scanned: reused, so scanning a string allocates nothing. */
  private scratch = Buffer.allocUnsafe(4096);

  /**
   * Built once for a set of secrets (rebuild it when the vault changes). Throws a RangeError for a
   * value under 4 bytes, as the terminal redactor does: it would redact ordinary text.
   */
  constructor(secrets: ReadonlyArray<KnownSecret>) {
    const known = knownMatcher([], secrets);
    this.values = known.values;
    this.rules = known.rules;
  }

  /** True when there is no secret to look for: `redact` gives back every payload as it is. */
  get empty(): boolean {
    return this.values === null;
  }

  redact(payload: JsonObject): PayloadRedaction {
    if (this.values === null) return { payload, replacements: 0 };
    this.count = 0;
    const redacted = this.value(payload) as JsonObject;
    return { payload: redacted, replacements: this.count };
  }

  /** The redacted payload alone: the audit store's payload filter (`store.setPayloadFilter`). */
  readonly filter = (payload: JsonObject): JsonObject => this.redact(payload).payload;

  private value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null) return value;
    return Array.isArray(value) ? this.array(value) : this.object(value as Record<string, unknown>);
  }

  private array(items: readonly unknown[]): readonly unknown[] {
    let copy: unknown[] | null = null;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const redacted = this.value(item);
      if (redacted === item) continue;
      copy ??= items.slice();
      copy[i] = redacted;
    }
    return copy ?? items;
  }

  private object(object: Record<string, unknown>): unknown {
    if (typeof object.toJSON === 'function') {
      const json: unknown = (object.toJSON as () => unknown)();
      const redacted = this.value(json);
      return redacted === json ? object : redacted;
    }
    const keys = Object.keys(object);
    let entries: Array<[string, unknown]> | null = null;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const member = object[key];
      const redactedKey = this.text(key);
      const redacted = this.value(member);
      if (entries === null && (redactedKey !== key || redacted !== member))
        entries = keys.slice(0, i).map((before) => [before, object[before]]);
      entries?.push([redactedKey, redacted]);
    }
    // fromEntries defines own properties: a `__proto__` key stays a key, as JSON.parse made it.
    return entries ? Object.fromEntries(entries) : object;
  }

  /** The string with each secret replaced; the same string when there is none. */
  private text(text: string): string {
    const values = this.values as KnownValues;
    const bytes = this.encode(text);
    const found = this.found;
    found.length = 0;
    values.scanBytes(bytes, 0, bytes.length, (start, end, index) =>
      found.push({ start, end, rule: this.rules[index] as string }),
    );
    if (found.length === 0) return text;
    // UTF-8 synchronises: a whole value found in whole text starts and ends on character bounds,
    // so decoding between the spans gives back the text's own characters.
    let out = '';
    let position = 0;
    for (const span of merge(found)) {
      out += bytes.toString('utf8', position, span.start) + placeholder(span.rule);
      position = span.end;
      this.count++;
    }
    return out + bytes.toString('utf8', position);
  }

  /** The string's UTF-8 bytes, valid until the next call. */
  private encode(text: string): Buffer {
    const most = text.length * UTF8_PER_UNIT;
    if (most > SCRATCH_MAX) return Buffer.from(text, 'utf8');
    if (most > this.scratch.length)
      this.scratch = Buffer.allocUnsafe(
        Math.min(SCRATCH_MAX, Math.max(most, this.scratch.length * 2)),
      );
    return this.scratch.subarray(0, this.scratch.write(text, 'utf8'));
  }
}

/** A string takes at most this many times its length in UTF-8 (3 bytes a UTF-16 unit). */
const UTF8_PER_UNIT = 3;
/** A longer string is encoded apart: the reused buffer would keep its size for good. */
const SCRATCH_MAX = 1024 * 1024;

/** Overlapping spans (two spellings, or two secrets, sharing bytes) become one, named by the first. */
function merge(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}
