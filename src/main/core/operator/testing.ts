/**
 * A RemoteShell that runs commands on this machine (`bash -c` in a directory): the host side of
 * the loop's tests and measurements, where what ran can be checked on disk. Not for production:
 * the operator's host is reached over SSH.
 */
import { spawn } from 'node:child_process';
import type { RemoteResult, RemoteRunOptions, RemoteShell } from './remote-shell';

export function localShell(
  cwd: string,
  env: NodeJS.ProcessEnv = { PATH: process.env.PATH },
): RemoteShell {
  return { run: (command, options) => runLocally(command, cwd, env, options) };
}

function runLocally(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  options: RemoteRunOptions,
): Promise<RemoteResult> {
  const started = performance.now();
  const child = spawn('bash', ['-c', command], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const take = (chunk: Buffer) => {
    const room = options.maxOutputBytes - size;
    if (chunk.length > room) truncated = true;
    const kept = chunk.subarray(0, Math.max(0, room));
    size += kept.length;
    if (kept.length) chunks.push(kept);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  // The whole process group, so a command's children end with it.
  const kill = () => {
    if (child.pid !== undefined && child.exitCode === null)
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
  };
  const timer = setTimeout(kill, options.timeoutMs);
  options.signal?.addEventListener('abort', kill, { once: true });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve({
        exitCode: code,
        signal,
        output: Buffer.concat(chunks).toString('utf8'),
        truncated,
        durationMs: performance.now() - started,
      });
    });
  });
}
