/**
 * Sealing: what must touch disk and is sensitive is encrypted with AES-256-GCM under the vault key
 * (32 random bytes kept in the keychain). A sealed blob is
 *
 *   version (1 byte, 0x01) | IV (12 random bytes) | ciphertext | GCM tag (16 bytes)
 *
 * and the version byte is authenticated too, so any change, and any truncation, fails to unseal.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VaultError } from './errors';

export const SEAL_VERSION = 0x01;
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const OVERHEAD = 1 + IV_BYTES + TAG_BYTES;

/** Seals and unseals with one key, synchronously (for hot paths that loaded the key once). */
export interface Sealer {
  seal(data: Buffer): Buffer;
  unseal(sealed: Buffer): Buffer;
}

export function newVaultKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function sealerFor(key: Buffer): Sealer {
  if (key.length !== KEY_BYTES)
    throw new VaultError('sealed', `A vault key is ${KEY_BYTES} bytes, not ${key.length}.`);
  return { seal: (data) => seal(key, data), unseal: (sealed) => unseal(key, sealed) };
}

function seal(key: Buffer, data: Buffer): Buffer {
  const version = Buffer.from([SEAL_VERSION]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(version);
  const body = Buffer.concat([cipher.update(data), cipher.final()]);
  return Buffer.concat([version, iv, body, cipher.getAuthTag()]);
}

function unseal(key: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < OVERHEAD)
    throw new VaultError(
      'sealed',
      `This sealed data is ${sealed.length} bytes, shorter than the ${OVERHEAD} every sealed blob has: it was truncated, or it is not sealed data.`,
    );
  const version = sealed.subarray(0, 1);
  if (version[0] !== SEAL_VERSION)
    throw new VaultError(
      'sealed',
      `This sealed data has format version ${version[0]}; this Paddock reads version ${SEAL_VERSION}. It was sealed by a newer Paddock, or it is not sealed data.`,
    );
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const body = sealed.subarray(1 + IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(version);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new VaultError(
      'sealed',
      'This sealed data fails its integrity check: it was changed or truncated after sealing, or it was sealed under another vault key (the keychain item "vault-key" was replaced). Nothing of it was read.',
    );
  }
}
