/** What went wrong with an SSH host, worded for the person who has to act on it. */
export type SshErrorKind =
  /** A name, address, port, user, fingerprint or key that is not acceptable as given. */
  | 'invalid'
  /** No host by that name. */
  | 'not-found'
  /** A host by that name exists already. */
  | 'exists'
  /** The host offered a key that is not the pinned one, nor the expected one. */
  | 'host-key'
  /** No key is pinned and nobody confirmed the one offered: nothing was pinned. */
  | 'unconfirmed'
  /** The host could not be reached, refused the login, or the connection broke. */
  | 'connect';

/** Never carries a private key, nor anything derived from one. */
export class SshError extends Error {
  override readonly name = 'SshError';

  constructor(
    readonly kind: SshErrorKind,
    message: string,
    /** For `host-key` and `unconfirmed`: the fingerprint the host offered. */
    readonly offered?: string,
  ) {
    super(message);
  }
}
