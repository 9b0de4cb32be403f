/** What went wrong in the vault, worded for the person who has to act on it. */
export type VaultErrorKind =
  /** No keychain answers (the message says what to install or start). */
  | 'keychain'
  /** A name, value, host or header that the vault does not accept. */
  | 'invalid'
  /** No secret by that name, or its value is gone from the keychain. */
  | 'not-found'
  /** Sealed data that fails its integrity check, or a vault key that is not one. */
  | 'sealed'
  /** The index could not be written (a read-only store, say). */
  | 'store';

/** Never carries a secret's value, nor anything derived from it. */
export class VaultError extends Error {
  override readonly name = 'VaultError';

  constructor(
    readonly kind: VaultErrorKind,
    message: string,
  ) {
    super(message);
  }
}
