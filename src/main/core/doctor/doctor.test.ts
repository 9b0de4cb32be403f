/**
 * The doctor's keychain check against a real Secret Service: gnome-keyring on a private D-Bus
 * session started by this file (test-support/secret-service.ts), asked for a real round trip.
 */
import keytar from 'keytar';
import { describe, expect, it } from 'vitest';
import { startSecretService, useSecretService } from '../../../test-support/secret-service';
import { runDoctor, type DoctorOptions } from './index';

useSecretService();

/** The doctor's keychain check, as Linux runs it. */
const secretServiceCheck = async (options: DoctorOptions = {}) =>
  (await runDoctor({ platform: 'linux', ...options })).checks.find(
    (c) => c.id === 'secret-service',
  );

describe('the Secret Service check', () => {
  it('stores, reads back and deletes a test item in the keychain, and leaves nothing behind', async () => {
    const check = await secretServiceCheck();
    expect(check).toMatchObject({ status: 'ok', required: true });
    expect(check?.detail).toBe(
      'org.freedesktop.secrets is running; a test item was stored, read back and deleted',
    );
    expect(check?.fix).toBeUndefined();
    expect(await keytar.findCredentials('Paddock')).toEqual([]);
  });

  it('does not vouch for a session bus other than the one the keychain module talks to', async () => {
    const other = await startSecretService();
    try {
      const check = await secretServiceCheck({
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: other.address },
      });
      expect(check).toMatchObject({ status: 'warn', required: true });
      expect(check?.detail).toMatch(/^org\.freedesktop\.secrets is running; not asked to store/);
      expect(check?.fix).toMatch(/gnome-keyring/);
    } finally {
      await other.stop();
    }
  });
});
