/**
 * No keychain: the session bus address points at a socket with nothing behind it. This file runs in
 * its own worker process, so libsecret's connection (made once per process) is this one's alone.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { SettingsService } from '../settings';
import { AuditStore } from '../store';
import {
  explainKeychainError,
  keychainProblem,
  keytarKeychain,
  refuseIndexEditsOutsideVault,
  VaultError,
  VaultService,
} from './index';

// Before anything loads keytar: libsecret reads the address when it first connects.
process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(tmpdir(), `no-bus-${randomBytes(6).toString('hex')}`)}`;

const ada = { actor: 'person' as const, actorId: 'ada' };
const opened: AuditStore[] = [];
afterEach(() => {
  while (opened.length) opened.pop()?.close();
});

describe('with no keychain reachable', () => {
  it('says what to install or start', async () => {
    const started = Date.now();
    const problem = await keychainProblem(keytarKeychain(), 'linux');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(problem).toMatch(/^No keychain is reachable: there is no D-Bus session bus/);
    expect(problem).toMatch(/Could not connect/);
    expect(problem).toMatch(/Run Paddock inside a desktop session/);
    expect(problem).toMatch(/dbus-run-session/);
    expect(problem).toMatch(/gnome-keyring-daemon --unlock/);
    expect(problem).toMatch(/never keeps secrets in a plain file/);
  });

  it('refuses every vault operation with that message, and writes nothing', async () => {
    const home = tempDir();
    const store = AuditStore.open({ home });
    opened.push(store);
    const settings = new SettingsService(store, { 'vault.secrets': refuseIndexEditsOutsideVault });
    const vault = new VaultService(store, settings, keytarKeychain());
    const before = snapshot(home);
    const problem = await vault.keychainProblem();
    expect(problem).toMatch(/No keychain is reachable/);

    const value = `sk-test-${randomBytes(24).toString('hex')}`;
    const operations: Array<[string, () => Promise<unknown>]> = [
      ['set', () => vault.set('UNREACHABLE', value, { hosts: ['api.example.com'] }, ada)],
      ['list', () => vault.list()],
      ['remove', () => vault.remove('UNREACHABLE', ada)],
      ['value', () => vault.value('UNREACHABLE')],
      ['seal', () => vault.seal(Buffer.from(value))],
      ['unseal', () => vault.unseal(Buffer.alloc(64))],
      ['sealer', () => vault.sealer()],
    ];
    for (const [name, run] of operations) {
      const error = await run().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(VaultError);
      expect((error as VaultError).kind, name).toBe('keychain');
      expect((error as VaultError).message, name).toBe(problem);
    }

    // With no secrets there is nothing to read: sessions on a machine without a keychain still start.
    expect(await vault.values()).toEqual(new Map());

    expect(store.list()).toEqual([]);
    expect(
      store.database.prepare("SELECT count(*) AS n FROM settings WHERE key LIKE 'vault%'").get(),
    ).toEqual({ n: 0 });
    expect(snapshot(home)).toEqual(before);
    store.close();
    opened.length = 0;
    for (const file of readdirSync(home, { recursive: true, encoding: 'utf8' })) {
      try {
        expect(readFileSync(join(home, file)).includes(Buffer.from(value)), file).toBe(false);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
      }
    }
  });
});

describe('explainKeychainError', () => {
  const cases: Array<[string, NodeJS.Platform, RegExp]> = [
    [
      'Cannot autolaunch D-Bus without X11 $DISPLAY',
      'linux',
      /no D-Bus session bus.*dbus-run-session/,
    ],
    [
      'The name org.freedesktop.secrets was not provided by any .service files',
      'linux',
      /nothing provides the Secret Service .*sudo apt-get install gnome-keyring.*KeePassXC/,
    ],
    [
      'Object does not exist at path “/org/freedesktop/secrets/collection/login”',
      'linux',
      /locked or has no default keyring.*gnome-keyring-daemon --unlock/,
    ],
    ['Cannot create an item in a locked collection', 'linux', /locked/],
    ['Something else entirely', 'linux', /Secret Service keychain refused \(Something else/],
    [
      'The user name or passphrase you entered is not correct.',
      'darwin',
      /macOS login keychain refused.*login keychain unlocked/,
    ],
    ['Element not found.', 'win32', /Windows Credential Manager/],
  ];
  it.each(cases)('%s (%s)', (message, platform, expected) => {
    const explained = explainKeychainError(new Error(message), platform);
    expect(explained).toMatch(/^No keychain is reachable: /);
    expect(explained).toMatch(expected);
    expect(explained).toMatch(/never keeps secrets in a plain file instead\.$/);
  });
});

/** Every file under `dir` with its size: what a refused operation must leave as it was. */
function snapshot(dir: string): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    try {
      sizes[file] = readFileSync(join(dir, file)).length;
    } catch {
      sizes[file] = -1; // a directory
    }
  }
  return sizes;
}
