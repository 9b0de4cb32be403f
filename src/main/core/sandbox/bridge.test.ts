/**
 * The bridge script in a real bubblewrap sandbox: bridges come up before the command starts, and
 * go when it ends. The sandbox's init waits for every process in it, so a bridge left running
 * would keep the sandbox (and its namespaces) alive after its command.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processesNaming, sandboxAvailable } from '../../../test-support/sandbox-host';
import { bridgeCommand } from './bridge';

const dirs: string[] = [];

/** Outside /tmp, which the sandbox replaces (like the red-team fixtures). */
function tempFixture(): string {
  const base = join(process.cwd(), '.test-tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'bridge-'));
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

// Skipped (and so listed by `npm test`) only where bubblewrap or socat cannot run.
describe.skipIf(!sandboxAvailable)('the loopback bridge script', () => {
  it('reaches the socket from inside, and leaves nothing running after the command', () =>
    withHostService('hello from the host\n', async (socket, dir) => {
      const sandbox = bridged(dir, { socket, port: 4567 }, 'cat < /dev/tcp/127.0.0.1/4567');
      let output = '';
      sandbox.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = (await once(sandbox, 'exit')) as [number];
      expect(output).toBe('hello from the host\n');
      expect(code).toBe(0);
      await expect.poll(() => processesNaming(socket), { timeout: 3000 }).toEqual([]);
    }));

  it('leaves nothing running when the sandbox is killed from outside (a spare thrown away)', () =>
    withHostService('', async (socket, dir) => {
      const sandbox = bridged(dir, { socket, port: 4568 }, 'echo up; exec sleep 600');
      await once(sandbox.stdout as NodeJS.ReadableStream, 'data');
      sandbox.kill('SIGKILL');
      await once(sandbox, 'exit');
      await expect.poll(() => processesNaming(socket), { timeout: 3000 }).toEqual([]);
    }));
});

/** A host service on a Unix socket in a fresh fixture, answering every connection with `reply`. */
async function withHostService(
  reply: string,
  test: (socket: string, dir: string) => Promise<void>,
): Promise<void> {
  const dir = tempFixture();
  dirs.push(dir);
  const socket = join(dir, 'svc.sock');
  const server = createServer((connection) => connection.end(reply));
  server.listen(socket);
  await once(server, 'listening');
  try {
    await test(socket, dir);
  } finally {
    server.close();
  }
}

/** `script` in bash, in a bare bubblewrap sandbox with one bridge in front of it. */
function bridged(dir: string, bridge: { socket: string; port: number }, script: string) {
  return spawn(
    'bwrap',
    [
      ...['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'],
      ...['--bind', dir, dir, '--unshare-all', '--die-with-parent', '--'],
      ...bridgeCommand([bridge]),
      ...['/bin/bash', '-c', script],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}
