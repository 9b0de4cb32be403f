/**
 * `paddock ssh` as a person runs it: the real CLI in child processes, a real OpenSSH server
 * (test-support/sshd.ts) and a real Secret Service (gnome-keyring on a private D-Bus session
 * started by this file; the CLI's child processes inherit its address).
 */
import keytar from 'keytar';
import { spawn as spawnPty } from 'node-pty';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock } from '../test-support/cli';
import { useSecretService } from '../test-support/secret-service';
import { startSshd, type TestSshd } from '../test-support/sshd';
import { filesContaining } from '../test-support/files';
import { tempDir } from '../test-support/temp';
import type { SshHost } from '../shared/ssh';

useSecretService();

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'index.ts');
let sshd: TestSshd;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const inKeychain = (secret: string) => keytar.getPassword('Paddock', `secret:${secret}`);

function add(home: string, name: string, extra: string[] = []) {
  const args = ['ssh', 'add', name, '--address', '127.0.0.1', '--port', String(sshd.port)];
  return paddock(home, [...args, '--user', sshd.user, ...extra], {}, sshd.clientPrivateKey);
}

function hosts(home: string): SshHost[] {
  return JSON.parse(paddock(home, ['ssh', 'list', '--json']).stdout) as SshHost[];
}

describe('paddock ssh', () => {
  it('adds a host with its key from stdin, pins the expected host key, lists and removes it', () => {
    const home = tempDir();
    const added = add(home, 'staging', ['--fingerprint', sshd.hostKeyFingerprint]);
    expect(added.stderr).toContain(`The first connect pins ${sshd.hostKeyFingerprint}`);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^Added staging \(.+@127\.0\.0\.1:\d+\); its private key is in the keychain \(SSH_KEY_STAGING\)\.$/m,
    );

    const tested = paddock(home, ['ssh', 'test', 'staging']);
    expect(tested.stderr).toBe('');
    expect(tested.code).toBe(0);
    expect(tested.stdout).toContain(
      `host key ${sshd.hostKeyFingerprint} (pinned now); \`true\` exited 0`,
    );
    expect(paddock(home, ['ssh', 'test', 'staging']).stdout).toContain('(pinned);');

    const [listed] = hosts(home);
    expect(listed).toMatchObject({
      name: 'staging',
      hostKey: sshd.hostKeyFingerprint,
      keySecret: 'SSH_KEY_STAGING',
    });
    const table = paddock(home, ['ssh', 'list']).stdout;
    expect(table).toMatch(/^NAME\s+ADDRESS\s+HOST KEY\s+ADDED$/m);
    expect(table).toContain(sshd.hostKeyFingerprint);

    const body = sshd.clientPrivateKey.split('\n').find((line) => line.length > 40) ?? '';
    expect(body).not.toBe('');
    expect(filesContaining(home, body)).toEqual([]);

    const removed = paddock(home, ['ssh', 'rm', 'staging']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(
      'Removed staging; its private key is deleted from the keychain.',
    );
    expect(hosts(home)).toEqual([]);
  }, 90_000);

  it('without a terminal, shows the key and pins it only with --yes-pin-fingerprint', async () => {
    const home = tempDir();
    expect(add(home, 'unpinned').code).toBe(0);
    expect(await inKeychain('SSH_KEY_UNPINNED')).not.toBeNull();

    const asked = paddock(home, ['ssh', 'test', 'unpinned']);
    expect(asked.code).toBe(1);
    expect(asked.stderr).toContain(`unpinned offered the host key ${sshd.hostKeyFingerprint}`);
    expect(asked.stderr).toContain(`--yes-pin-fingerprint ${sshd.hostKeyFingerprint}`);
    expect(hosts(home)[0]?.hostKey).toBeNull();

    const pinWith = (fingerprint: string) =>
      paddock(home, ['ssh', 'test', 'unpinned', '--yes-pin-fingerprint', fingerprint]);
    const wrong = pinWith(`SHA256:${'C'.repeat(43)}`);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(sshd.hostKeyFingerprint);
    expect(hosts(home)[0]?.hostKey).toBeNull();

    const pinned = pinWith(sshd.hostKeyFingerprint);
    expect(pinned.code).toBe(0);
    expect(hosts(home)[0]?.hostKey).toBe(sshd.hostKeyFingerprint);

    expect(paddock(home, ['ssh', 'rm', 'unpinned']).code).toBe(0);
    expect(await inKeychain('SSH_KEY_UNPINNED')).toBeNull();
  }, 90_000);

  it('asks at a terminal before pinning the host key', async () => {
    const home = tempDir();
    expect(add(home, 'asked').code).toBe(0);
    const pty = spawnPty(process.execPath, ['--import', 'tsx', CLI, 'ssh', 'test', 'asked'], {
      cwd: ROOT,
      env: { ...process.env, PADDOCK_HOME: home } as Record<string, string>,
      cols: 200,
      rows: 30,
    });
    let screen = '';
    let answered = false;
    const exit = new Promise<number>((resolve) => {
      pty.onData((data) => {
        screen += data;
        if (!answered && screen.includes('Pin this host key? [y/N] ')) {
          answered = true;
          pty.write('y\r');
        }
      });
      pty.onExit(({ exitCode }) => resolve(exitCode));
    });
    expect(await exit, screen).toBe(0);
    expect(screen).toContain(`asked offered the host key ${sshd.hostKeyFingerprint}`);
    expect(screen).toContain('(pinned now)');
    expect(hosts(home)[0]?.hostKey).toBe(sshd.hostKeyFingerprint);
  }, 60_000);

  it('refuses a bad key, a bad address and a direct settings write, storing nothing', async () => {
    const home = tempDir();
    const args = ['ssh', 'add', 'bad', '--address', '127.0.0.1', '--user', sshd.user];
    const notKey = paddock(home, args, {}, 'hello, not a key\n');
    expect(notKey.code).toBe(2);
    expect(notKey.stderr).toContain('not a private key Paddock can read');
    const badAddress = paddock(
      home,
      [...args.slice(0, 4), 'root@host', '--user', 'x'],
      {},
      sshd.clientPrivateKey,
    );
    expect(badAddress.code).toBe(2);
    expect(badAddress.stderr).toContain('is not a host address');
    expect(await inKeychain('SSH_KEY_BAD')).toBeNull();
    const direct = paddock(home, ['settings', 'set', 'ssh.hosts', '{}']);
    expect(direct.code).toBe(2);
    expect(direct.stderr).toContain('SSH hosts change only with `paddock ssh add`');
  }, 60_000);
});
