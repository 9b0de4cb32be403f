/**
 * The bridge script in a real bubblewrap sandbox: bridges come up before the command starts, and
 * go when it ends. The sandbox's init waits for every process in it, so a bridge left running
 * would keep the sandbox (and its namespaces) alive after its command.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeCommand } from './bridge';

const available =
  spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', 'true']).status === 0 &&
  existsSync('/usr/bin/socat');
const dirs: string[] = [];

/** Outside /tmp, which the sandbox replaces (like the red-team fixtures). */
function tempFixture(): string {
  const base = join(process.cwd(), '.test-tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'bridge-'));
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function processesNaming(text: string): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return command.includes(text) && !command.includes('vitest') ? [command] : [];
      } catch {
        return [];
      }
    });
}

// Skipped (and so listed by `npm test`) only where bubblewrap or socat cannot run.
describe.skipIf(!available)('the loopback bridge script', () => {
  it('reaches the socket from inside, and leaves nothing running after the command', async () => {
    const dir = tempFixture();
    dirs.push(dir);
    const socket = join(dir, 'svc.sock');
    const server = createServer((connection) => connection.end('hello from the host\n'));
    server.listen(socket);
    await once(server, 'listening');
    try {
      const sandbox = spawn(
        'bwrap',
        [
          ...['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'],
          ...['--bind', dir, dir, '--unshare-all', '--die-with-parent', '--'],
          ...bridgeCommand([{ socket, port: 4567 }]),
          ...['/bin/bash', '-c', 'cat < /dev/tcp/127.0.0.1/4567'],
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      sandbox.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = (await once(sandbox, 'exit')) as [number];
      expect(output).toBe('hello from the host\n');
      expect(code).toBe(0);
      await expect.poll(() => processesNaming(socket), { timeout: 3000 }).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('leaves nothing running when the sandbox is killed from outside (a spare thrown away)', async () => {
    const dir = tempFixture();
    dirs.push(dir);
    const socket = join(dir, 'spare.sock');
    const server = createServer((connection) => connection.end());
    server.listen(socket);
    await once(server, 'listening');
    try {
      const sandbox = spawn(
        'bwrap',
        [
          ...['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'],
          ...['--bind', dir, dir, '--unshare-all', '--die-with-parent', '--'],
          ...bridgeCommand([{ socket, port: 4568 }]),
          ...['/bin/bash', '-c', 'echo up; exec sleep 600'],
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await once(sandbox.stdout, 'data');
      sandbox.kill('SIGKILL');
      await once(sandbox, 'exit');
      await expect.poll(() => processesNaming(socket), { timeout: 3000 }).toEqual([]);
    } finally {
      server.close();
    }
  });
});
