/** A `paddock serve` started detached, for work that must outlive the command that asked for it. */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, paddockPaths } from '../main/core/home';
import { readEndpoint, type Endpoint } from '../main/transport/endpoint';
import { UsageError } from './output';

/** Starts `paddock serve` detached (for work that must outlive this command) and waits until it serves. */
export async function startInBackground(home: string, port = 0): Promise<Endpoint> {
  const paths = paddockPaths(home);
  const running = readEndpoint(paths.endpoint);
  if (running && isAlive(running.pid)) return running;
  ensurePrivateDir(paths.run);
  const log = openSync(join(paths.run, 'serve.log'), 'a', 0o600);
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] as string, 'serve', '--port', String(port)],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, PADDOCK_HOME: home },
    },
  );
  closeSync(log);
  child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  await waitFor(
    () => readEndpoint(paths.endpoint)?.pid === child.pid || exited !== null,
    15_000,
    'the background host to start',
  );
  const endpoint = readEndpoint(paths.endpoint);
  if (!endpoint || endpoint.pid !== child.pid) {
    throw new UsageError(
      `The background host did not start (exit ${exited}). Its log: ${join(paths.run, 'serve.log')}`,
    );
  }
  return endpoint;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new UsageError(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether `pid` still runs: an exited process nobody has reaped yet (a zombie) does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false; // gone (or another user's: a pid reused, not ours to wait for)
  }
  try {
    // Linux: the state follows the command name in parentheses; Z is a zombie.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): the signal said it runs
  }
}
