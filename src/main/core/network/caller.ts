/**
 * Which command opened a connection to the proxy: the best guess Paddock has, for the question a
 * person is asked. The proxy sees the bridge (socat inside the sandbox), not its caller, so the
 * guess is read from /proc: the session's processes that hold a TCP connection to the proxy's
 * port inside the sandbox. Linux only; elsewhere, and when nothing is found, there is no guess.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const ESTABLISHED = '01';
const MAX_COMMAND = 300;

/** Command lines of the processes among `pids` connected to 127.0.0.1:`port` in their network. */
export function connectedCommands(pids: readonly number[], port: number): string[] {
  if (pids.length === 0 || process.platform !== 'linux') return [];
  // Each sandbox run has a network of its own (and bwrap itself sits in the host's): read the
  // connection table once per network the session's processes are in.
  const inodes = new Set<string>();
  for (const pid of onePerNetwork(pids))
    for (const inode of socketsTo(pid, port)) inodes.add(inode);
  if (inodes.size === 0) return [];
  const commands = new Set<string>();
  for (const pid of pids) {
    if (!holdsSocket(pid, inodes)) continue;
    const command = commandLine(pid);
    if (command && !command.startsWith('socat ')) commands.add(command);
  }
  return [...commands];
}

function onePerNetwork(pids: readonly number[]): number[] {
  const seen = new Map<string, number>();
  for (const pid of pids) {
    try {
      const network = readlinkSync(`/proc/${pid}/ns/net`);
      if (!seen.has(network)) seen.set(network, pid);
    } catch {
      // the process is gone
    }
  }
  return [...seen.values()];
}

/** Socket inodes of established TCP connections to 127.0.0.1:port, in `pid`'s network namespace. */
function socketsTo(pid: number, port: number): Set<string> {
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  try {
    for (const line of readFileSync(`/proc/${pid}/net/tcp`, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[2] === remote && fields[3] === ESTABLISHED && fields[9]) inodes.add(fields[9]);
    }
  } catch {
    // the process is gone
  }
  return inodes;
}

function holdsSocket(pid: number, inodes: ReadonlySet<string>): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return match !== null && inodes.has(match[1] ?? '');
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

function commandLine(pid: number): string | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return (
      argv
        .join(' ')
        .replace(/[^\x20-\x7e]/g, '?')
        .slice(0, MAX_COMMAND) || null
    );
  } catch {
    return null;
  }
}
