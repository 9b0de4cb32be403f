/**
 * The vault's shapes, shared by main and its clients. A secret's value lives in the OS keychain
 * only; what is here (its name, the hosts it may be sent to, the header it goes in, when it was set)
 * is the non-secret index, and nothing in it is derived from the value.
 */

/** Upper case, digits and underscores, starting with a letter: `OPENAI_API_KEY`. */
export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
/** The largest value the vault keeps, in UTF-8 bytes. */
export const MAX_SECRET_BYTES = 16 * 1024;
export const MAX_SECRET_HOSTS = 32;
export const MAX_SECRETS = 500;
export const MAX_HEADER_TEMPLATE = 1024;
/** Where a secret goes in a request when no header is given: `{}` marks the value. */
export const DEFAULT_SECRET_HEADER = 'Authorization: Bearer {}';

/** One secret as listed: never its value, nor anything derived from it. */
export interface SecretEntry {
  name: string;
  /** Host specs as in Network rules (`api.example.com`, `*.example.com`, `:port`); may be empty. */
  hosts: string[];
  /** `Header-Name: text {} text`, `{}` marking where the value goes. */
  header: string;
  /** When it was first set (ISO 8601). */
  setAt: string;
  /** When its value was last replaced, or null if never. */
  rotatedAt: string | null;
}
