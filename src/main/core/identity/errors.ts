/** What went wrong with a signing identity, worded for the person who has to act on it. */
export type IdentityErrorKind =
  /** A name, key line, passphrase or backup file that is not acceptable as given. */
  | 'invalid'
  /** There is an identity already (create), or a different one (import). */
  | 'exists'
  /** There is no identity yet. */
  | 'none'
  /** The identity is known, but the keychain has no usable private key for it. */
  | 'no-key'
  /** A backup that does not open: wrong passphrase, altered, or inconsistent. */
  | 'backup'
  /** No keychain answers (the message says what to install or start). */
  | 'keychain';

/** Never carries a private key, a passphrase, nor anything derived from them. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';

  constructor(
    readonly kind: IdentityErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
