/**
 * A Secret Service that is there but cannot keep anything: gnome-keyring started without its
 * password owns org.freedesktop.secrets on a private bus, with no login keyring unlocked and no
 * prompter to ask for one. The name alone would pass; the round trip does not. Its own file: its
 * own worker process, so libsecret's connection (made once per process) is this one's alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useSecretService } from '../../../test-support/secret-service';
import { runDoctor } from './index';

const bus = useSecretService({ keyring: false });
let daemon: ChildProcess | null = null;

beforeAll(() => {
  const { address, home } = bus.current();
  const runtime = join(home, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  daemon = spawn('gnome-keyring-daemon', ['--foreground', '--components=secrets'], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_RUNTIME_DIR: runtime,
      DBUS_SESSION_BUS_ADDRESS: address,
    },
    stdio: 'ignore',
  });
});
afterAll(() => {
  daemon?.kill();
});

/** The doctor's keychain check, as Linux runs it. */
const secretServiceCheck = async () =>
  (await runDoctor({ platform: 'linux' })).checks.find((c) => c.id === 'secret-service');

describe('the Secret Service check with a keychain that is locked', () => {
  it('fails with the vault’s own explanation although the name is on the bus', async () => {
    // Until the daemon owns the name, the check says nothing provides it (keytar is not asked).
    const check = await vi.waitFor(
      async () => {
        const current = await secretServiceCheck();
        expect(current?.detail).not.toMatch(/nothing provides/);
        return current;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(check).toMatchObject({ status: 'missing', required: true });
    expect(check?.detail).toMatch(
      /^No keychain is reachable: the Secret Service keychain is locked or has no default keyring \(.+\)\. Unlock it/,
    );
    expect(check?.detail).toMatch(/never keeps secrets in a plain file instead\.$/);
    expect(check?.fix).toMatch(/^Install and unlock a Secret Service/);
  });
});
