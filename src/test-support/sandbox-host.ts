/**
 * What the sandbox tests need to know of this machine, and to see on it. For tests only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createCgroup } from '../main/core/sandbox';

/**
 * Whether bubblewrap can make a sandbox here (installed, user namespaces allowed) and socat is
 * there for its bridges. scripts/install-system-deps.sh installs both.
 */
export const sandboxAvailable =
  spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', 'true']).status === 0 &&
  existsSync('/usr/bin/socat');

/** Whether Paddock may make control groups here (root, or delegated). */
export function cgroupsAvailable(): boolean {
  const probe = createCgroup(`probe-${process.pid}`, { processes: 10, memoryMiB: 64 });
  void probe?.remove();
  return probe !== null;
}

/** Host processes (but the test runner's own) whose command line names `text`: `pid: command`. */
export function processesNaming(text: string): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return command.includes(text) && !command.includes('vitest')
          ? [`${pid}: ${command.slice(0, 160)}`]
          : [];
      } catch {
        return [];
      }
    });
}
