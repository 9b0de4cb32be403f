/**
 * The SSH hosts service against a real OpenSSH server (test-support/sshd.ts) and a real Secret
 * Service (gnome-keyring on a private D-Bus session), with a real store and settings in a temp home.
 */
import keytar from 'keytar';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useSecretService } from '../../../test-support/secret-service';
import { startSshd, type TestSshd } from '../../../test-support/sshd';
import { rejectionOf } from '../../../test-support/rejection';
import { tempDir } from '../../../test-support/temp';
import { SettingsError, SettingsService } from '../settings';
import { AuditStore } from '../store';
import { keytarKeychain, refuseIndexEditsOutsideVault, VaultService } from '../vault';
import { refuseHostEditsOutsideSsh, SshError, SshService, type NewSshHost } from './index';

useSecretService();

const ada = { actor: 'person' as const, actorId: 'ada' };
const opened: { store: AuditStore; ssh: SshService }[] = [];
let sshd: TestSshd;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
afterEach(async () => {
  for (const { store, ssh } of opened.splice(0)) {
    await ssh.close();
    store.close();
  }
});

function openSsh(home = tempDir()) {
  const store = AuditStore.open({ home });
  const settings = new SettingsService(store, {
    'vault.secrets': refuseIndexEditsOutsideVault,
    'ssh.hosts': refuseHostEditsOutsideSsh,
  });
  const vault = new VaultService(store, settings, keytarKeychain());
  const ssh = new SshService({ store, settings, vault });
  opened.push({ store, ssh });
  return { home, store, settings, vault, ssh };
}

const local = (name: string, extra: Partial<NewSshHost> = {}): NewSshHost => ({
  name,
  address: '127.0.0.1',
  port: sshd.port,
  user: sshd.user,
  ...extra,
});

const limits = { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 };
const inKeychain = (secret: string) => keytar.getPassword('Paddock', `secret:${secret}`);

const refusal = (work: Promise<unknown>) => rejectionOf(work, SshError);

/** A host on the test server, added with its real host key as --fingerprint. */
const addExpected = (ssh: SshService, name: string) =>
  ssh.add(local(name, { fingerprint: sshd.hostKeyFingerprint }), sshd.clientPrivateKey, ada);

describe('first connect', () => {
  it('pins the key given with --fingerprint, then runs commands with their output and exit code', async () => {
    const { ssh, store } = openSsh();
    const added = await addExpected(ssh, 'staging');
    expect(added).toMatchObject({ name: 'staging', keySecret: 'SSH_KEY_STAGING', hostKey: null });
    expect(added.expectedHostKey).toBe(sshd.hostKeyFingerprint);

    const result = await ssh.exec('staging', 'echo out; echo err >&2; exit 3', limits);
    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false, truncated: false });
    expect(result.output.split('\n').sort()).toEqual(['', 'err', 'out']);
    expect(ssh.list()[0]).toMatchObject({ hostKey: sshd.hostKeyFingerprint });
    expect(ssh.list()[0]?.pinnedAt).toMatch(/^\d{4}-/);

    const kinds = store.list({ limit: 1000 }).map((event) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(['ssh.host.added', 'ssh.host.pinned']));
    const pinned = store.list({ limit: 1000 }).find((event) => event.kind === 'ssh.host.pinned');
    expect(pinned?.payload).toMatchObject({
      name: 'staging',
      hostKey: sshd.hostKeyFingerprint,
      how: 'expected',
    });
  });

  it('pins a key the person confirms, and refuses one nobody confirmed', async () => {
    const { ssh } = openSsh();
    await ssh.add(local('asked'), sshd.clientPrivateKey, ada);
    const asked: string[] = [];
    const no = await refusal(
      ssh.connect('asked', { confirm: async (fp) => (asked.push(fp), false), by: ada }),
    );
    expect(no.kind).toBe('unconfirmed');
    expect(asked).toEqual([sshd.hostKeyFingerprint]);
    expect((await refusal(ssh.exec('asked', 'true', limits))).kind).toBe('unconfirmed');
    expect(ssh.list()[0]?.hostKey).toBeNull();

    await ssh.connect('asked', { confirm: async () => true, by: ada });
    expect(ssh.list()[0]?.hostKey).toBe(sshd.hostKeyFingerprint);
    expect((await ssh.exec('asked', 'echo hi', limits)).output).toBe('hi\n');
  });

  it('test() returns the key unpinned, then pins exactly the one confirmed', async () => {
    const { ssh } = openSsh();
    await ssh.add(local('probe'), sshd.clientPrivateKey, ada);
    expect(await ssh.test('probe', undefined, ada)).toEqual({
      state: 'unconfirmed',
      fingerprint: sshd.hostKeyFingerprint,
    });
    const other = 'SHA256:' + 'A'.repeat(43);
    expect((await refusal(ssh.test('probe', other, ada))).kind).toBe('unconfirmed');
    const ok = await ssh.test('probe', sshd.hostKeyFingerprint, ada);
    expect(ok).toMatchObject({
      state: 'ok',
      pinned: true,
      exitCode: 0,
      fingerprint: sshd.hostKeyFingerprint,
    });
    expect(await ssh.test('probe', undefined, ada)).toMatchObject({ state: 'ok', pinned: false });
  });

  it('refuses a host whose key is not the --fingerprint given, and pins nothing', async () => {
    const { ssh, store } = openSsh();
    const wrong = 'SHA256:' + 'B'.repeat(43);
    await ssh.add(local('wrong', { fingerprint: wrong }), sshd.clientPrivateKey, ada);
    const error = await refusal(ssh.exec('wrong', 'touch /tmp/never', limits));
    expect(error.kind).toBe('host-key');
    expect(error.message).toContain(wrong);
    expect(error.message).toContain(sshd.hostKeyFingerprint);
    expect(error.message).toContain('paddock ssh rm wrong');
    expect(ssh.list()[0]?.hostKey).toBeNull();
    expect(store.list({ limit: 1000 }).some((e) => e.kind === 'ssh.host.refused')).toBe(true);
  });
});

describe('commands', () => {
  it('caps the output, says so, and still reads the command to its end', async () => {
    const { ssh } = openSsh();
    await addExpected(ssh, 'cap');
    const chunks: Buffer[] = [];
    const result = await ssh.exec('cap', 'head -c 100000 /dev/zero | tr "\\0" x; echo; exit 7', {
      timeoutMs: 10_000,
      maxOutputBytes: 1000,
      onData: (chunk) => chunks.push(chunk),
    });
    expect(result.output).toBe('x'.repeat(1000));
    expect(result.truncated).toBe(true);
    expect(result.exitCode).toBe(7);
    expect(Buffer.concat(chunks).length).toBe(100_001);
  });

  it('ends a command that runs past its timeout, on the host too', async () => {
    const { ssh } = openSsh();
    await addExpected(ssh, 'slow');
    await ssh.connect('slow');
    const result = await ssh.exec('slow', 'echo started; exec sleep 313.37', {
      timeoutMs: 1000,
      maxOutputBytes: 1000,
    });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, output: 'started\n' });
    expect(result.durationMs).toBeLessThan(5000);
    await expect.poll(() => running('sleep 313.37'), { timeout: 5000 }).toBe(false);
    // The connection is still good for the next command.
    expect((await ssh.exec('slow', 'echo after', limits)).output).toBe('after\n');
  });

  it('ends a command on the host when its AbortSignal aborts, and starts none once aborted', async () => {
    const { ssh } = openSsh();
    await addExpected(ssh, 'aborted');
    await ssh.connect('aborted');
    const controller = new AbortController();
    const done = ssh.exec('aborted', 'echo started; exec sleep 313.38', {
      ...limits,
      signal: controller.signal,
    });
    await expect.poll(() => running('sleep 313.38'), { timeout: 5000 }).toBe(true);
    controller.abort();
    expect(await done).toMatchObject({ aborted: true, timedOut: false, exitCode: null });
    await expect.poll(() => running('sleep 313.38'), { timeout: 5000 }).toBe(false);
    const never = ssh.exec('aborted', 'touch /never', { ...limits, signal: controller.signal });
    await expect(never).rejects.toThrow(/abort/i);
  });

  it('reuses one connection across commands, and closes it on close()', async () => {
    const { ssh } = openSsh();
    await addExpected(ssh, 'pool');
    // sshd sets SSH_CLIENT to "address port port": the client's port names the connection.
    const connection = async () => (await ssh.exec('pool', 'echo $SSH_CLIENT', limits)).output;
    const first = await connection();
    expect(first).toMatch(/^127\.0\.0\.1 \d+ \d+\n$/);
    expect(await connection()).toBe(first);
    await ssh.close();
    expect(await connection()).not.toBe(first);
  });

  it('connects again when the host dropped the pooled connection', async () => {
    const { ssh } = openSsh();
    await addExpected(ssh, 'dropped');
    const first = await ssh.exec('dropped', 'echo $SSH_CLIENT; echo $PPID', limits);
    const [connection, server] = first.output.trim().split('\n');
    // The sshd process that serves this one connection (the shell's parent).
    process.kill(Number(server), 'SIGTERM');
    const again = await ssh.exec('dropped', 'echo $SSH_CLIENT', limits);
    expect(again.exitCode).toBe(0);
    expect(again.output.trim()).not.toBe(connection);
  });

  it('opens an interactive terminal on the host', async () => {
    const { ssh } = openSsh();
    await addExpected(ssh, 'term');
    const stream = await ssh.shell('term', { cols: 100, rows: 30 });
    let seen = '';
    stream.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    stream.write('stty size; tty; echo mark-$((6*7))\n');
    await expect.poll(() => seen, { timeout: 5000 }).toContain('mark-42');
    expect(seen).toContain('30 100');
    expect(seen).toMatch(/\/dev\/pts\/\d+/);
    const closed = new Promise((resolve) => stream.once('close', resolve));
    stream.end('exit\n');
    await closed;
  });
});

describe('host keys', () => {
  it('refuses a host whose key changed after it was pinned', async () => {
    const { ssh, store } = openSsh();
    await addExpected(ssh, 'moved');
    expect((await ssh.exec('moved', 'true', limits)).exitCode).toBe(0);
    const pinned = sshd.hostKeyFingerprint;
    await ssh.close();
    await sshd.restartWithNewHostKey();
    const error = await refusal(ssh.exec('moved', 'touch /tmp/never', limits));
    expect(error.kind).toBe('host-key');
    expect(error.message).toMatch(/host key changed/);
    expect(error.message).toContain('paddock ssh rm moved');
    expect(error.offered).toBe(sshd.hostKeyFingerprint);
    expect(ssh.list()[0]?.hostKey).toBe(pinned);
    const refused = store.list({ limit: 1000 }).find((e) => e.kind === 'ssh.host.refused');
    expect(refused?.payload).toMatchObject({
      why: 'changed',
      pinned,
      offered: sshd.hostKeyFingerprint,
    });
    // Not even a confirmation replaces a pinned key.
    expect((await refusal(ssh.connect('moved', { confirm: async () => true }))).kind).toBe(
      'host-key',
    );
  });

  it('cannot be pinned, or changed, by writing the setting', () => {
    const { settings } = openSsh();
    expect(() => settings.set('ssh.hosts', {}, ada)).toThrow(SettingsError);
    expect(() => settings.set('ssh.hosts', {}, ada)).toThrow(/paddock ssh add/);
  });
});

describe('the private key', () => {
  it('is in the keychain only: never in the store, its events or its blobs', async () => {
    const { ssh, home, store } = openSsh();
    await addExpected(ssh, 'secret');
    await ssh.exec('secret', 'echo done', limits);
    expect(await inKeychain('SSH_KEY_SECRET')).toBe(
      Buffer.from(sshd.clientPrivateKey).toString('base64'),
    );
    store.close();
    opened.splice(
      opened.findIndex((o) => o.store === store),
      1,
    );
    await ssh.close();
    const body = sshd.clientPrivateKey
      .split('\n')
      .filter((line) => line.length > 40 && !line.startsWith('-'));
    const forms = [
      sshd.clientPrivateKey,
      Buffer.from(sshd.clientPrivateKey).toString('base64'),
      ...body,
    ];
    expect(body.length).toBeGreaterThan(0);
    const files = filesUnder(home);
    expect(files.some((file) => file.endsWith('.db'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const form of forms) expect(bytes.includes(Buffer.from(form)), file).toBe(false);
    }
  });

  it('goes with the host: removing it deletes the secret and the record', async () => {
    const { ssh, vault } = openSsh();
    await addExpected(ssh, 'gone');
    await ssh.exec('gone', 'true', limits);
    expect(await inKeychain('SSH_KEY_GONE')).not.toBeNull();
    const removed = await ssh.remove('gone', ada);
    expect(removed.name).toBe('gone');
    expect(await inKeychain('SSH_KEY_GONE')).toBeNull();
    expect((await vault.list()).map((s) => s.name)).not.toContain('SSH_KEY_GONE');
    expect(ssh.list()).toEqual([]);
    expect((await refusal(ssh.exec('gone', 'true', limits))).kind).toBe('not-found');
  });

  it('is checked before anything is stored, and never repeated in an error', async () => {
    const { ssh, vault } = openSsh();
    const encrypted = keyFile(['-N', 'a passphrase']);
    const cases: [string, RegExp][] = [
      ['', /No private key/],
      ['not a key at all', /not a private key Paddock can read/],
      [readFileSync(`${encrypted}.pub`, 'utf8'), /not one private key/],
      [readFileSync(encrypted, 'utf8'), /encrypted with a passphrase/],
    ];
    for (const [text, message] of cases) {
      const error = await refusal(ssh.add(local('bad'), text, ada));
      expect(error.kind).toBe('invalid');
      expect(error.message).toMatch(message);
      if (text.length > 20) expect(error.message).not.toContain(text.slice(20, 60));
    }
    expect(ssh.list()).toEqual([]);
    expect(await vault.list()).toEqual([]);
  });
});

describe('host records', () => {
  it('refuses bad names, addresses, ports, users and fingerprints with what is expected', async () => {
    const { ssh } = openSsh();
    const key = sshd.clientPrivateKey;
    const bad: [Partial<NewSshHost>, RegExp][] = [
      [{ name: 'Staging' }, /not a host name/],
      [{ name: 'a'.repeat(33) }, /not a host name/],
      [{ name: '-x' }, /not a host name/],
      [{ address: 'root@host' }, /not a host address/],
      [{ address: '-oProxyCommand=x' }, /not a host address/],
      [{ port: 0 }, /not a port/],
      [{ port: 70000 }, /not a port/],
      [{ user: '-l root' }, /not a login name/],
      [{ fingerprint: 'MD5:aa:bb' }, /not a host key fingerprint/],
    ];
    for (const [change, message] of bad)
      expect((await refusal(ssh.add(local('ok', change), key, ada))).message).toMatch(message);
    const v6 = await ssh.add(local('v6', { address: '[::1]', port: undefined }), key, ada);
    expect(v6).toMatchObject({ address: '::1', port: 22 });
    expect((await refusal(ssh.add(local('v6'), key, ada))).kind).toBe('exists');
    await ssh.remove('v6', ada);
  });

  it('refuses two names that would share a vault secret', async () => {
    const { ssh } = openSsh();
    await ssh.add(local('build-1'), sshd.clientPrivateKey, ada);
    const error = await refusal(ssh.add(local('build_1'), sshd.clientPrivateKey, ada));
    expect(error.kind).toBe('exists');
    expect(error.message).toContain('SSH_KEY_BUILD_1');
    await ssh.remove('build-1', ada);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile());
}

function running(pattern: string): boolean {
  try {
    execFileSync('pgrep', ['-f', pattern]);
    return true;
  } catch {
    return false;
  }
}

function keyFile(args: string[]): string {
  const file = join(tempDir(), 'key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', ...args, '-f', file]);
  return file;
}
