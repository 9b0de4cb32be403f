/**
 * The vault against a real Secret Service: gnome-keyring on a private D-Bus session started by this
 * file (see test-support/secret-service.ts), values read back from it through keytar directly.
 */
import keytar from 'keytar';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useSecretService } from '../../../test-support/secret-service';
import { tempDir } from '../../../test-support/temp';
import { SettingsService } from '../settings';
import { AuditStore } from '../store';
import {
  keychainProblem,
  keytarKeychain,
  refuseIndexEditsOutsideVault,
  VaultError,
  VaultService,
  type Keychain,
} from './index';

useSecretService();

const ada = { actor: 'person' as const, actorId: 'ada' };
const opened: AuditStore[] = [];

function openVault(home = tempDir(), options: { readonly?: boolean } = {}) {
  const store = AuditStore.open({ home, readonly: options.readonly });
  opened.push(store);
  const settings = new SettingsService(store, { 'vault.secrets': refuseIndexEditsOutsideVault });
  const vault = new VaultService(store, settings, keytarKeychain());
  return { home, store, settings, vault };
}

afterEach(() => {
  while (opened.length) opened.pop()?.close();
});

/** A value nobody could mistake for anything else, and the forms it could leak in. */
function secretValue(): string {
  return `sk-test-${randomBytes(24).toString('hex')}`;
}
function leakForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [
    value,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    createHash('sha256').update(bytes).digest('hex'),
    createHash('sha256').update(bytes).digest('base64'),
  ];
}

/** Every file under `dir` whose raw bytes contain any of `needles`. */
function filesContaining(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry));
      return;
    }
    const bytes = readFileSync(path);
    for (const needle of needles) if (bytes.includes(Buffer.from(needle))) found.push(path);
  };
  walk(dir);
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile());
}

const inKeychain = (name: string) => keytar.getPassword('Paddock', `secret:${name}`);

async function refusal(work: Promise<unknown>): Promise<VaultError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('the keychain', () => {
  it('answers the probe on the private Secret Service', async () => {
    expect(await keychainProblem(keytarKeychain())).toBeNull();
  });
});

describe('VaultService', () => {
  it('sets, lists, rotates and removes a secret; the value lives in the keychain only', async () => {
    const { vault, store } = openVault();
    const first = secretValue();
    const set = await vault.set(
      'RT_TOKEN',
      first,
      { hosts: ['API.Example.com', '*.example.org:8443', 'api.example.com'] },
      ada,
    );
    expect(set).toEqual({
      rotated: false,
      secret: {
        name: 'RT_TOKEN',
        hosts: ['api.example.com', '*.example.org:8443'],
        header: 'Authorization: Bearer {}',
        setAt: expect.any(String),
        rotatedAt: null,
      },
    });
    expect(await inKeychain('RT_TOKEN')).toBe(first);
    expect(await vault.list()).toEqual([set.secret]);
    expect(await vault.value('RT_TOKEN')).toBe(first);

    // Setting it again is a rotation: a new value, hosts and header kept unless given.
    const second = secretValue();
    const rotated = await vault.set('RT_TOKEN', second, { header: 'x-api-key:{}' }, ada);
    expect(rotated).toEqual({
      rotated: true,
      secret: {
        name: 'RT_TOKEN',
        hosts: ['api.example.com', '*.example.org:8443'],
        header: 'x-api-key: {}',
        setAt: set.secret.setAt,
        rotatedAt: expect.any(String),
      },
    });
    expect(await inKeychain('RT_TOKEN')).toBe(second);
    expect(await vault.value('RT_TOKEN')).toBe(second);

    await vault.set('RT_OTHER', first, { hosts: [] }, ada);
    expect((await vault.list()).map((s) => s.name)).toEqual(['RT_OTHER', 'RT_TOKEN']);
    expect(await vault.values()).toEqual(
      new Map([
        ['RT_OTHER', first],
        ['RT_TOKEN', second],
      ]),
    );

    expect(await vault.remove('RT_TOKEN', ada)).toMatchObject({ name: 'RT_TOKEN' });
    expect(await inKeychain('RT_TOKEN')).toBeNull();
    expect((await vault.list()).map((s) => s.name)).toEqual(['RT_OTHER']);
    await vault.remove('RT_OTHER', ada);
    expect(await vault.list()).toEqual([]);

    const events = store.list().filter((e) => e.kind.startsWith('vault.'));
    expect(events.map((e) => [e.kind, e.actor, e.actorId, e.payload])).toEqual([
      [
        'vault.secret.set',
        'person',
        'ada',
        {
          name: 'RT_TOKEN',
          hosts: ['api.example.com', '*.example.org:8443'],
          header: 'Authorization: Bearer {}',
        },
      ],
      [
        'vault.secret.rotated',
        'person',
        'ada',
        {
          name: 'RT_TOKEN',
          hosts: ['api.example.com', '*.example.org:8443'],
          header: 'x-api-key: {}',
        },
      ],
      [
        'vault.secret.set',
        'person',
        'ada',
        { name: 'RT_OTHER', hosts: [], header: 'Authorization: Bearer {}' },
      ],
      [
        'vault.secret.removed',
        'person',
        'ada',
        {
          name: 'RT_TOKEN',
          hosts: ['api.example.com', '*.example.org:8443'],
          header: 'x-api-key: {}',
        },
      ],
      [
        'vault.secret.removed',
        'person',
        'ada',
        { name: 'RT_OTHER', hosts: [], header: 'Authorization: Bearer {}' },
      ],
    ]);
    expect(store.verify().ok).toBe(true);
  });

  it('never writes a value, or anything derived from it, to the store or the audit trail', async () => {
    const { vault, store, home } = openVault();
    const values = [secretValue(), secretValue(), secretValue()];
    await vault.set('LEAK_A', values[0] as string, { hosts: ['api.example.com'] }, ada);
    await vault.set('LEAK_B', values[1] as string, {}, ada);
    await vault.set('LEAK_A', values[2] as string, {}, ada);
    await vault.seal(Buffer.from('something sensitive'));
    await vault.remove('LEAK_B', ada);
    const forms = values.flatMap(leakForms);

    // Every event and payload, as the audit trail serves them...
    const trail = JSON.stringify(store.list({ limit: 10_000 }));
    for (const form of forms) expect(trail).not.toContain(form);
    expect(store.list().map((e) => e.kind)).toEqual(
      expect.arrayContaining(['vault.secret.set', 'vault.secret.rotated', 'vault.secret.removed']),
    );
    // ...and every byte Paddock wrote under its home: the database, its WAL, blobs, checkpoints.
    expect(filesUnder(home).length).toBeGreaterThan(0);
    expect(filesContaining(home, forms)).toEqual([]);
    store.close();
    opened.length = 0;
    expect(filesContaining(home, forms)).toEqual([]);
  });

  it('refuses bad names, values, hosts and headers with what was expected, and stores nothing', async () => {
    const { vault, store, settings } = openVault();
    const value = secretValue();
    const badNames: Array<[string, RegExp]> = [
      ['', /it is empty/],
      ['lower_case', /does not start with an upper-case letter/],
      ['Mixed_Case', /has lower-case letters/],
      ['1ST', /does not start with an upper-case letter/],
      ['WITH-DASH', /characters other than A-Z, 0-9 and _/],
      ['A'.repeat(65), /65 characters long/],
      [value, /does not start with an upper-case letter/],
    ];
    for (const [name, why] of badNames) {
      const error = await refusal(vault.set(name, value, {}, ada));
      expect(error.kind).toBe('invalid');
      expect(error.message).toMatch(why);
      expect(error.message).toMatch(/like OPENAI_API_KEY/);
      expect(error.message).not.toContain(value);
    }

    const badValues: Array<[string, RegExp]> = [
      ['', /is empty/],
      ['x'.repeat(16 * 1024 + 1), /16385 bytes; .* at most 16384 bytes/],
      ['é'.repeat(8 * 1024 + 1), /16386 bytes/],
      [`${value}\n`, /NUL, carriage return or newline/],
      [`${value}\r`, /NUL, carriage return or newline/],
      [`a\0${value}`, /NUL, carriage return or newline/],
      [`${value}\uD800`, /not valid Unicode/],
    ];
    for (const [bad, why] of badValues) {
      const error = await refusal(vault.set('BAD_VALUE', bad, {}, ada));
      expect(error.message).toMatch(why);
      expect(error.message).not.toContain(value);
    }
    // Exactly 16 KiB is fine.
    await vault.set('BIG_VALUE', 'k'.repeat(16 * 1024), {}, ada);
    expect(await inKeychain('BIG_VALUE')).toHaveLength(16 * 1024);
    await vault.remove('BIG_VALUE', ada);

    const badHosts: Array<[string, RegExp]> = [
      ['https://api.example.com', /is not a host like api.example.com/],
      ['api.example.com/v1', /names a method or a path/],
      ['POST api.example.com', /names a method or a path/],
      ['api.example.com:99999', /a port is a number from 1 to 65535/],
      ['api.example.com:http', /a port is a number/],
      ['exa mple.com', /is not a host/],
      ['*', /is not a host/],
      ['', /A host is a name like/],
      ['user@example.com', /is not a host/],
    ];
    for (const [host, why] of badHosts) {
      const error = await refusal(vault.set('BAD_HOST', value, { hosts: [host] }, ada));
      expect(error.kind).toBe('invalid');
      expect(error.message).toMatch(why);
    }
    const tooMany = Array.from({ length: 33 }, (_, i) => `h${i}.example.com`);
    expect((await refusal(vault.set('BAD_HOST', value, { hosts: tooMany }, ada))).message).toMatch(
      /at most 32 hosts/,
    );

    const badHeaders: Array<[string, RegExp]> = [
      ['Authorization Bearer {}', /starts with a header name .* and a colon/],
      ['Bad Name: {}', /starts with a header name/],
      [': {}', /starts with a header name/],
      ['Authorization: Bearer', /has no \{\}; it needs exactly one/],
      ['X-Key: {}{}', /has 2 \{\}/],
      ['Host: {}', /cannot go in the Host header/],
      ['content-length: {}', /cannot go in the content-length header/],
      ['X-Key: {}\r\nX-Evil: 1', /control or non-ASCII character/],
      ['X-Key: ключ {}', /control or non-ASCII character/],
      [`Authorization: Bearer ${value}`, /has no \{\}/],
    ];
    for (const [header, why] of badHeaders) {
      const error = await refusal(vault.set('BAD_HEADER', value, { header }, ada));
      expect(error.kind).toBe('invalid');
      expect(error.message).toMatch(why);
      expect(error.message).not.toContain(value);
    }

    for (const name of ['BAD_VALUE', 'BAD_HOST', 'BAD_HEADER'])
      expect(await inKeychain(name)).toBeNull();
    expect(await vault.list()).toEqual([]);
    expect(store.list().filter((e) => e.kind.startsWith('vault.'))).toHaveLength(2); // BIG_VALUE
    expect(settings.get('vault.secrets')).toEqual({});
  });

  it('accepts host specs as Network rules write them, in canonical form', async () => {
    const { vault } = openVault();
    const { secret } = await vault.set(
      'HOSTS_OK',
      secretValue(),
      {
        hosts: [' api.example.com ', '*.Example.ORG', 'localhost:8443', '[::1]:8080', '127.0.0.1'],
        header: 'X-Api-Key:   {}   ',
      },
      ada,
    );
    expect(secret.hosts).toEqual([
      'api.example.com',
      '*.example.org',
      'localhost:8443',
      '[::1]:8080',
      '127.0.0.1',
    ]);
    expect(secret.header).toBe('X-Api-Key: {}');
    await vault.remove('HOSTS_OK', ada);
  });

  it('says plainly when a secret is not there, or its value was deleted outside Paddock', async () => {
    const { vault } = openVault();
    expect((await refusal(vault.remove('NEVER_SET', ada))).message).toMatch(
      /There is no secret named NEVER_SET in the vault \(paddock secrets list shows them\)/,
    );
    expect((await refusal(vault.value('NEVER_SET'))).kind).toBe('not-found');
    await vault.set('GONE_OUTSIDE', secretValue(), {}, ada);
    await keytar.deletePassword('Paddock', 'secret:GONE_OUTSIDE');
    const error = await refusal(vault.value('GONE_OUTSIDE'));
    expect(error.message).toMatch(
      /GONE_OUTSIDE is in the vault's index, but its value is gone from the keychain.*paddock secrets set GONE_OUTSIDE/,
    );
    expect(await vault.values()).toEqual(new Map());
    // Removing it still works (the keychain has nothing to delete).
    await vault.remove('GONE_OUTSIDE', ada);
    expect(await vault.list()).toEqual([]);
  });

  it('reuses a value it read, and sees a rotation or removal by another process at once', async () => {
    const { store, settings, vault } = openVault();
    const first = secretValue();
    await vault.set('REUSED', first, {}, ada);
    expect(await vault.value('REUSED')).toBe(first);
    // Changed behind the index's back, the keychain is not asked again while the entry stands.
    await keytar.setPassword('Paddock', 'secret:REUSED', secretValue());
    expect(await vault.value('REUSED')).toBe(first);
    // Another vault (as in another Paddock process: the CLI) rotates it: the index stamp changes.
    const other = new VaultService(store, settings, keytarKeychain());
    const second = secretValue();
    await new Promise((resolve) => setTimeout(resolve, 2));
    await other.set('REUSED', second, {}, ada);
    expect(await vault.value('REUSED')).toBe(second);
    await other.remove('REUSED', ada);
    expect((await refusal(vault.value('REUSED'))).kind).toBe('not-found');
  });

  it('refuses a direct edit of its index through the settings', async () => {
    const { settings } = openVault();
    expect(() =>
      settings.set(
        'vault.secrets',
        {
          STOLEN: {
            hosts: ['evil.example'],
            header: 'Authorization: Bearer {}',
            setAt: 'now',
            rotatedAt: null,
          },
        },
        ada,
      ),
    ).toThrow(/vault.secrets: the vault’s index changes only with `paddock secrets set`/);
  });

  it('refuses to change anything on a read-only store, and leaves the keychain alone', async () => {
    const home = tempDir();
    openVault(home).store.close();
    opened.length = 0;
    const { vault } = openVault(home, { readonly: true });
    const error = await refusal(vault.set('READ_ONLY', secretValue(), {}, ada));
    expect(error.kind).toBe('store');
    expect(error.message).toMatch(/read-only/);
    expect(await inKeychain('READ_ONLY')).toBeNull();
    expect(await vault.list()).toEqual([]);
  });

  it('puts the keychain back as it was when the index cannot be written', async () => {
    const { vault, store, settings } = openVault();
    const original = secretValue();
    await vault.set('PUT_BACK', original, {}, ada);
    const failing = Object.create(settings) as SettingsService;
    failing.set = () => {
      throw new Error('disk full (simulated)');
    };
    const broken = new VaultService(store, failing, keytarKeychain());
    await expect(broken.set('PUT_BACK', secretValue(), {}, ada)).rejects.toThrow(/disk full/);
    expect(await inKeychain('PUT_BACK')).toBe(original);
    await expect(broken.set('PUT_NEW', secretValue(), {}, ada)).rejects.toThrow(/disk full/);
    expect(await inKeychain('PUT_NEW')).toBeNull();
    expect(store.list().filter((e) => e.kind.startsWith('vault.'))).toHaveLength(1);
    await vault.remove('PUT_BACK', ada);
  });

  it('explains a keychain that fails, or that gives back something else', async () => {
    const { store, settings } = openVault();
    const failing: Keychain = {
      get: async () => {
        throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
      },
      set: async () => undefined,
      delete: async () => true,
    };
    const error = await refusal(new VaultService(store, settings, failing).list());
    expect(error.kind).toBe('keychain');
    expect(error.message).toMatch(/no D-Bus session bus/);
    const liar: Keychain = {
      get: async () => 'something',
      set: async () => undefined,
      delete: async () => true,
    };
    expect(await new VaultService(store, settings, liar).keychainProblem()).toMatch(
      /gave something else back/,
    );
  });
});

describe('sealing', () => {
  it('round-trips data under a key it keeps in the keychain', async () => {
    const { vault } = openVault();
    const data = randomBytes(256 * 1024);
    const sealed = await vault.seal(data);
    expect(sealed[0]).toBe(1);
    expect(sealed.length).toBe(data.length + 1 + 12 + 16);
    expect(sealed.includes(data.subarray(0, 64))).toBe(false);
    expect((await vault.unseal(sealed)).equals(data)).toBe(true);
    expect(await vault.unseal(await vault.seal(Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
    // A fresh IV each time.
    expect((await vault.seal(data)).equals(sealed)).toBe(false);

    const key = await keytar.getPassword('Paddock', 'vault-key');
    expect(Buffer.from(key as string, 'base64')).toHaveLength(32);
    // Another process (here: another service instance) unseals it with the same key.
    const other = openVault().vault;
    expect((await other.unseal(sealed)).equals(data)).toBe(true);
    const sealer = await other.sealer();
    expect(sealer.unseal(sealer.seal(Buffer.from('sync')))).toEqual(Buffer.from('sync'));
  });

  it('refuses tampered and truncated blobs with a clear error', async () => {
    const { vault } = openVault();
    const sealed = await vault.seal(Buffer.from('the recording of a session'));
    const flip = (at: number) => {
      const copy = Buffer.from(sealed);
      copy[at] = (copy[at] as number) ^ 0x01;
      return copy;
    };
    const integrity = /fails its integrity check: it was changed or truncated/;
    for (const at of [1, 12, 13, 20, sealed.length - 1]) {
      const error = await refusal(vault.unseal(flip(at)));
      expect(error.kind).toBe('sealed');
      expect(error.message).toMatch(integrity);
    }
    expect((await refusal(vault.unseal(flip(0)))).message).toMatch(/format version 0/);
    expect((await refusal(vault.unseal(sealed.subarray(0, sealed.length - 1)))).message).toMatch(
      integrity,
    );
    expect((await refusal(vault.unseal(sealed.subarray(0, 20)))).message).toMatch(
      /20 bytes, shorter than the 29 every sealed blob has: it was truncated/,
    );
    expect(
      (await refusal(vault.unseal(Buffer.concat([sealed, Buffer.from([0])])))).message,
    ).toMatch(integrity);
  });

  it('refuses a vault key that was replaced by something that is not one, and keeps it', async () => {
    await openVault().vault.seal(Buffer.from('make sure a key exists'));
    const original = (await keytar.getPassword('Paddock', 'vault-key')) as string;
    await keytar.setPassword('Paddock', 'vault-key', 'not a key');
    try {
      const error = await refusal(openVault().vault.seal(Buffer.from('x')));
      expect(error.kind).toBe('sealed');
      expect(error.message).toMatch(/"vault-key" \(service Paddock\) is not a 32-byte key/);
      expect(await keytar.getPassword('Paddock', 'vault-key')).toBe('not a key');
    } finally {
      await keytar.setPassword('Paddock', 'vault-key', original);
    }
  });
});
