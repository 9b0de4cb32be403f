/**
 * A real Secret Service for tests: gnome-keyring on a private D-Bus session, with a throwaway HOME
 * and password, started by the test itself.
 *
 * `dbus-run-session` owns the bus and runs a small shell that starts `gnome-keyring-daemon
 * --unlock --components=secrets` (the password on its stdin), prints the bus address, and waits on
 * its own stdin. Closing that stdin (stop(), or this process dying) stops the keyring, and
 * dbus-run-session then stops the bus: nothing outlives the test run.
 *
 * libsecret reads DBUS_SESSION_BUS_ADDRESS once, when it first connects, and keeps the connection
 * for the life of the process: in vitest, call `useSecretService()` (secret-service.ts) at the top of
 * a test file, before anything touches the keychain. This file does not import vitest, so the
 * Playwright tests can start one too and hand its address to the host they launch.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretService {
  /** The private bus's address (DBUS_SESSION_BUS_ADDRESS). */
  address: string;
  /** The throwaway HOME the keyring keeps its files in. */
  home: string;
  /** The keyring daemon's and the bus's output, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/** No service activation: only the keyring this helper starts can own org.freedesktop.secrets. */
const BUS_CONFIG = (
  socket: string,
) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

const SCRIPT = `
IFS= read -r password
keyring=
if [ "$KEYRING" = yes ]; then
  printf '%s' "$password" | gnome-keyring-daemon --foreground --unlock --components=secrets >>"$LOG" 2>&1 &
  keyring=$!
fi
echo "address=$DBUS_SESSION_BUS_ADDRESS"
read _ignored
if [ -n "$keyring" ]; then kill "$keyring" 2>/dev/null; wait "$keyring" 2>/dev/null; fi
exit 0
`;

export interface SecretServiceOptions {
  /** False: the bus alone, with nothing providing the Secret Service on it. */
  keyring?: boolean;
  timeoutMs?: number;
}

export async function startSecretService(
  options: SecretServiceOptions = {},
): Promise<SecretService> {
  const keyring = options.keyring ?? true;
  const timeoutMs = options.timeoutMs ?? 15_000;
  // Short: a unix socket path has room for about 100 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'pdk-keyring-'));
  const home = join(dir, 'home');
  const runtime = join(dir, 'run');
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(runtime, { mode: 0o700 });
  const config = join(dir, 'bus.conf');
  writeFileSync(config, BUS_CONFIG(join(dir, 'bus')));
  const logFile = join(dir, 'keyring.log');
  let output = '';
  const child: ChildProcessWithoutNullStreams = spawn(
    'dbus-run-session',
    [`--config-file=${config}`, '--', 'sh', '-c', SCRIPT],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        XDG_RUNTIME_DIR: runtime,
        XDG_DATA_HOME: join(home, '.local', 'share'),
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_CACHE_HOME: join(home, '.cache'),
        LOG: logFile,
        KEYRING: keyring ? 'yes' : 'no',
      },
    },
  );
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let gone: string | null = null;
  child.once('error', (error) => (gone = error.message));
  child.once('exit', (code, signal) => (gone ??= `exited (${code ?? signal})`));
  const log = () => {
    let daemon = '';
    try {
      daemon = readFileSync(logFile, 'utf8');
    } catch {
      // not written yet
    }
    return `${output}${daemon}`;
  };
  const stop = async () => {
    child.stdin.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  };
  child.stdin.write('paddock-test-keyring\n');

  try {
    const deadline = Date.now() + timeoutMs;
    let address = '';
    while (!address) {
      address = /^address=(.+)$/m.exec(output)?.[1]?.trim() ?? '';
      if (gone) throw new Error(`dbus-run-session ${gone}`);
      if (Date.now() > deadline) throw new Error('no bus address within the time allowed');
      if (!address) await sleep(20);
    }
    // The keyring owns org.freedesktop.secrets once it has read its password and unlocked.
    while (keyring && !(await secretsOwned(address))) {
      if (gone) throw new Error(`dbus-run-session ${gone}`);
      if (Date.now() > deadline)
        throw new Error('gnome-keyring-daemon did not take org.freedesktop.secrets in time');
      await sleep(50);
    }
    return { address, home, log, stop };
  } catch (error) {
    const why = (error as Error).message;
    const said = log();
    await stop();
    throw new Error(
      `Could not start a private Secret Service (${why}). It needs dbus-run-session (dbus-daemon) and gnome-keyring-daemon: scripts/install-system-deps.sh installs them.\n${said}`,
      { cause: error },
    );
  }
}

function secretsOwned(address: string): Promise<boolean> {
  return new Promise((resolve) =>
    execFile(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.secrets',
      ],
      { env: { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: address }, timeout: 2000 },
      (error, stdout) => resolve(!error && /boolean true/.test(stdout)),
    ),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
