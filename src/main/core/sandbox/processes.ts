/**
 * The processes inside a sandbox, found from the host. A sandboxed tree is bwrap (the pty's
 * leader), bwrap's init inside the new PID namespace, then the agent and what it started. A polite
 * stop must reach the agent, not bwrap: bwrap dies on SIGTERM and takes the namespace down with
 * SIGKILL before the agent could save anything. And processes that left the group (a shell's jobs)
 * are still below the leader, since the namespace's init adopts orphans.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcessEntry {
  pid: number;
  ppid: number;
}

/** The leader's descendants that are inside a PID namespace below it, except that namespace's init. */
export function sandboxedProcesses(leader: number): number[] {
  const below = descendants(leader, processTable());
  return below.filter((pid) => {
    const ids = namespacePids(pid);
    return ids.length > 1 && ids[ids.length - 1] !== 1;
  });
}

function processTable(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: read after its last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      entries.push({ pid: Number(name), ppid: Number(fields[1]) });
    } catch {
      // exited while listing
    }
  }
  return entries;
}

function descendants(root: number, table: readonly ProcessEntry[]): number[] {
  const found: number[] = [];
  const pending = [root];
  for (let parent = pending.pop(); parent !== undefined; parent = pending.pop()) {
    for (const entry of table) {
      if (entry.ppid !== parent) continue;
      found.push(entry.pid);
      pending.push(entry.pid);
    }
  }
  return found;
}

/** The process's pid in each PID namespace, outermost first (the `NSpid` line). */
function namespacePids(pid: number): number[] {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('NSpid:'));
    return line ? line.slice(6).trim().split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}
