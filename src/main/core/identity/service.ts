/**
 * A person's Ed25519 signing identity. The private key lives in the OS keychain (account
 * `identity:SHA256:…`, PKCS#8 DER in base64) and nowhere else but a passphrase-sealed backup the
 * person asks for; the public part (IdentityInfo) is kept by a store the composition root provides.
 *
 * As in the vault, the keychain and the store cannot change in one transaction: a change writes the
 * keychain first, then the store, and puts the keychain back if the store refuses. Audit events
 * name the identity by its public key and fingerprint, never anything private.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Actor, JsonObject } from '../../../shared/audit';
import type { IdentityInfo } from '../../../shared/signoff';
import { VaultError, type Keychain } from '../vault';
import { openBackup, sealBackup } from './backup';
import { IdentityError } from './errors';
import { fingerprintOfPrivate, pkcs8Of, privateKeyFromPkcs8 } from './keys';
import { fingerprintOf, parseOpenSshEd25519, toOpenSsh } from './openssh';

export interface IdentityActor {
  actor: Actor;
  actorId: string;
}

/** Where the public part of the identity is kept (a setting, in the composition root). */
export interface IdentityStore {
  get(): IdentityInfo | null;
  set(info: IdentityInfo | null, by: IdentityActor): void;
}

export type IdentityAudit = (kind: string, payload: JsonObject, by: IdentityActor) => void;

export interface IdentityDeps {
  keychain: Keychain;
  store: IdentityStore;
  audit: IdentityAudit;
  now?: () => Date;
}

export interface IdentitySignature {
  /** The signing key's fingerprint (`SHA256:…`), as DSSE's keyid. */
  keyid: string;
  /** A raw 64-byte Ed25519 signature over the data. */
  signature: Buffer;
  identity: IdentityInfo;
}

/** The keychain account that holds an identity's private key. */
export const identityAccount = (fingerprint: string): string => `identity:${fingerprint}`;

const MAX_NAME_LENGTH = 200;

export class IdentityService {
  private readonly keychain: Keychain;
  private readonly store: IdentityStore;
  private readonly audit: IdentityAudit;
  private readonly now: () => Date;
  /** Private keys read from the keychain, by fingerprint: a keychain read costs milliseconds. */
  private readonly keys = new Map<string, KeyObject>();
  /** Creating and importing run one at a time, so two cannot both find no identity. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: IdentityDeps) {
    this.keychain = deps.keychain;
    this.store = deps.store;
    this.audit = deps.audit;
    this.now = deps.now ?? (() => new Date());
  }

  current(): IdentityInfo | null {
    return this.store.get();
  }

  /** Makes a new key pair for `name`. There is one identity per person: a second is refused. */
  async create(name: string, by: IdentityActor): Promise<IdentityInfo> {
    const cleanName = checkName(name);
    return this.exclusive(async () => {
      this.refuseIfAnyIdentity();
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const info: IdentityInfo = {
        name: cleanName,
        publicKey: toOpenSsh(publicKey, cleanName),
        fingerprint: fingerprintOf(publicKey),
        createdAt: this.now().toISOString(),
      };
      await this.saveKeyThenInfo(info, privateKey, null, by);
      this.audit(
        'identity.created',
        { name: info.name, fingerprint: info.fingerprint, publicKey: info.publicKey },
        by,
      );
      return info;
    });
  }

  /** Signs `data` with the identity's private key (Ed25519, so no hash is chosen here). */
  async sign(data: Buffer): Promise<IdentitySignature> {
    const identity = this.requireIdentity();
    const privateKey = await this.privateKeyFor(identity);
    return { keyid: identity.fingerprint, signature: sign(null, data, privateKey), identity };
  }

  /** The identity sealed under `passphrase` (see backup.ts), as text for a file. */
  async exportBackup(passphrase: string, by: IdentityActor): Promise<string> {
    const identity = this.requireIdentity();
    const privateKey = await this.privateKeyFor(identity);
    const text = await sealBackup(
      {
        name: identity.name,
        privateKeyPkcs8: pkcs8Of(privateKey),
        publicKey: identity.publicKey,
        createdAt: identity.createdAt,
      },
      passphrase,
    );
    this.audit('identity.exported', { fingerprint: identity.fingerprint }, by);
    return text;
  }

  /**
   * Restores an identity from a backup: on a new machine, or into a keychain that lost the key.
   * Importing the identity Paddock already has is fine (and changes nothing if nothing is
   * missing); importing a different one is refused.
   */
  async importBackup(text: string, passphrase: string, by: IdentityActor): Promise<IdentityInfo> {
    const contents = await openBackup(text, passphrase);
    const privateKey = privateKeyFromPkcs8(contents.privateKeyPkcs8, 'backup', 'this backup');
    const info: IdentityInfo = {
      name: contents.name,
      publicKey: contents.publicKey,
      fingerprint: parseOpenSshEd25519(contents.publicKey).fingerprint,
      createdAt: contents.createdAt,
    };
    return this.exclusive(async () => {
      const existing = this.current();
      if (existing && existing.fingerprint !== info.fingerprint)
        throw new IdentityError(
          'exists',
          `You already have a signing identity, ${existing.name} (${existing.fingerprint}); this backup holds another one, ${info.name} (${info.fingerprint}). Paddock keeps one identity per person, so nothing was imported.`,
        );
      const changed = await this.saveKeyThenInfo(info, privateKey, existing, by);
      if (changed)
        this.audit(
          'identity.imported',
          { name: info.name, fingerprint: info.fingerprint, publicKey: info.publicKey },
          by,
        );
      return existing ?? info;
    });
  }

  /**
   * Writes the private key to the keychain, then `info` to the store unless it holds it already
   * (`existing`). If the store refuses, or another process stored an identity meanwhile, the
   * keychain is put back as it was. True when anything changed.
   */
  private async saveKeyThenInfo(
    info: IdentityInfo,
    privateKey: KeyObject,
    existing: IdentityInfo | null,
    by: IdentityActor,
  ): Promise<boolean> {
    const account = identityAccount(info.fingerprint);
    const value = pkcs8Of(privateKey).toString('base64');
    const before = await this.keychainCall(() => this.keychain.get(account));
    if (before === value && existing) return false;
    if (before !== value) await this.keychainCall(() => this.keychain.set(account, value));
    if (!existing) {
      try {
        // Another process (the CLI beside the app) may have stored one while the keychain was
        // written: checked again, with no await between the check and the write.
        this.refuseIfAnyIdentity();
        this.store.set(info, by);
      } catch (error) {
        await this.putBack(account, before, value);
        throw error;
      }
    }
    this.keys.set(info.fingerprint, privateKey);
    return true;
  }

  /** Restores a keychain item after a failed change; a failure here must not hide the first one. */
  private async putBack(account: string, before: string | null, written: string): Promise<void> {
    if (before === written) return;
    try {
      if (before === null) await this.keychain.delete(account);
      else await this.keychain.set(account, before);
    } catch {
      // The first error is the one the person must see; an orphaned item holds no identity.
    }
  }

  /** The identity's private key: from memory, else from the keychain, checked against the identity. */
  private async privateKeyFor(identity: IdentityInfo): Promise<KeyObject> {
    const cached = this.keys.get(identity.fingerprint);
    if (cached) return cached;
    const account = identityAccount(identity.fingerprint);
    const stored = await this.keychainCall(() => this.keychain.get(account));
    if (stored === null)
      throw new IdentityError(
        'no-key',
        `The keychain has no private key for ${identity.fingerprint}: import your backup with \`paddock identity import FILE\`.`,
      );
    const where = `the keychain item ${account}`;
    const privateKey = privateKeyFromPkcs8(Buffer.from(stored, 'base64'), 'no-key', where);
    const actual = fingerprintOfPrivate(privateKey);
    if (actual !== identity.fingerprint)
      throw new IdentityError(
        'no-key',
        `The keychain item ${account} holds the key ${actual}, not the identity's ${identity.fingerprint}: import your backup with \`paddock identity import FILE\`.`,
      );
    this.keys.set(identity.fingerprint, privateKey);
    return privateKey;
  }

  private requireIdentity(): IdentityInfo {
    const identity = this.current();
    if (!identity)
      throw new IdentityError(
        'none',
        'You have no signing identity yet: create one with `paddock identity create NAME`, or import a backup with `paddock identity import FILE`.',
      );
    return identity;
  }

  private refuseIfAnyIdentity(): void {
    const existing = this.current();
    if (existing)
      throw new IdentityError(
        'exists',
        `You already have a signing identity, ${existing.name} (${existing.fingerprint}); see it with \`paddock identity show\`. Paddock keeps one identity per person.`,
      );
  }

  /** A keychain call; "no keychain" becomes an IdentityError with the vault's advice. */
  private async keychainCall<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof VaultError && error.kind === 'keychain')
        throw new IdentityError('keychain', error.message, { cause: error });
      throw error;
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** The name goes into the OpenSSH line as its comment and is shown wherever the key is. */
function checkName(name: string): string {
  const clean = name.trim();
  if (clean === '') throw new IdentityError('invalid', 'An identity needs a name.');
  if (clean.length > MAX_NAME_LENGTH)
    throw new IdentityError(
      'invalid',
      `An identity's name is at most ${MAX_NAME_LENGTH} characters (this one has ${clean.length}).`,
    );
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(clean))
    throw new IdentityError(
      'invalid',
      "An identity's name may not hold line breaks or control characters.",
    );
  return clean;
}
