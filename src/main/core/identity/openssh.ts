/**
 * Ed25519 public keys in OpenSSH's one-line form, `ssh-ed25519 AAAA… comment`, as git's
 * allowed-signers files and `.pub` files hold them, and their `SHA256:…` fingerprints.
 *
 * The base64 part is SSH's wire encoding of the key (RFC 4253 §6.6, RFC 8709 §4): two SSH
 * strings (a big-endian uint32 length, then the bytes), the key type `ssh-ed25519` and the 32
 * raw key bytes. That makes 51 bytes, 68 base64 characters with no padding. A fingerprint is
 * SHA-256 over those 51 bytes, in unpadded base64, exactly as `ssh-keygen -lf` prints it.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { IdentityError } from './errors';

export const ED25519_KEY_TYPE = 'ssh-ed25519';
const RAW_KEY_BYTES = 32;

/** The one-line OpenSSH form of an Ed25519 public key. */
export function toOpenSsh(publicKey: KeyObject, comment: string): string {
  checkComment(comment);
  const line = `${ED25519_KEY_TYPE} ${wireBlob(publicKey).toString('base64')}`;
  return comment === '' ? line : `${line} ${comment}`;
}

/** `SHA256:` and the unpadded base64 of SHA-256 over the key's wire blob, as `ssh-keygen -lf` prints. */
export function fingerprintOf(publicKey: KeyObject): string {
  const digest = createHash('sha256').update(wireBlob(publicKey)).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

export interface ParsedOpenSshKey {
  key: KeyObject;
  /** What follows the key on the line (often the owner's name or email); may be empty. */
  comment: string;
  fingerprint: string;
}

/**
 * Reads one `ssh-ed25519 AAAA… comment` line. Strict: the type on the line and inside the blob must
 * both be `ssh-ed25519`, every length must be exact, and nothing may follow the key in the blob, so
 * a line that parses names exactly one key.
 */
export function parseOpenSshEd25519(line: string): ParsedOpenSshKey {
  const text = line.trim();
  if (/[\r\n]/.test(text))
    throw invalid('This is more than one line; give one public key line (ssh-ed25519 AAAA… name).');
  const match = /^(\S+)(?:[ \t]+(\S+))?(?:[ \t]+(.*))?$/.exec(text);
  const type = match?.[1] ?? '';
  const base64 = match?.[2];
  if (type !== ED25519_KEY_TYPE) throw invalid(wrongTypeMessage(type));
  if (base64 === undefined)
    throw invalid('This line has the key type but no key after it (ssh-ed25519 AAAA… name).');
  const comment = match?.[3] ?? '';
  const raw = rawKeyFromBlob(decodeBase64(base64));
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  return { key, comment, fingerprint: fingerprintOf(key) };
}

/** SSH's wire encoding of an Ed25519 public key: string "ssh-ed25519", string raw-key. */
function wireBlob(publicKey: KeyObject): Buffer {
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519')
    throw invalid(
      `Expected an Ed25519 public key, not a ${publicKey.asymmetricKeyType ?? 'symmetric'} ${publicKey.type} key.`,
    );
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw invalid('This Ed25519 public key exported no key bytes.');
  return Buffer.concat([
    sshString(Buffer.from(ED25519_KEY_TYPE, 'ascii')),
    sshString(Buffer.from(x, 'base64url')),
  ]);
}

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** The 32 raw key bytes of a wire blob, after checking every length and the type inside. */
function rawKeyFromBlob(blob: Buffer): Buffer {
  const type = readSshString(blob, 0, 'key type');
  const typeName = type.value.toString('latin1');
  if (typeName !== ED25519_KEY_TYPE)
    throw invalid(
      `The line says ssh-ed25519, but the key inside it is of type "${printable(typeName)}": the line was edited, or the key is not an Ed25519 key.`,
    );
  const raw = readSshString(blob, type.next, 'key');
  if (raw.value.length !== RAW_KEY_BYTES)
    throw invalid(
      `This Ed25519 key is ${raw.value.length} bytes long; an Ed25519 key is ${RAW_KEY_BYTES}. The line was cut or edited.`,
    );
  if (raw.next !== blob.length)
    throw invalid(
      `This key has ${blob.length - raw.next} unexpected bytes after the key itself: the line was edited, or it is not a plain Ed25519 public key.`,
    );
  return raw.value;
}

/** One SSH string at `offset`: a big-endian uint32 length, then that many bytes. */
function readSshString(
  blob: Buffer,
  offset: number,
  what: string,
): { value: Buffer; next: number } {
  if (blob.length < offset + 4) throw invalid(truncatedMessage(what));
  const length = blob.readUInt32BE(offset);
  const start = offset + 4;
  if (blob.length - start < length) throw invalid(truncatedMessage(what));
  return { value: blob.subarray(start, start + length), next: start + length };
}

function truncatedMessage(what: string): string {
  return `This public key is cut short (its ${what} is incomplete): copy the whole line again (ssh-ed25519 AAAA… name).`;
}

/** Only canonical base64: every spelling of a key but one is refused, so a key has one text form. */
function decodeBase64(text: string): Buffer {
  const bytes = /^[A-Za-z0-9+/]*={0,2}$/.test(text) ? Buffer.from(text, 'base64') : null;
  if (!bytes || bytes.length === 0 || bytes.toString('base64') !== text)
    throw invalid(
      'The key part of this line is not valid base64: it was cut or altered. Copy the whole line again (ssh-ed25519 AAAA… name).',
    );
  return bytes;
}

/** What the person gave instead of an Ed25519 public key line, and what to give. */
function wrongTypeMessage(type: string): string {
  const want = 'Paddock signs with Ed25519 keys only: give a line like ssh-ed25519 AAAA… name.';
  if (type === '') return `This is empty. ${want}`;
  if (type.startsWith('-----BEGIN'))
    return `This looks like a key file in PEM form (possibly a private key, which should never be shared). ${want}`;
  if (type.endsWith('-cert-v01@openssh.com'))
    return `This is an SSH certificate (${printable(type)}), not a plain key. ${want}`;
  const kinds: Record<string, string> = {
    'ssh-rsa': 'an RSA key',
    'ssh-dss': 'a DSA key',
    'sk-ssh-ed25519@openssh.com':
      'a security-key (FIDO) Ed25519 key, which Paddock cannot sign with',
    'sk-ecdsa-sha2-nistp256@openssh.com': 'a security-key (FIDO) ECDSA key',
  };
  const kind = kinds[type] ?? (type.startsWith('ecdsa-sha2-') ? 'an ECDSA key' : null);
  if (kind) return `This is ${kind} (${printable(type)}). ${want}`;
  return `This line starts with "${printable(type)}", not ssh-ed25519. ${want}`;
}

/** A comment ends the line, so it may not hold a line break or other control characters. */
function checkComment(comment: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(comment))
    throw invalid('A key comment (the name) may not hold line breaks or control characters.');
}

/** Untrusted text echoed in a message: short, and without control characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 59)}…` : clean;
}

function invalid(message: string): IdentityError {
  return new IdentityError('invalid', message);
}
