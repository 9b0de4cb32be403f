/**
 * The spellings of a vault secret that redaction looks for: the value itself, its hex (both
 * cases), its URL encoding, and its base64 (standard and URL-safe). Base64 of a value inside a
 * longer encoded text depends on where the value starts (its offset modulo 3), so each of the
 * three alignments gives the stretch of characters that encodes the value's bytes alone: any
 * base64 holding the value holds one of them.
 */

/** A value's spellings, each at least `minBytes` long, without repeats. */
export function secretForms(value: string, minBytes: number): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms = [
    value,
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    encodeURIComponent(value),
    ...[0, 1, 2].flatMap((shift) => base64Cores(bytes, shift)),
  ];
  return [...new Set(forms)].filter((form) => Buffer.byteLength(form) >= minBytes);
}

/** The base64 characters that depend only on the value, when it starts `shift` bytes into a group. */
function base64Cores(bytes: Buffer, shift: number): string[] {
  const encoded = Buffer.concat([Buffer.alloc(shift), bytes])
    .toString('base64')
    .replace(/=+$/, '');
  // Characters before the value's first whole 6-bit unit mix in the bytes before it.
  const lead = [0, 2, 3][shift] as number;
  // After the last full 3-byte group, the final character mixes in the bytes after the value.
  const trail = (shift + bytes.length) % 3 === 0 ? 0 : 1;
  const core = encoded.slice(lead, encoded.length - trail);
  return core ? [core, core.replace(/\+/g, '-').replace(/\//g, '_')] : [];
}
