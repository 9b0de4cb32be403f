/**
 * The host records: the `ssh.hosts` setting, which only this module writes, and each host's
 * private key in the vault (a secret `SSH_KEY_<NAME>` bound to no network host, so the credential
 * broker never hands it to an agent).
 *
 * As in the vault, the keychain and the store cannot change in one transaction: adding writes the
 * key first and takes it back if the record cannot be written; removing deletes the key first, so a
 * failure leaves the host listed without its key, and removing it again finishes the job.
 */
import type { Actor } from '../../../shared/audit';
import type { SettingValue } from '../../../shared/settings';
import { MAX_SSH_HOSTS, type SshHost } from '../../../shared/ssh';
import type { SettingsService } from '../settings';
import type { AuditStore } from '../store';
import { VaultError, type VaultService } from '../vault';
import { SshError } from './errors';
import {
  checkAddress,
  checkFingerprint,
  checkHostName,
  checkPort,
  checkPrivateKey,
  checkUser,
} from './validate';

export const SSH_HOSTS_SETTING = 'ssh.hosts';

export interface SshActor {
  actor: Actor;
  actorId: string;
}

export interface NewSshHost {
  name: string;
  address: string;
  port?: number;
  user: string;
  /** The host key the person expects (`--fingerprint`): the first connect pins it and no other. */
  fingerprint?: string;
}

type Hosts = SettingValue<'ssh.hosts'>;

/** Set while this module writes the hosts: only then may the `ssh.hosts` setting change. */
let writingHosts = 0;

/**
 * The `ssh.hosts` setting's validator (see openPaddock): a change that does not come from here is
 * refused, so nobody pins a host key by writing a setting, and the records stay in step with the
 * vault.
 */
export function refuseHostEditsOutsideSsh(): void {
  if (writingHosts === 0)
    throw new Error(
      'SSH hosts change only with `paddock ssh add`, `paddock ssh test` and `paddock ssh rm`, which check host keys and keep the private keys in the keychain.',
    );
}

/** The vault secret of a host's private key: `build-01.eu` keeps it in `SSH_KEY_BUILD_01_EU`. */
export const keySecretOf = (name: string): string =>
  `SSH_KEY_${name.toUpperCase().replace(/[.-]/g, '_')}`;

export class SshHosts {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: AuditStore,
    private readonly settings: SettingsService,
    private readonly vault: VaultService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): SshHost[] {
    return Object.values(this.hosts()).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  get(name: string): SshHost {
    const host = this.hosts()[checkHostName(name)];
    if (!host) throw notFound(name);
    return host;
  }

  /** Records a host and puts its private key in the vault; the key is checked, never kept on disk. */
  async add(input: NewSshHost, privateKey: string, by: SshActor): Promise<SshHost> {
    const host: SshHost = {
      name: checkHostName(input.name),
      address: checkAddress(input.address),
      port: checkPort(input.port),
      user: checkUser(input.user),
      keySecret: keySecretOf(input.name),
      hostKey: null,
      expectedHostKey: input.fingerprint === undefined ? null : checkFingerprint(input.fingerprint),
      addedAt: this.now().toISOString(),
      pinnedAt: null,
    };
    const encoded = Buffer.from(checkPrivateKey(privateKey), 'utf8').toString('base64');
    return this.exclusive(async () => {
      this.refuseToAdd(host);
      if ((await this.vault.list()).some((secret) => secret.name === host.keySecret))
        throw new SshError(
          'exists',
          `The vault already holds a secret named ${host.keySecret}, where ${host.name}'s private key would go. Remove it (paddock secrets rm ${host.keySecret}) if it is a leftover, or choose another host name.`,
        );
      await this.vault.set(host.keySecret, encoded, { hosts: [] }, by);
      try {
        this.save(host.name, host, 'ssh.host.added', by);
      } catch (error) {
        await this.vault.remove(host.keySecret, by).catch(() => undefined);
        throw error;
      }
      return host;
    });
  }

  /** Forgets a host and deletes its private key from the keychain. */
  async remove(name: string, by: SshActor): Promise<SshHost> {
    return this.exclusive(async () => {
      const host = this.get(name);
      try {
        await this.vault.remove(host.keySecret, by);
      } catch (error) {
        // Gone already (an earlier removal that stopped half-way, or `paddock secrets rm`).
        if (!(error instanceof VaultError && error.kind === 'not-found')) throw error;
      }
      this.save(host.name, null, 'ssh.host.removed', by);
      return host;
    });
  }

  /** Pins the key a host offered, once, after it was checked (see decide in service.ts). */
  pin(name: string, fingerprint: string, how: 'expected' | 'confirmed', by: SshActor): SshHost {
    const current = this.get(name);
    if (current.hostKey !== null && current.hostKey !== fingerprint)
      throw new SshError('host-key', `${name} has another host key pinned (${current.hostKey}).`);
    const pinned = { ...current, hostKey: fingerprint, pinnedAt: this.now().toISOString() };
    this.save(name, pinned, 'ssh.host.pinned', by, { how });
    return pinned;
  }

  /** The private key's text, from the keychain. */
  async privateKey(host: SshHost): Promise<string> {
    try {
      return Buffer.from(await this.vault.value(host.keySecret), 'base64').toString('utf8');
    } catch (error) {
      if (error instanceof VaultError && error.kind === 'not-found')
        throw new SshError(
          'not-found',
          `${host.name}'s private key (${host.keySecret}) is gone from the vault. Remove the host (paddock ssh rm ${host.name}) and add it again with its key.`,
        );
      throw error;
    }
  }

  /** Writes one record (or its removal) and its event together. */
  private save(
    name: string,
    host: SshHost | null,
    kind: string,
    by: SshActor,
    extra: Record<string, string> = {},
  ): void {
    this.store.transaction(() => {
      const { [name]: previous, ...rest } = this.hosts();
      const next = host ? { ...rest, [name]: host } : rest;
      writingHosts++;
      try {
        this.settings.set(SSH_HOSTS_SETTING, sorted(next), by);
      } finally {
        writingHosts--;
      }
      const record = host ?? previous;
      this.store.append({
        kind,
        actor: by.actor,
        actorId: by.actorId,
        payload: {
          name,
          address: record?.address ?? null,
          port: record?.port ?? null,
          user: record?.user ?? null,
          hostKey: record?.hostKey ?? null,
          ...extra,
        },
      });
    });
  }

  private refuseToAdd(host: SshHost): void {
    const hosts = this.hosts();
    if (hosts[host.name])
      throw new SshError(
        'exists',
        `There is a host named ${host.name} already (paddock ssh list); remove it first (paddock ssh rm ${host.name}) to add it again.`,
      );
    const sameKey = Object.values(hosts).find((other) => other.keySecret === host.keySecret);
    if (sameKey)
      throw new SshError(
        'exists',
        `${host.name} would keep its key where ${sameKey.name} keeps its own (${host.keySecret}): choose a name that differs by more than "-", "_" or ".".`,
      );
    if (Object.keys(hosts).length >= MAX_SSH_HOSTS)
      throw new SshError(
        'invalid',
        `Paddock keeps at most ${MAX_SSH_HOSTS} hosts; remove one first.`,
      );
  }

  private hosts(): Hosts {
    return structuredClone(this.settings.get('ssh.hosts'));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function sorted(hosts: Hosts): Hosts {
  return Object.fromEntries(Object.entries(hosts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function notFound(name: string): SshError {
  return new SshError(
    'not-found',
    `There is no SSH host named ${JSON.stringify(name.slice(0, 60))} (paddock ssh list shows them; paddock ssh add adds one).`,
  );
}
