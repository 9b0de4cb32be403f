/**
 * A real OpenSSH server for tests: Debian's sshd on 127.0.0.1 and a free port, with a throwaway
 * host key and client key in a temp dir, its own sshd_config (no PAM, public keys only) and the
 * current user as the one who logs in. `restartWithNewHostKey()` comes back on the same port with
 * another host key, as a reinstalled (or impersonated) host would.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';
const START_TIMEOUT_MS = 10_000;

export interface TestSshd {
  port: number;
  /** The host key's fingerprint, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
  /** An unencrypted OpenSSH Ed25519 private key that the server accepts. */
  clientPrivateKey: string;
  user: string;
  /** What sshd printed (for a failing test's message). */
  log(): string;
  /** Same port and client key, a new host key. */
  restartWithNewHostKey(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'pdk-sshd-'));
  const user = userInfo().username;
  const clientKey = makeKey(dir, 'client');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  mkdirSync(join(dir, 'home'));
  makePrivilegeSeparationDir();
  const port = await freePort();
  const state = { hostKey: makeKey(dir, 'host'), process: null as ChildProcess | null, log: '' };
  const config = join(dir, 'sshd_config');
  const launch = async () => {
    writeFileSync(config, sshdConfig(dir, port, state.hostKey, user));
    state.process = await startProcess(config, (text) => (state.log += text));
  };
  const stopProcess = async () => {
    const child = state.process;
    state.process = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
  };
  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const sshd: TestSshd = {
    port,
    hostKeyFingerprint: fingerprintOf(state.hostKey),
    clientPrivateKey: readFileSync(clientKey, 'utf8'),
    user,
    log: () => state.log,
    async restartWithNewHostKey() {
      await stopProcess();
      rmSync(state.hostKey);
      rmSync(`${state.hostKey}.pub`);
      state.hostKey = makeKey(dir, 'host');
      sshd.hostKeyFingerprint = fingerprintOf(state.hostKey);
      await launch();
    },
    async stop() {
      await stopProcess();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sshd;
}

function sshdConfig(dir: string, port: number, hostKey: string, user: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `AllowUsers ${user}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    // Tests run as root here and in CI: by key only.
    'PermitRootLogin prohibit-password',
    'PrintMotd no',
    // The login shell reads its start-up files from here, not from the user's own home: a
    // .bashrc that runs pyenv costs 400 ms a command and would make every test (and figure) slow.
    `SetEnv HOME=${join(dir, 'home')}`,
    'LogLevel INFO',
    '',
  ].join('\n');
}

/** Resolves once sshd listens; rejects with what it said if it exits or stays silent. */
function startProcess(config: string, log: (text: string) => void): Promise<ChildProcess> {
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new Error(
          `The test SSH server (${SSHD}) did not start: ${why}. It needs Debian's openssh-server (scripts/install-system-deps.sh installs it) and, when run as root, /run/sshd.\n${said}`,
        ),
      );
    };
    const timer = setTimeout(
      () => fail(`no "Server listening" within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const onOutput = (chunk: Buffer) => {
      said += chunk.toString();
      log(chunk.toString());
      if (/Server listening on/.test(said)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(`it exited (${code ?? signal})`);
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', onExit);
    child.once('error', (error) => fail(error.message));
  });
}

function makeKey(dir: string, name: string): string {
  const file = join(dir, `${name}_ed25519`);
  keygen(['-q', '-t', 'ed25519', '-N', '', '-C', `paddock-test-${name}`, '-f', file]);
  return file;
}

function fingerprintOf(keyFile: string): string {
  const line = keygen(['-lf', `${keyFile}.pub`]);
  const fingerprint = /SHA256:[A-Za-z0-9+/]{43}/.exec(line)?.[0];
  if (!fingerprint) throw new Error(`ssh-keygen -lf printed no SHA256 fingerprint: ${line}`);
  return fingerprint;
}

function keygen(args: string[]): string {
  try {
    return execFileSync('ssh-keygen', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(
      `The test SSH server needs ssh-keygen (Debian's openssh-client; scripts/install-system-deps.sh installs it): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** sshd running as root refuses to start without its privilege separation directory. */
function makePrivilegeSeparationDir(): void {
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
