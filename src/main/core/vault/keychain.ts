/**
 * The OS keychain, behind an interface so the vault does not care which library reaches it. The one
 * implementation is keytar (service `Paddock`): the Secret Service on Linux (gnome-keyring,
 * KeePassXC, … on the D-Bus session bus), the login keychain on macOS, Credential Manager on
 * Windows. When none answers, every call fails with a VaultError that says what to install or
 * start; there is no fallback to a file.
 */
import { randomBytes } from 'node:crypto';
import { VaultError } from './errors';

export const KEYCHAIN_SERVICE = 'Paddock';

/** Items of one keychain service, by account name. */
export interface Keychain {
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** True when there was an item to delete. */
  delete(account: string): Promise<boolean>;
}

export interface KeytarKeychainOptions {
  /** The keychain service items are filed under (default `Paddock`). */
  service?: string;
  /** How long one call may take before it counts as no answer (default 60 s: an unlock prompt). */
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

let keytarModule: Promise<Keytar> | null = null;

/** keytar loads on first use: its native module links libsecret, which most commands never need. */
function loadKeytar(): Promise<Keytar> {
  keytarModule ??= import('keytar').then(
    (mod) => ((mod as { default?: Keytar }).default ?? mod) as Keytar,
  );
  return keytarModule;
}

export function keytarKeychain(options: KeytarKeychainOptions = {}): Keychain {
  const service = options.service ?? KEYCHAIN_SERVICE;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const platform = options.platform ?? process.platform;
  const call = async <T>(work: (keytar: Keytar) => Promise<T>): Promise<T> => {
    let keytar: Keytar;
    try {
      keytar = await loadKeytar();
    } catch (error) {
      keytarModule = null;
      throw new VaultError(
        'keychain',
        `No keychain is reachable: Paddock's keychain module (keytar) did not load (${detail(error)}). Reinstall Paddock's dependencies; on Linux keytar needs libsecret (sudo apt-get install libsecret-1-0). Paddock never keeps secrets in a plain file instead.`,
      );
    }
    try {
      return await withTimeout(work(keytar), timeoutMs);
    } catch (error) {
      throw new VaultError('keychain', explainKeychainError(error, platform));
    }
  };
  return {
    get: (account) => call((k) => k.getPassword(service, account)),
    set: (account, value) => call((k) => k.setPassword(service, account, value)),
    delete: (account) => call((k) => k.deletePassword(service, account)),
  };
}

/**
 * Null when the keychain answers (a test item is stored, read back and deleted), else a plain
 * message saying what to install or start.
 */
export async function keychainProblem(
  keychain: Keychain = keytarKeychain(),
  platform: NodeJS.Platform = process.platform,
): Promise<string | null> {
  // Its own account per probe, so two processes probing at once do not delete each other's item.
  const account = `probe:${randomBytes(8).toString('hex')}`;
  const token = randomBytes(16).toString('hex');
  try {
    await keychain.set(account, token);
    const back = await keychain.get(account);
    await keychain.delete(account);
    if (back !== token)
      return `The keychain stored a test item but gave ${back === null ? 'nothing' : 'something else'} back. Check that its Secret Service provider works (try another one, e.g. gnome-keyring), then try again. Paddock never keeps secrets in a plain file instead.`;
    return null;
  } catch (error) {
    return error instanceof VaultError && error.kind === 'keychain'
      ? error.message
      : explainKeychainError(error, platform);
  }
}

const NO_FILE = 'Paddock never keeps secrets in a plain file instead.';
const HEADLESS =
  'Run Paddock inside a desktop session, or, on a headless machine, under dbus-run-session with gnome-keyring-daemon --unlock: dbus-run-session -- sh -c \'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; paddock …\'.';

/** What a keychain failure means and what to do about it, for the platform it happened on. */
export function explainKeychainError(error: unknown, platform: NodeJS.Platform): string {
  const why = detail(error);
  if (error instanceof KeychainTimeout)
    return `No keychain is reachable: it did not answer within ${Math.round(error.ms / 1000)} s (it may be locked and waiting for its password in a prompt). Unlock it and try again. ${NO_FILE}`;
  if (platform === 'darwin')
    return `No keychain is reachable: the macOS login keychain refused (${why}). Run Paddock as the logged-in user with the login keychain unlocked (Keychain Access, login, Unlock). ${NO_FILE}`;
  if (platform === 'win32')
    return `No keychain is reachable: Windows Credential Manager refused (${why}). Run Paddock as a signed-in user. ${NO_FILE}`;
  if (
    /autolaunch|could not connect|connection refused|address element|DBUS_SESSION_BUS_ADDRESS|failed to connect|unknown or unsupported transport/i.test(
      why,
    )
  )
    return `No keychain is reachable: there is no D-Bus session bus to find a Secret Service on (${why}). ${HEADLESS} ${NO_FILE}`;
  if (
    /org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service files|name has no owner/i.test(
      why,
    )
  )
    return `No keychain is reachable: nothing provides the Secret Service (org.freedesktop.secrets) on the D-Bus session bus (${why}). Install and start gnome-keyring (sudo apt-get install gnome-keyring; it starts with a desktop session, or run gnome-keyring-daemon --unlock --components=secrets) or another Secret Service provider, such as KeePassXC with its Secret Service integration on. ${HEADLESS} ${NO_FILE}`;
  if (/locked|prompt|dismiss|collection|does not exist at path/i.test(why))
    return `No keychain is reachable: the Secret Service keychain is locked or has no default keyring (${why}). Unlock it: log in to your desktop session (it unlocks the login keyring), or start gnome-keyring-daemon --unlock with the keyring's password on its standard input. ${NO_FILE}`;
  return `No keychain is reachable: the Secret Service keychain refused (${why}). Check that gnome-keyring or another Secret Service provider runs, unlocked, on this session's D-Bus. ${NO_FILE}`;
}

class KeychainTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KeychainTimeout(ms)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function detail(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
