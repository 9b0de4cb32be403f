/** Ed25519 private keys as Paddock keeps them: PKCS#8 DER (base64 of it in the keychain). */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { IdentityError, type IdentityErrorKind } from './errors';
import { fingerprintOf } from './openssh';

/**
 * The Ed25519 private key in `der`, or an IdentityError of `kind` that says where the bad key came
 * from (`where`: "the keychain item identity:SHA256:…", "this backup").
 */
export function privateKeyFromPkcs8(
  der: Buffer,
  kind: IdentityErrorKind,
  where: string,
): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new IdentityError(kind, `The private key in ${where} is not a readable PKCS#8 key.`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new IdentityError(
      kind,
      `The private key in ${where} is a ${key.asymmetricKeyType ?? 'unknown'} key, not an Ed25519 key.`,
    );
  return key;
}

/** The fingerprint of the public half of a private key. */
export function fingerprintOfPrivate(privateKey: KeyObject): string {
  return fingerprintOf(createPublicKey(privateKey));
}

export function pkcs8Of(privateKey: KeyObject): Buffer {
  return privateKey.export({ format: 'der', type: 'pkcs8' });
}
