/**
 * A real Secret Service for a vitest file: `useSecretService()` starts gnome-keyring on a private
 * D-Bus session (keyring.ts) before the file's tests and points this process at it.
 *
 * libsecret reads DBUS_SESSION_BUS_ADDRESS once, when it first connects, and keeps the connection
 * for the life of the process: call `useSecretService()` at the top of a test file (vitest runs each
 * file in its own worker process), before anything touches the keychain.
 */
import { afterAll, beforeAll } from 'vitest';
import { startSecretService, type SecretService, type SecretServiceOptions } from './keyring';

export { startSecretService, type SecretService, type SecretServiceOptions } from './keyring';

/**
 * Starts a Secret Service for this test file and points this process at it (before anything
 * connects); stops it, and restores the environment, after the file's tests.
 */
export function useSecretService(options: SecretServiceOptions = {}): {
  current(): SecretService;
} {
  let service: SecretService | null = null;
  const previous = process.env.DBUS_SESSION_BUS_ADDRESS;
  beforeAll(async () => {
    service = await startSecretService(options);
    process.env.DBUS_SESSION_BUS_ADDRESS = service.address;
  }, 30_000);
  afterAll(async () => {
    if (previous === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = previous;
    await service?.stop();
  });
  return {
    current() {
      if (!service) throw new Error('The Secret Service starts in beforeAll.');
      return service;
    },
  };
}
