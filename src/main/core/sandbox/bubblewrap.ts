/**
 * The Linux sandbox: bubblewrap arguments that contain one session's process tree.
 *
 * The shape: the root is read-only; the places that hold what an agent must never see are
 * replaced by empty in-memory directories (the person's home, Paddock's home, /run and the other
 * socket directories); /tmp is a private, size-capped one. Then only what the session needs is
 * bound back in: its workspace (writable, with the clone's `.git/config` and `.git/hooks'
 * read-only, since git runs what they name later), its private home and temp dir (writable), and
 * what it reads (the project's object store, Paddock's install). Own user, PID, IPC, UTS, cgroup
 * and network namespaces (no network at all: loopback bridges carry the hook endpoint in), its
 * own /proc, killed with Paddock, and only the launcher's environment.
 *
 * Start bwrap itself with the launcher's environment only (node-pty does, with the spawn plan's
 * env): its own reaper process keeps the environment it was started with, visible in its /proc.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { bridgeCommand } from './bridge';
import type { SandboxBackend, SandboxSpec } from './spec';

/** Socket and runtime directories of the host: D-Bus (and the keyring), docker, the ssh agent. */
const HOST_RUNTIME = ['/run', '/var/run', '/var/lib/docker', '/var/tmp'];
const MIB = 1024 * 1024;

/** Only the outermost of nested directories: hiding a parent hides what is inside it. */
function outermost(dirs: readonly string[]): string[] {
  const inside = (dir: string, parent: string) => dir !== parent && dir.startsWith(`${parent}/`);
  return [...new Set(dirs)].filter((dir) => !dirs.some((other) => inside(dir, other)));
}

/** A directory that is not a symbolic link (/var/run is one to /run: hiding /run hides both). */
function isRealDir(path: string): boolean {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  return stats !== undefined && stats.isDirectory();
}

/** The bwrap argv up to and including `--`; the command to run comes after it. */
export function bubblewrapArgs(spec: SandboxSpec): string[] {
  // Hidden places under /tmp are hidden again inside the private /tmp (mounted first): bwrap makes
  // the folders that lead to a bound path there, and they must be read-only like any hidden place.
  const hidden = outermost([...HOST_RUNTIME, ...spec.hidden].filter(isRealDir));
  return [
    ...['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'],
    ...['--size', String(spec.limits.tmpMiB * MIB), '--tmpfs', '/tmp'],
    ...hidden.flatMap((dir) => ['--tmpfs', dir]),
    ...spec.readOnly.flatMap((path) => ['--ro-bind-try', path, path]),
    ...[spec.workspace, ...spec.writable].flatMap((dir) => ['--bind', dir, dir]),
    ...workspaceRules(spec),
    // Hidden stays hidden and read-only: nothing written there could be mistaken for the real
    // files. (Mounts bound inside, like the workspace, keep their own flags.)
    ...hidden.flatMap((dir) => ['--remount-ro', dir]),
    '--unshare-all',
    ...['--seccomp', '9'],
    // Without a terminal of its own, the process would share the one Paddock was started from:
    // a new session keeps TIOCSTI from typing into it. A session's pseudo-terminal is its own
    // (Paddock made it for this agent), so there the agent keeps it as its controlling terminal:
    // resizes, job control and Paddock's pause and stop reach it.
    ...(spec.ownTerminal ? [] : ['--new-session']),
    '--die-with-parent',
    '--clearenv',
    ...Object.entries({ ...spec.env, TMPDIR: spec.tmpDir }).flatMap(([name, value]) => [
      '--setenv',
      name,
      value,
    ]),
    ...['--chdir', spec.workspace, '--'],
  ];
}

/**
 * Inside the writable workspace: directories pinned (bound onto themselves: a mount point cannot
 * be renamed or removed, so `.git` cannot be swapped for one with another config), paths made
 * read-only, files masked by an empty one, and missing paths blocked by a read-only stand-in
 * (bwrap makes its mount point on the host; the service removes it after the session).
 */
function workspaceRules(spec: SandboxSpec): string[] {
  return [
    ...spec.pinned.filter(isRealDir).flatMap((dir) => ['--bind', dir, dir]),
    ...spec.readOnlyInWorkspace.filter((path) => existsSync(path)).flatMap(roBind),
    ...spec.masked.flatMap((path) => ['--ro-bind', spec.emptyFile, path]),
    ...spec.blocked.flatMap((path) => [
      '--ro-bind',
      path.endsWith('.json') ? spec.emptyJson : spec.emptyDir,
      path,
    ]),
  ];
}

function roBind(path: string): string[] {
  return ['--ro-bind', path, path];
}

/** The programs the Linux sandbox runs, where Debian and most distributions install them. */
const PROGRAMS = {
  bwrap: { paths: ['/usr/bin/bwrap', '/bin/bwrap'], package: 'bubblewrap' },
  socat: { paths: ['/usr/bin/socat', '/bin/socat'], package: 'socat' },
} as const;

/**
 * Runs before bwrap, in the shell that becomes bwrap: the rlimits (CPU seconds per process, the
 * largest file in 512-byte blocks, no core dumps, the number of processes: `-u` in bash, `-p` in
 * dash), then the session's control group; both are inherited by everything bwrap starts; and
 * the seccomp filter opened for bwrap. One shell instead of prlimit plus a shell: each exec costs
 * a command a millisecond or two. Values and paths are arguments, never part of the script:
 *   sh -c PRELUDE paddock-sandbox CPU FILE_BLOCKS PROCESSES SECCOMP_FILE CGROUP_PROCS... -- bwrap ...
 */
const PRELUDE = [
  'ulimit -t "$1" && ulimit -f "$2" && ulimit -c 0 &&',
  '  { ulimit -u "$3" 2>/dev/null || ulimit -p "$3"; } ||',
  '  { echo "paddock: the sandbox could not set its limits" >&2; exit 125; }',
  // bwrap reads the seccomp filter from fd 9 (`--seccomp 9`).
  'exec 9<"$4" || { echo "paddock: the sandbox could not read its seccomp filter" >&2; exit 125; }',
  'shift 4',
  'while [ "$1" != -- ]; do',
  '  echo $$ > "$1" || { echo "paddock: the sandbox could not join its control group" >&2; exit 125; }',
  '  shift',
  'done',
  'shift',
  'exec "$@"',
].join('\n');

function programPath(name: keyof typeof PROGRAMS): string | null {
  return PROGRAMS[name].paths.find((path) => existsSync(path)) ?? null;
}

/** bubblewrap, started by the prelude that sets its limits. */
export function bubblewrapBackend(): SandboxBackend {
  return {
    name: 'bubblewrap',
    problem: bubblewrapProblem,
    wrap: (spec) => {
      const prelude = preludeFor(spec);
      return {
        ...prelude,
        args: [...prelude.args, ...bubblewrapArgs(spec), ...bridgeCommand(spec.bridges)],
      };
    },
    spare: (spec) => {
      const prelude = preludeFor(spec);
      return {
        ...prelude,
        args: [
          ...prelude.args,
          ...bubblewrapArgs(spec),
          // The bridges first, as for any run: a piped command reaches the proxy and hooks too.
          ...bridgeCommand(spec.bridges),
          '/bin/bash',
          '-c',
          TRAMPOLINE,
          'paddock-command',
        ],
      };
    },
    spareCommand: (command) => {
      if (command.some((arg) => arg.includes('\0')))
        throw new Error('a command argument holds a NUL byte');
      return Buffer.from(command.map((arg) => `${arg}\0`).join(''));
    },
  };
}

/**
 * Inside a spare sandbox: reads the command from fd 3 (NUL-separated) and becomes it, so its exit
 * status is the command's. Nothing read (Paddock went away) is exit 125.
 */
const TRAMPOLINE =
  'mapfile -d "" -t -u 3 argv; exec 3<&-; [ ${#argv[@]} -gt 0 ] || exit 125; exec "${argv[@]}"';

/** The prelude up to and including the bwrap program: what follows are bwrap's arguments. */
function preludeFor(spec: SandboxSpec): { file: string; args: string[] } {
  const bwrap = programPath('bwrap');
  if (!bwrap) throw new Error('bubblewrap is missing');
  const { limits, cgroupJoin } = spec;
  return {
    file: '/bin/sh',
    args: [
      '-c',
      PRELUDE,
      'paddock-sandbox',
      String(limits.cpuSeconds),
      String((limits.fileMiB * MIB) / 512),
      String(limits.processes),
      spec.seccompFilter,
      ...cgroupJoin,
      '--',
      bwrap,
    ],
  };
}

async function bubblewrapProblem(): Promise<string | null> {
  for (const name of ['bwrap', 'socat'] as const) {
    if (!programPath(name))
      return `${name} is not installed. Install it: \`sudo apt-get install ${PROGRAMS[name].package}\` (or run scripts/install-system-deps.sh).`;
  }
  const bwrap = programPath('bwrap') as string;
  const failed = await new Promise<string | null>((resolve) =>
    execFile(
      bwrap,
      ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '--', '/bin/true'],
      { timeout: 10_000 },
      (error, _stdout, stderr) => resolve(error ? stderr.trim() || error.message : null),
    ),
  );
  if (!failed) return null;
  return `bubblewrap cannot make its namespaces here (${failed}). Allow unprivileged user namespaces: \`sudo sysctl kernel.unprivileged_userns_clone=1\`, or on Ubuntu 24.04+ \`sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0\` (or an AppArmor profile for bwrap).`;
}
