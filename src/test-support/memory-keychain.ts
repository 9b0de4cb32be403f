import type { Keychain } from '../main/core/vault';

/**
 * A keychain in this process's memory, for tests and benchmarks that need the vault but are not
 * about the keychain (libsecret keeps one connection per process, to the first bus it saw).
 */
export function memoryKeychain(): Keychain {
  const items = new Map<string, string>();
  return {
    get: async (account) => items.get(account) ?? null,
    set: async (account, value) => void items.set(account, value),
    delete: async (account) => items.delete(account),
  };
}
