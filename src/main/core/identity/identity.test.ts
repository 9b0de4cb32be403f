/**
 * The identity service against a real Secret Service: gnome-keyring on a private D-Bus session
 * started by this file (test-support/secret-service.ts), reached through the vault's keytar
 * keychain under a service name of this file's own, and read back through keytar directly.
 */
import keytar from 'keytar';
import { createPrivateKey, createPublicKey, randomBytes, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../shared/audit';
import type { IdentityInfo } from '../../../shared/signoff';
import { useSecretService } from '../../../test-support/secret-service';
import { keytarKeychain } from '../vault';
import {
  IdentityError,
  identityAccount,
  IdentityService,
  parseOpenSshEd25519,
  type IdentityActor,
  type IdentityStore,
} from './index';

useSecretService();

const SERVICE = 'Paddock-identity-test';
const PASSPHRASE = 'a long and memorable passphrase';
const ada: IdentityActor = { actor: 'person', actorId: 'ada' };
const keychain = keytarKeychain({ service: SERVICE, timeoutMs: 10_000 });

/** The store as a setting would keep it: one value, or none. */
class MemoryStore implements IdentityStore {
  value: IdentityInfo | null = null;
  writes = 0;
  failNext = false;
  get(): IdentityInfo | null {
    return this.value;
  }
  set(info: IdentityInfo | null): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.writes++;
    this.value = info;
  }
}

interface Recorded {
  kind: string;
  payload: JsonObject;
  by: IdentityActor;
}

function makeService(store = new MemoryStore()) {
  const events: Recorded[] = [];
  const service = new IdentityService({
    keychain,
    store,
    audit: (kind, payload, by) => events.push({ kind, payload, by }),
    now: () => new Date('2025-03-04T05:06:07.089Z'),
  });
  return { service, store, events };
}

const inKeychain = (fingerprint: string) =>
  keytar.getPassword(SERVICE, identityAccount(fingerprint));

const made: string[] = [];
afterEach(async () => {
  while (made.length) await keytar.deletePassword(SERVICE, identityAccount(made.pop() ?? ''));
});

async function created(service: IdentityService, name = 'Ada Lovelace'): Promise<IdentityInfo> {
  const info = await service.create(name, ada);
  made.push(info.fingerprint);
  return info;
}

async function refusal(work: Promise<unknown>): Promise<IdentityError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IdentityError);
  expect((error as Error).message).not.toContain(PASSPHRASE);
  return error as IdentityError;
}

/** Whether `signature` is `info`'s over `data`, checked with nothing but the public OpenSSH line. */
function verifies(info: IdentityInfo, data: Buffer, signature: Buffer): boolean {
  return verify(null, data, parseOpenSshEd25519(info.publicKey).key, signature);
}

describe('creating an identity', () => {
  it('keeps the private key in the keychain and the public part in the store, and signs', async () => {
    const { service, store, events } = makeService();
    expect(service.current()).toBeNull();
    const info = await created(service);

    expect(info).toEqual({
      name: 'Ada Lovelace',
      publicKey: expect.stringMatching(/^ssh-ed25519 [A-Za-z0-9+/]{68} Ada Lovelace$/),
      fingerprint: parseOpenSshEd25519(info.publicKey).fingerprint,
      createdAt: '2025-03-04T05:06:07.089Z',
    });
    expect(service.current()).toEqual(info);
    expect(store.value).toEqual(info);

    const stored = await inKeychain(info.fingerprint);
    expect(stored).not.toBeNull();
    const privateOfStored = createPrivateKey({
      key: Buffer.from(stored ?? '', 'base64'),
      format: 'der',
      type: 'pkcs8',
    });
    const publicOfStored = createPublicKey(privateOfStored);
    expect(publicOfStored.equals(parseOpenSshEd25519(info.publicKey).key)).toBe(true);

    const data = Buffer.from('the landing diff hash, say');
    const signed = await service.sign(data);
    expect(signed.keyid).toBe(info.fingerprint);
    expect(signed.identity).toEqual(info);
    expect(signed.signature).toHaveLength(64);
    expect(verifies(info, data, signed.signature)).toBe(true);
    expect(verifies(info, Buffer.from('another change'), signed.signature)).toBe(false);

    expect(events).toEqual([
      {
        kind: 'identity.created',
        payload: { name: info.name, fingerprint: info.fingerprint, publicKey: info.publicKey },
        by: ada,
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(stored ?? '');
  });

  it('refuses a second identity, and says how to see the first', async () => {
    const { service, events } = makeService();
    const first = await created(service);
    const error = await refusal(service.create('Ada again', ada));
    expect(error.kind).toBe('exists');
    expect(error.message).toBe(
      `You already have a signing identity, Ada Lovelace (${first.fingerprint}); see it with \`paddock identity show\`. Paddock keeps one identity per person.`,
    );
    expect(service.current()).toEqual(first);
    expect(events).toHaveLength(1);
  });

  it('makes one identity when two creations race', async () => {
    const { service, store } = makeService();
    const results = await Promise.allSettled([
      service.create('Ada', ada),
      service.create('Also Ada', ada),
    ]);
    const won = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(won).toHaveLength(1);
    made.push(...won.map((info) => info.fingerprint));
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(1);
    expect(store.writes).toBe(1);
  });

  it('refuses names that cannot stand in a key line', async () => {
    const { service } = makeService();
    expect((await refusal(service.create('   ', ada))).message).toBe('An identity needs a name.');
    expect((await refusal(service.create('Ada\nssh-ed25519 AAAA', ada))).message).toMatch(
      /line breaks/,
    );
    expect((await refusal(service.create('x'.repeat(201), ada))).message).toMatch(/at most 200/);
    expect(service.current()).toBeNull();
  });

  it('puts the keychain back when the store refuses', async () => {
    const { service, store, events } = makeService();
    store.failNext = true;
    await expect(service.create('Ada', ada)).rejects.toThrow('disk full');
    expect(service.current()).toBeNull();
    expect(events).toEqual([]);
    // The fingerprint never got out, so look for any item left under this service.
    const left = await keytar.findCredentials(SERVICE);
    expect(left.filter((item) => item.account.startsWith('identity:'))).toEqual([]);
  });

  it('keeps two people in two stores apart, on one keychain', async () => {
    const one = makeService();
    const two = makeService();
    const adaInfo = await created(one.service, 'Ada');
    const graceInfo = await created(two.service, 'Grace');
    expect(graceInfo.fingerprint).not.toBe(adaInfo.fingerprint);
    expect(await inKeychain(adaInfo.fingerprint)).not.toBe(await inKeychain(graceInfo.fingerprint));

    const data = randomBytes(100);
    const byAda = await one.service.sign(data);
    const byGrace = await two.service.sign(data);
    expect(byAda.keyid).toBe(adaInfo.fingerprint);
    expect(byGrace.keyid).toBe(graceInfo.fingerprint);
    expect(verifies(adaInfo, data, byAda.signature)).toBe(true);
    expect(verifies(graceInfo, data, byGrace.signature)).toBe(true);
    expect(verifies(adaInfo, data, byGrace.signature)).toBe(false);
    expect(verifies(graceInfo, data, byAda.signature)).toBe(false);
  });
});

describe('signing', () => {
  it('with no identity, says how to make or import one', async () => {
    const error = await refusal(makeService().service.sign(Buffer.from('x')));
    expect(error.kind).toBe('none');
    expect(error.message).toMatch(
      /^You have no signing identity yet: create one with `paddock identity create NAME`/,
    );
  });

  it('with the key gone from the keychain, says to import the backup', async () => {
    const { service, store } = makeService();
    const info = await created(service);
    await keychain.delete(identityAccount(info.fingerprint));
    // A new service (a new process) has nothing cached.
    const error = await refusal(makeService(store).service.sign(Buffer.from('x')));
    expect(error.kind).toBe('no-key');
    expect(error.message).toBe(
      `The keychain has no private key for ${info.fingerprint}: import your backup with \`paddock identity import FILE\`.`,
    );
  });

  it('refuses a keychain item that holds another key', async () => {
    const first = makeService();
    const ada1 = await created(first.service, 'Ada');
    const other = makeService();
    const grace = await created(other.service, 'Grace');
    await keychain.set(
      identityAccount(ada1.fingerprint),
      (await inKeychain(grace.fingerprint)) ?? '',
    );
    const error = await refusal(makeService(first.store).service.sign(Buffer.from('x')));
    expect(error.kind).toBe('no-key');
    expect(error.message).toBe(
      `The keychain item identity:${ada1.fingerprint} holds the key ${grace.fingerprint}, not the identity's ${ada1.fingerprint}: import your backup with \`paddock identity import FILE\`.`,
    );
  });

  it('reads the keychain once, then signs from memory', async () => {
    const { service } = makeService();
    const info = await created(service);
    const fresh = makeService(new MemoryStore());
    fresh.store.value = info;
    const data = Buffer.from('x');
    const first = await fresh.service.sign(data);
    await keychain.delete(identityAccount(info.fingerprint));
    expect((await fresh.service.sign(data)).signature).toEqual(first.signature);
  });
});

describe('backups', () => {
  it('restore the identity on a fresh store after the keychain lost it: the same signatures', async () => {
    const before = makeService();
    const info = await created(before.service);
    const data = Buffer.from('a statement about one change');
    const original = await before.service.sign(data);
    const text = await before.service.exportBackup(PASSPHRASE, ada);
    expect(before.events.at(-1)).toEqual({
      kind: 'identity.exported',
      payload: { fingerprint: info.fingerprint },
      by: ada,
    });
    const privateKey = (await inKeychain(info.fingerprint)) ?? '';
    expect(text).not.toContain(privateKey);

    expect(await keychain.delete(identityAccount(info.fingerprint))).toBe(true);
    const after = makeService();
    expect(after.service.current()).toBeNull();
    const imported = await after.service.importBackup(text, PASSPHRASE, ada);
    expect(imported).toEqual(info);
    expect(after.service.current()).toEqual(info);
    expect(await inKeychain(info.fingerprint)).toBe(privateKey);
    expect(after.events).toEqual([
      {
        kind: 'identity.imported',
        payload: { name: info.name, fingerprint: info.fingerprint, publicKey: info.publicKey },
        by: ada,
      },
    ]);

    const restored = await after.service.sign(data);
    // Ed25519 signatures are deterministic: the same key makes the very same signature.
    expect(restored.signature).toEqual(original.signature);
    expect(verifies(info, data, restored.signature)).toBe(true);
    expect(verifies(imported, data, original.signature)).toBe(true);
  });

  it('put back a lost key for the identity the store already has, once', async () => {
    const { service, store } = makeService();
    const info = await created(service);
    const text = await service.exportBackup(PASSPHRASE, ada);
    await keychain.delete(identityAccount(info.fingerprint));

    const later = makeService(store);
    await refusal(later.service.sign(Buffer.from('x')));
    expect(await later.service.importBackup(text, PASSPHRASE, ada)).toEqual(info);
    expect(await later.service.importBackup(text, PASSPHRASE, ada)).toEqual(info);
    expect(later.events.map((event) => event.kind)).toEqual(['identity.imported']);
    expect(store.writes).toBe(1);
    const signed = await later.service.sign(Buffer.from('x'));
    expect(verifies(info, Buffer.from('x'), signed.signature)).toBe(true);
  });

  it('do not replace a different identity', async () => {
    const adaSide = makeService();
    const adaInfo = await created(adaSide.service, 'Ada');
    const graceSide = makeService();
    const graceInfo = await created(graceSide.service, 'Grace');
    const text = await graceSide.service.exportBackup(PASSPHRASE, ada);
    const error = await refusal(adaSide.service.importBackup(text, PASSPHRASE, ada));
    expect(error.kind).toBe('exists');
    expect(error.message).toBe(
      `You already have a signing identity, Ada (${adaInfo.fingerprint}); this backup holds another one, Grace (${graceInfo.fingerprint}). Paddock keeps one identity per person, so nothing was imported.`,
    );
    expect(adaSide.service.current()).toEqual(adaInfo);
  });

  it('with a wrong passphrase or an altered field import nothing', async () => {
    const { service } = makeService();
    const info = await created(service);
    const text = await service.exportBackup(PASSPHRASE, ada);
    await keychain.delete(identityAccount(info.fingerprint));
    const fresh = makeService();

    const wrong = await refusal(fresh.service.importBackup(text, 'not the passphrase at all', ada));
    expect(wrong.kind).toBe('backup');
    expect(wrong.message).toMatch(/the passphrase is wrong, or the file was changed/);

    const renamed = JSON.stringify({ ...JSON.parse(text), name: 'Mallory' });
    const altered = await refusal(fresh.service.importBackup(renamed, PASSPHRASE, ada));
    expect(altered.kind).toBe('backup');

    expect(fresh.service.current()).toBeNull();
    expect(fresh.events).toEqual([]);
    expect(await inKeychain(info.fingerprint)).toBeNull();
  });

  it('need an identity and a long enough passphrase to export', async () => {
    const { service, events } = makeService();
    expect((await refusal(service.exportBackup(PASSPHRASE, ada))).kind).toBe('none');
    await created(service);
    const short = await refusal(service.exportBackup('short', ada));
    expect(short.message).toMatch(/at least 12 characters/);
    expect(events.map((event) => event.kind)).toEqual(['identity.created']);
  });
});
