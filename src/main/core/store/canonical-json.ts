/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). ECMAScript's own number and string serialisation is
 * what the RFC specifies, so JSON.stringify does the leaves; what JCS adds is the key order (UTF-16
 * code units, which is what Array.prototype.sort compares) and the refusal of values JSON cannot
 * represent exactly.
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
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as object);
    default:
      throw new TypeError(`canonical JSON cannot hold a value of type ${typeof value}`);
  }
}

function canonicalArray(items: unknown[]): string {
  return `[${items.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
}

function canonicalObject(object: object): string {
  const withToJson = object as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return canonicalJson(withToJson.toJSON());
  const entries = Object.entries(object).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
