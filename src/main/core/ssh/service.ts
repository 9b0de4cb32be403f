/**
 * SSH hosts for the remote operator: the records and keys (hosts.ts), connections whose host key is
 * checked against the pin (connection.ts), and commands and terminals over them.
 *
 * One connection per host is kept open and reused: opening one costs a key exchange and a login,
 * far more than the operator's per-step budget, while a command on an open one is a channel.
 */
import type { Client, ClientChannel } from 'ssh2';
import type { SshHost, SshTestResult } from '../../../shared/ssh';
import type { SettingsService } from '../settings';
import type { AuditStore } from '../store';
import type { VaultService } from '../vault';
import { openConnection } from './connection';
import { SshError } from './errors';
import { execOnClient, openChannel, type SshExecOptions, type SshExecResult } from './exec';
import { SshHosts, type NewSshHost, type SshActor } from './hosts';
import { checkFingerprint } from './validate';

export interface SshServiceDeps {
  store: AuditStore;
  settings: SettingsService;
  vault: VaultService;
  now?: () => Date;
}

export interface SshConnectOptions {
  /**
   * Asked when the host has no pinned key and none was expected: true pins the key offered. Left
   * out, such a host is refused. It is asked mid-handshake, so it must answer within the connect
   * timeout (15 s); a person is better asked between two calls of test(), as the CLI does.
   */
  confirm?: (fingerprint: string) => Promise<boolean>;
  /** Who pins a new key (the person who confirmed it). */
  by?: SshActor;
}

export interface SshShellOptions {
  cols: number;
  rows: number;
}

const SYSTEM: SshActor = { actor: 'system', actorId: 'ssh' };

interface Pooled {
  /** The record's identity when connected: a host removed and added again gets a new connection. */
  addedAt: string;
  client: Promise<Client>;
}

/** `true` on a host that answered: a slow login shell on a busy machine is still a working host. */
const TEST_COMMAND_TIMEOUT_MS = 30_000;

export class SshService {
  readonly hosts: SshHosts;
  private readonly store: AuditStore;
  private readonly pool = new Map<string, Pooled>();

  constructor(deps: SshServiceDeps) {
    this.store = deps.store;
    this.hosts = new SshHosts(deps.store, deps.settings, deps.vault, deps.now);
  }

  list(): SshHost[] {
    return this.hosts.list();
  }

  add(input: NewSshHost, privateKey: string, by: SshActor): Promise<SshHost> {
    return this.hosts.add(input, privateKey, by);
  }

  async remove(name: string, by: SshActor): Promise<SshHost> {
    const removed = await this.hosts.remove(name, by);
    await this.drop(removed.name);
    return removed;
  }

  /** The host's pooled connection, opened (and its key checked, maybe pinned) if need be. */
  connect(name: string, options: SshConnectOptions = {}): Promise<Client> {
    const host = this.hosts.get(name);
    const pooled = this.pool.get(host.name);
    if (pooled && pooled.addedAt === host.addedAt) return pooled.client;
    if (pooled) void this.drop(host.name);
    const client = this.open(host, options);
    const entry: Pooled = { addedAt: host.addedAt, client };
    this.pool.set(host.name, entry);
    client.then(
      (open) => open.once('close', () => this.forget(host.name, entry)),
      () => this.forget(host.name, entry),
    );
    return client;
  }

  /** Runs `command` through the host's login shell, as `ssh host command` would. */
  async exec(name: string, command: string, options: SshExecOptions): Promise<SshExecResult> {
    checkExecOptions(command, options);
    const client = this.connect(name);
    try {
      return await execOnClient(await client, command, options);
    } catch (error) {
      // A pooled connection that closed meanwhile (the pool forgot it): one try on a fresh one.
      // Had it stayed open, the host refused the command itself (too many sessions, say).
      const closed = this.pool.get(name)?.client !== client;
      if (!(error instanceof SshError && error.kind === 'connect' && closed)) throw error;
      return execOnClient(await this.connect(name), command, options);
    }
  }

  /** An interactive login shell in a terminal of `cols` × `rows`; resize with setWindow. */
  async shell(name: string, size: SshShellOptions): Promise<ClientChannel> {
    const client = await this.connect(name);
    const pty = { term: 'xterm-256color', cols: size.cols, rows: size.rows };
    return openChannel(client, 'open a terminal', (done) => client.shell(pty, done));
  }

  /**
   * Connects and runs `true`. With no key pinned, `pin` is the fingerprint the person confirmed
   * (the host must offer exactly that one); without it, the key offered is returned unpinned.
   */
  async test(name: string, pin: string | undefined, by: SshActor): Promise<SshTestResult> {
    const confirmed = pin === undefined ? undefined : checkFingerprint(pin);
    const before = this.hosts.get(name);
    let offered = '';
    const confirm = async (fingerprint: string) => {
      offered = fingerprint;
      return fingerprint === confirmed;
    };
    try {
      await this.connect(name, { confirm, by });
    } catch (error) {
      if (error instanceof SshError && error.kind === 'unconfirmed' && confirmed === undefined)
        return { state: 'unconfirmed', fingerprint: offered };
      throw error;
    }
    const result = await this.exec(name, 'true', {
      timeoutMs: TEST_COMMAND_TIMEOUT_MS,
      maxOutputBytes: 4096,
    });
    const after = this.hosts.get(name);
    return {
      state: 'ok',
      fingerprint: after.hostKey ?? offered,
      pinned: before.hostKey === null && after.hostKey !== null,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
    };
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    const names = [...this.pool.keys()];
    await Promise.all(names.map((name) => this.drop(name)));
  }

  private async open(host: SshHost, options: SshConnectOptions): Promise<Client> {
    const privateKey = await this.hosts.privateKey(host);
    return openConnection(host, privateKey, (offered) => this.decide(host, offered, options));
  }

  /**
   * The host key rule: the pinned key, else the expected one, else what the person confirms; a
   * key accepted without a pin is pinned at once. Everything else refuses.
   */
  private async decide(host: SshHost, offered: string, options: SshConnectOptions): Promise<true> {
    if (host.hostKey !== null) {
      if (host.hostKey === offered) return true;
      this.recordRefusal(host, offered, 'changed');
      throw changedKey(host, offered);
    }
    if (host.expectedHostKey !== null) {
      if (host.expectedHostKey !== offered) {
        this.recordRefusal(host, offered, 'not-expected');
        throw unexpectedKey(host, offered);
      }
      this.hosts.pin(host.name, offered, 'expected', options.by ?? SYSTEM);
      return true;
    }
    if (options.confirm && (await options.confirm(offered))) {
      this.hosts.pin(host.name, offered, 'confirmed', options.by ?? SYSTEM);
      return true;
    }
    throw new SshError(
      'unconfirmed',
      `${host.name} offered the host key ${offered}, and no key is pinned for it yet. Check that fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then pin it: paddock ssh test ${host.name}.`,
      offered,
    );
  }

  /** A refused key is worth a record: it is what an attack on the connection looks like. */
  private recordRefusal(host: SshHost, offered: string, why: 'changed' | 'not-expected'): void {
    if (this.store.readonly) return;
    this.store.append({
      kind: 'ssh.host.refused',
      ...SYSTEM,
      payload: {
        name: host.name,
        address: host.address,
        port: host.port,
        why,
        pinned: host.hostKey ?? host.expectedHostKey,
        offered,
      },
    });
  }

  private async drop(name: string): Promise<void> {
    const pooled = this.pool.get(name);
    if (!pooled) return;
    this.pool.delete(name);
    const client = await pooled.client.catch(() => null);
    client?.end();
  }

  private forget(name: string, entry: Pooled): void {
    if (this.pool.get(name) === entry) this.pool.delete(name);
  }
}

function changedKey(host: SshHost, offered: string): SshError {
  return new SshError(
    'host-key',
    `${host.name}'s host key changed: it offered ${offered}, but ${host.hostKey} is pinned (since ${host.pinnedAt}). Someone may be intercepting the connection, or the host was reinstalled. Nothing was sent. Check the key on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub); only if the change is expected, remove the host (paddock ssh rm ${host.name}) and add it again.`,
    offered,
  );
}

function unexpectedKey(host: SshHost, offered: string): SshError {
  return new SshError(
    'host-key',
    `${host.name} offered the host key ${offered}, not ${host.expectedHostKey} given with --fingerprint when it was added. Nothing was sent or pinned. Check the fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then remove the host (paddock ssh rm ${host.name}) and add it again with the right one.`,
    offered,
  );
}

function checkExecOptions(command: string, options: SshExecOptions): void {
  if (command.trim() === '' || command.includes('\0'))
    throw new SshError('invalid', 'A command is non-empty text without NUL characters.');
  if (!(options.timeoutMs > 0) || !(options.maxOutputBytes >= 0))
    throw new SshError(
      'invalid',
      'A command needs a positive timeout and an output cap of 0 or more bytes.',
    );
}
