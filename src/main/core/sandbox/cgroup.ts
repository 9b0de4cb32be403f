/**
 * Per-session control groups: the limits rlimits cannot give (processes for root, memory of the
 * whole tree), and a way to tell that one was hit. cgroup v2 where Paddock may create groups under
 * the root, else the v1 `pids` and `memory` hierarchies; where neither is writable (an unprivileged
 * person on most desktops, without systemd delegation), there is no group and rlimits alone hold.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CgroupLimits {
  processes: number;
  memoryMiB: number;
}

/** How often each limit was hit so far (the kernel's counters only grow). */
export interface BreachCounts {
  processes: number;
  memory: number;
}

export interface SessionCgroup {
  /** One `cgroup.procs` per hierarchy: a process joins by writing its pid into each. */
  joinFiles: string[];
  /** Sets the limits again (the settings may have changed since the group was made). */
  apply(limits: CgroupLimits): void;
  counts(): BreachCounts;
  /** The limit hit since `before`, if one was. */
  breach(before: BreachCounts): string | null;
  /** SIGKILL to every process in the group, until none is left. */
  killAll(): void;
  /** Removes the group, waiting (a little) for killed processes to be gone. */
  remove(): Promise<void>;
}

const ROOT = '/sys/fs/cgroup';
const MIB = 1024 * 1024;

/** A group named `name` with the limits, or null where this machine gives Paddock no cgroups. */
export function createCgroup(
  name: string,
  limits: CgroupLimits,
  root = ROOT,
): SessionCgroup | null {
  try {
    if (existsSync(join(root, 'cgroup.controllers'))) return createV2(name, limits, root);
    if (existsSync(join(root, 'pids', 'cgroup.procs'))) return createV1(name, limits, root);
  } catch {
    // Not writable (not root, no delegation): no group.
  }
  return null;
}

function createV2(name: string, limits: CgroupLimits, root: string): SessionCgroup {
  const parent = join(root, 'paddock');
  mkdirSync(parent, { recursive: true });
  writeFileSync(join(root, 'cgroup.subtree_control'), '+pids +memory');
  writeFileSync(join(parent, 'cgroup.subtree_control'), '+pids +memory');
  const dir = join(parent, name);
  mkdirSync(dir);
  // An out-of-memory kill takes the whole tree, not one process of it.
  writeFileSync(join(dir, 'memory.oom.group'), '1');
  const procs = join(dir, 'cgroup.procs');
  const group = withCounters(
    {
      joinFiles: [procs],
      apply: (next) => {
        writeFileSync(join(dir, 'pids.max'), String(next.processes));
        writeFileSync(join(dir, 'memory.max'), String(next.memoryMiB * MIB));
      },
      killAll: () => killEvery(procs),
      remove: () => removeDirs([dir]),
    },
    () => ({
      processes: counter(join(dir, 'pids.events'), 'max'),
      memory: counter(join(dir, 'memory.events'), 'oom_kill'),
    }),
  );
  group.apply(limits);
  return group;
}

function createV1(name: string, limits: CgroupLimits, root: string): SessionCgroup {
  const pids = join(root, 'pids', 'paddock', name);
  const memory = join(root, 'memory', 'paddock', name);
  mkdirSync(pids, { recursive: true });
  const dirs = [pids];
  try {
    mkdirSync(memory, { recursive: true });
    dirs.push(memory);
  } catch {
    // No writable memory hierarchy: the process limit still holds.
  }
  const hasMemory = dirs.includes(memory);
  const group = withCounters(
    {
      joinFiles: dirs.map((dir) => join(dir, 'cgroup.procs')),
      apply: (next) => {
        writeFileSync(join(pids, 'pids.max'), String(next.processes));
        if (hasMemory)
          writeFileSync(join(memory, 'memory.limit_in_bytes'), String(next.memoryMiB * MIB));
      },
      // v1 kills one process when memory runs out; the watcher then kills the rest through here.
      killAll: () => killEvery(join(pids, 'cgroup.procs')),
      remove: () => removeDirs(dirs),
    },
    () => ({
      processes: counter(join(pids, 'pids.events'), 'max'),
      memory: hasMemory ? counter(join(memory, 'memory.oom_control'), 'oom_kill') : 0,
    }),
  );
  group.apply(limits);
  return group;
}

/** The group with its counters, and breaches read as counters that grew (limits as applied last). */
function withCounters(
  group: Omit<SessionCgroup, 'counts' | 'breach'>,
  counts: () => BreachCounts,
): SessionCgroup {
  let applied: CgroupLimits = { processes: 0, memoryMiB: 0 };
  return {
    ...group,
    // Written only when changed: a memory limit write can make the kernel reclaim at once.
    apply: (limits) => {
      if (limits.processes === applied.processes && limits.memoryMiB === applied.memoryMiB) return;
      applied = { ...limits };
      group.apply(limits);
    },
    counts,
    breach: (before) => {
      const now = counts();
      if (now.processes > before.processes)
        return `it reached its limit of ${applied.processes} processes`;
      if (now.memory > before.memory) return `it ran out of its ${applied.memoryMiB} MiB of memory`;
      return null;
    },
  };
}

/** `key N` from a flat keyed file (pids.events, memory.events, memory.oom_control). */
function counter(file: string, key: string): number {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${key} `));
    return line ? Number(line.slice(key.length + 1)) : 0;
  } catch {
    return 0;
  }
}

function killEvery(procsFile: string): void {
  // New processes can appear while the old ones die (the process limit bounds how many).
  for (let round = 0; round < 100; round++) {
    const pids = readPids(procsFile);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}

export function readPids(procsFile: string): number[] {
  try {
    return readFileSync(procsFile, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A group with processes cannot be removed (EBUSY): killed ones take a moment to go. */
async function removeDirs(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        rmdirSync(dir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EBUSY') break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }
}
