/**
 * SSH hosts for the remote operator, shared by main and its clients. A host's private key lives in
 * the vault (the OS keychain); what is here is the non-secret record: where the host is, who logs
 * in, and the host key pinned at first connect.
 */

/** Lower case, digits, `-`, `_` and `.`, starting with a letter or digit: `staging`, `build-01`. */
export const SSH_HOST_NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;
/** A host key fingerprint as `ssh-keygen -lf` prints it: SHA-256, unpadded base64. */
export const SSH_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
/** A login name as POSIX and OpenSSH accept it. */
export const SSH_USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}\$?$/;
export const MAX_SSH_HOSTS = 100;
export const DEFAULT_SSH_PORT = 22;

/** One host as listed. */
export interface SshHost {
  name: string;
  /** A DNS name or an IP address (IPv6 without brackets). */
  address: string;
  port: number;
  user: string;
  /** The vault secret that holds the private key (`SSH_KEY_STAGING`). */
  keySecret: string;
  /** The host key pinned at first connect (`SHA256:…`), or null until then. */
  hostKey: string | null;
  /** Given when the host was added: the only key the first connect pins without asking. */
  expectedHostKey: string | null;
  addedAt: string;
  pinnedAt: string | null;
}

/** What `paddock ssh test` saw. */
export type SshTestResult =
  /** Connected (pinning the key if it was new) and ran `true`. */
  | {
      state: 'ok';
      fingerprint: string;
      pinned: boolean;
      exitCode: number | null;
      durationMs: number;
    }
  /** No key is pinned and nobody confirmed this one: nothing was run, nothing pinned. */
  | { state: 'unconfirmed'; fingerprint: string };
