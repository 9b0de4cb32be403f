/**
 * The vault: secrets in the OS keychain (account `secret:NAME`, service `Paddock`), their non-secret
 * index in the `vault.secrets` setting, and a sealing key (account `vault-key`) for whatever
 * sensitive data must touch disk.
 *
 * Nothing secret is written to the store: the index holds names, hosts, headers and times, and
 * every change is an audit event with the same, never the value or anything derived from it. When
 * no keychain answers, every operation refuses with what to install or start; there is no file to
 * fall back to.
 *
 * The keychain and the store cannot change in one transaction. A change writes the keychain first,
 * then the index and its event together; if the index cannot be written, the keychain is put back
 * as it was. Removing deletes the value first, so a failure leaves it listed with its value gone,
 * and removing it again finishes the job.
 */
import type { Actor } from '../../../shared/audit';
import { DEFAULT_SECRET_HEADER, MAX_SECRETS, type SecretEntry } from '../../../shared/vault';
import type { SettingValue } from '../../../shared/settings';
import type { SettingsService } from '../settings';
import type { AuditStore } from '../store';
import { VaultError } from './errors';
import { explainKeychainError, KEYCHAIN_SERVICE, keychainProblem, type Keychain } from './keychain';
import { KEY_BYTES, newVaultKey, sealerFor, type Sealer } from './seal';
import { checkHeader, checkHosts, checkName, checkValue } from './validate';

export const VAULT_INDEX_SETTING = 'vault.secrets';
/**
 * How long a value read from the keychain is used again. A read costs 1–5 ms on gnome-keyring
 * (bench: vault), paid on every brokered call otherwise. A rotation or removal is seen at once all
 * the same: the cached value is tied to the index entry's time stamps, which any process changes.
 */
export const VALUE_REUSE_MS = 30_000;
export const VAULT_KEY_ACCOUNT = 'vault-key';
export const secretAccount = (name: string): string => `secret:${name}`;

export interface VaultActor {
  actor: Actor;
  actorId: string;
}

export interface SecretOptions {
  /** Replaces the secret's hosts; left out, a rotation keeps them (a new secret has none). */
  hosts?: readonly string[];
  /** Replaces its header template; left out, a rotation keeps it (default `Authorization: Bearer {}`). */
  header?: string;
}

export interface VaultOptions {
  now?: () => Date;
}

type Index = SettingValue<'vault.secrets'>;

/** Set while the vault writes its own index: only then may the `vault.secrets` setting change. */
let writingIndex = 0;

/**
 * The `vault.secrets` setting's validator (see openPaddock): a change that does not come from the
 * vault is refused, so the index never drifts from the keychain and every change to a secret's
 * hosts is a vault event.
 */
export function refuseIndexEditsOutsideVault(): void {
  if (writingIndex === 0)
    throw new Error(
      'the vault’s index changes only with `paddock secrets set` and `paddock secrets rm` (or the Settings screen), which keep it in step with the keychain.',
    );
}

export class VaultService {
  private probed: Promise<void> | null = null;
  private key: Promise<Buffer> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;
  /** Values read lately, with the index stamp they were read under. */
  private readonly recent = new Map<string, { value: string; stamp: string; until: number }>();

  constructor(
    private readonly store: AuditStore,
    private readonly settings: SettingsService,
    private readonly keychain: Keychain,
    options: VaultOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Null when the keychain answers, else what to install or start. */
  keychainProblem(): Promise<string | null> {
    return keychainProblem(this.keychain);
  }

  /** Stores a secret, or replaces its value (a rotation). The value goes to the keychain only. */
  async set(
    name: string,
    value: string,
    options: SecretOptions,
    by: VaultActor,
  ): Promise<{ secret: SecretEntry; rotated: boolean }> {
    checkName(name);
    checkValue(value);
    const hosts = options.hosts === undefined ? undefined : checkHosts(options.hosts);
    const header = options.header === undefined ? undefined : checkHeader(options.header);
    this.assertWritable();
    return this.exclusive(async () => {
      await this.ready();
      const index = this.index();
      if (!index[name] && Object.keys(index).length >= MAX_SECRETS)
        throw new VaultError(
          'invalid',
          `The vault holds at most ${MAX_SECRETS} secrets; remove one first (paddock secrets rm NAME).`,
        );
      const account = secretAccount(name);
      this.recent.delete(name);
      const before = await this.call(() => this.keychain.get(account));
      await this.call(() => this.keychain.set(account, value));
      try {
        return this.store.transaction(() => {
          const current = this.index();
          const previous = current[name];
          const at = this.now().toISOString();
          const entry = previous
            ? {
                hosts: hosts ?? previous.hosts,
                header: header ?? previous.header,
                setAt: previous.setAt,
                rotatedAt: at,
              }
            : {
                hosts: hosts ?? [],
                header: header ?? DEFAULT_SECRET_HEADER,
                setAt: at,
                rotatedAt: null,
              };
          this.saveIndex({ ...current, [name]: entry }, by);
          this.store.append({
            kind: previous ? 'vault.secret.rotated' : 'vault.secret.set',
            actor: by.actor,
            actorId: by.actorId,
            payload: { name, hosts: entry.hosts, header: entry.header },
          });
          return { secret: { name, ...entry }, rotated: previous !== undefined };
        });
      } catch (error) {
        await this.putBack(account, before, error);
        throw error;
      }
    });
  }

  /** Every secret in the index, by name: never a value. */
  async list(): Promise<SecretEntry[]> {
    await this.ready();
    return Object.entries(this.index())
      .map(([name, entry]) => ({ name, ...entry }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Deletes the value from the keychain and the entry from the index. */
  async remove(name: string, by: VaultActor): Promise<SecretEntry> {
    checkName(name);
    this.assertWritable();
    return this.exclusive(async () => {
      await this.ready();
      if (!this.index()[name]) throw notFound(name);
      this.recent.delete(name);
      await this.call(() => this.keychain.delete(secretAccount(name)));
      return this.store.transaction(() => {
        const { [name]: entry, ...rest } = this.index();
        if (!entry) throw notFound(name);
        this.saveIndex(rest, by);
        this.store.append({
          kind: 'vault.secret.removed',
          actor: by.actor,
          actorId: by.actorId,
          payload: { name, hosts: entry.hosts, header: entry.header },
        });
        return { name, ...entry };
      });
    });
  }

  /** The real value (for the broker, on the host, never inside a sandbox). */
  async value(name: string): Promise<string> {
    checkName(name);
    await this.ready();
    const entry = this.index()[name];
    // The index is read each time: a removal elsewhere applies at once.
    if (!entry) throw notFound(name);
    const stamp = `${entry.setAt} ${entry.rotatedAt ?? ''}`;
    const recent = this.recent.get(name);
    if (recent && recent.stamp === stamp && performance.now() < recent.until) return recent.value;
    const value = await this.call(() => this.keychain.get(secretAccount(name)));
    if (value === null)
      throw new VaultError(
        'not-found',
        `${name} is in the vault's index, but its value is gone from the keychain (deleted outside Paddock?). Set it again: paddock secrets set ${name}.`,
      );
    this.recent.set(name, { value, stamp, until: performance.now() + VALUE_REUSE_MS });
    return value;
  }

  /** Every value the keychain still holds, by name (for redaction). */
  async values(): Promise<Map<string, string>> {
    // No secrets, no keychain: a machine without one still runs sessions.
    if (Object.keys(this.index()).length === 0) return new Map();
    await this.ready();
    const values = new Map<string, string>();
    for (const name of Object.keys(this.index()).sort()) {
      try {
        values.set(name, await this.value(name));
      } catch (error) {
        // Removed meanwhile, or its value deleted outside Paddock: nothing to redact.
        if (!(error instanceof VaultError && error.kind === 'not-found')) throw error;
      }
    }
    return values;
  }

  /** AES-256-GCM under the vault key (made in the keychain on first use). */
  async seal(data: Buffer): Promise<Buffer> {
    return (await this.sealer()).seal(data);
  }

  /** Fails with a VaultError on data that was changed, truncated or sealed under another key. */
  async unseal(sealed: Buffer): Promise<Buffer> {
    return (await this.sealer()).unseal(sealed);
  }

  /** Synchronous sealing for hot paths: the key is read from the keychain once. */
  async sealer(): Promise<Sealer> {
    return sealerFor(await this.vaultKey());
  }

  private vaultKey(): Promise<Buffer> {
    this.key ??= (async () => {
      await this.ready();
      const stored = await this.call(() => this.keychain.get(VAULT_KEY_ACCOUNT));
      if (stored !== null) return parseKey(stored);
      await this.call(() => this.keychain.set(VAULT_KEY_ACCOUNT, newVaultKey().toString('base64')));
      // Another process may have made one at the same moment: the keychain's copy is the key.
      const made = await this.call(() => this.keychain.get(VAULT_KEY_ACCOUNT));
      if (made === null)
        throw new VaultError(
          'keychain',
          `The keychain accepted the vault key but does not give it back. Check its Secret Service provider, then try again.`,
        );
      return parseKey(made);
    })();
    this.key.catch(() => (this.key = null));
    return this.key;
  }

  /** The keychain is probed once; a failure is not remembered, so starting one later works. */
  private async ready(): Promise<void> {
    this.probed ??= this.keychainProblem().then((problem) => {
      if (problem) throw new VaultError('keychain', problem);
    });
    try {
      await this.probed;
    } catch (error) {
      this.probed = null;
      throw error;
    }
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof VaultError) throw error;
      throw new VaultError('keychain', explainKeychainError(error, process.platform));
    }
  }

  /** After a failed index write: the keychain as it was before, so the two agree. */
  private async putBack(account: string, before: string | null, cause: unknown): Promise<void> {
    try {
      if (before === null) await this.keychain.delete(account);
      else await this.keychain.set(account, before);
    } catch (error) {
      throw new VaultError(
        'store',
        `The vault could not record the change (${(cause as Error).message}), and could not put the keychain back as it was (${(error as Error).message}): the keychain item ${account} (service ${KEYCHAIN_SERVICE}) may hold the new value while the index does not say so. Set the secret again once the store is writable.`,
      );
    }
  }

  private index(): Index {
    return structuredClone(this.settings.get('vault.secrets'));
  }

  private saveIndex(index: Index, by: VaultActor): void {
    const sorted = Object.fromEntries(
      Object.entries(index).sort(([a], [b]) => (a < b ? -1 : 1)),
    ) as Index;
    writingIndex++;
    try {
      this.settings.set(VAULT_INDEX_SETTING, sorted, by);
    } finally {
      writingIndex--;
    }
  }

  private assertWritable(): void {
    if (this.store.readonly)
      throw new VaultError(
        'store',
        'This Paddock opened its store read-only, so secrets cannot change here. Run the command again without a read-only store (or from the running Paddock).',
      );
  }

  /** Changes run one at a time: each reads the keychain's old value to put back on failure. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function notFound(name: string): VaultError {
  return new VaultError(
    'not-found',
    `There is no secret named ${name} in the vault (paddock secrets list shows them).`,
  );
}

function parseKey(stored: string): Buffer {
  const key = /^[A-Za-z0-9+/]{43}=$/.test(stored) ? Buffer.from(stored, 'base64') : null;
  if (!key || key.length !== KEY_BYTES)
    throw new VaultError(
      'sealed',
      `The keychain item "${VAULT_KEY_ACCOUNT}" (service ${KEYCHAIN_SERVICE}) is not a ${KEY_BYTES}-byte key in base64: it was changed outside Paddock. Paddock leaves it alone, since what was sealed under the original cannot be read without it: put the original back, or delete the item to start over (what was sealed under it is then lost).`,
    );
  return key;
}
