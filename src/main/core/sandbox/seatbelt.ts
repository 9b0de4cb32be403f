/**
 * The macOS sandbox: a Seatbelt (SBPL) profile for `sandbox-exec`, generated from a SandboxSpec.
 *
 * The shape follows the two profiles real coding agents run under: OpenAI Codex's
 * (codex-rs/sandboxing/src/seatbelt_base_policy.sbpl: `(deny default)` plus the process, sysctl
 * and Mach allowances node, git and a shell need) and Anthropic's sandbox-runtime
 * (src/sandbox/macos-sandbox-utils.ts: reads open but for denied regions, writes only where
 * allowed, renames of protected paths and their ancestors denied). Codex's base is the stricter
 * of the two (fewer Mach services), so that is the base here.
 *
 * No path ever appears in the profile's text: every path is a parameter (`(param "WORKSPACE")`),
 * given to sandbox-exec as `-D NAME=value`. The text depends only on how many paths each list
 * holds, the number of bridges and `ownTerminal`, so no path can break out of its string (a quote,
 * a parenthesis) and the text can be compared with a golden file.
 *
 * Not expressible here: a private /tmp (the host's is simply out of reach), masks that read as
 * empty files (masked files are unreadable instead), a new terminal session (the terminal devices
 * are refused instead), and the resource limits (Seatbelt has none; the launcher's job).
 */
import { access, constants } from 'node:fs/promises';
import { posix } from 'node:path';
import type { SandboxBackend, SandboxSpec, SandboxWrapper } from './spec';

/** Only this one: a `sandbox-exec` found on PATH could be anyone's. */
export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

/**
 * The host's shared scratch space, hidden like the person's home: the private /tmp of the Linux
 * sandbox has no Seatbelt equivalent, so the host's temp directories are out of reach instead
 * (the agent's TMPDIR is its own). /private/var/folders holds every user's per-user temp and
 * cache directories.
 */
const HOST_SCRATCH = ['/private/tmp', '/private/var/tmp', '/private/var/folders'];

/** Where the data volume can be reached a second time, by its firmlinked address. */
const DATA_VOLUME = '/System/Volumes/Data';

/** Symbolic links at the root of macOS: Seatbelt matches the resolved path, /private/... */
const ROOT_LINKS = ['/tmp', '/var', '/etc'];

export interface SeatbeltProfile {
  profile: string;
  params: Record<string, string>;
}

/** The parameter names each list of the spec was given, in the spec's order. */
interface Keys {
  writable: string[];
  readOnly: string[];
  hidden: string[];
  readOnlyInWorkspace: string[];
  masked: string[];
  blocked: string[];
  unmovable: string[];
  bridges: string[];
}

export function seatbeltProfile(spec: SandboxSpec): SeatbeltProfile {
  const params: Record<string, string> = {};
  const workspace = checkedPath(spec.workspace, 'workspace');
  // Checked like every path, though only the launcher uses it (TMPDIR); it is one of `writable`.
  checkedPath(spec.tmpDir, 'tmpDir');
  params.WORKSPACE = workspace;
  const list = (prefix: string, values: readonly string[]) =>
    values.map((value, index) => {
      const key = `${prefix}_${index}`;
      params[key] = value;
      return key;
    });
  const checked = (field: string, values: readonly string[]) =>
    values.map((path, index) => checkedPath(path, `${field}[${index}]`));
  const frozen = {
    readOnlyInWorkspace: checked('readOnlyInWorkspace', spec.readOnlyInWorkspace),
    masked: checked('masked', spec.masked),
    blocked: checked('blocked', spec.blocked),
  };
  // Pinned directories have no rule of their own: they are among the unmovable paths.
  const pinned = checked('pinned', spec.pinned);
  const protectedPaths = [...Object.values(frozen).flat(), ...pinned];
  const keys: Keys = {
    writable: list('WRITABLE', checked('writable', spec.writable)),
    readOnly: list('READONLY', checked('readOnly', spec.readOnly)),
    hidden: list('HIDDEN', checked('hidden', spec.hidden)),
    readOnlyInWorkspace: list('READONLY_IN_WORKSPACE', frozen.readOnlyInWorkspace),
    masked: list('MASKED', frozen.masked),
    blocked: list('BLOCKED', frozen.blocked),
    unmovable: list('UNMOVABLE', unmovablePaths(protectedPaths, workspace)),
    bridges: list(
      'BRIDGE',
      spec.bridges.map((bridge, index) => loopbackAddress(bridge.port, index)),
    ),
  };
  return { profile: profileText(keys, spec.ownTerminal), params };
}

/**
 * A protected path and every directory above it up to and including the workspace: none of them
 * may be renamed or removed, or the protected path could be moved away and made again.
 */
export function lineage(path: string, workspace: string): string[] {
  if (!isInside(path, workspace))
    throw new Error(
      `Sandbox path ${JSON.stringify(path)} is protected but not inside the workspace ${JSON.stringify(workspace)}`,
    );
  const chain = [path];
  let dir = path;
  while (dir !== workspace) {
    dir = posix.dirname(dir);
    chain.push(dir);
  }
  return chain;
}

function unmovablePaths(protectedPaths: readonly string[], workspace: string): string[] {
  return [...new Set(protectedPaths.flatMap((path) => lineage(path, workspace)))];
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/**
 * An absolute path as Seatbelt will see it, or an Error naming it. A NUL would cut the `-D` value
 * short and a line break has no business in a path. Seatbelt matches the kernel's resolved path,
 * so /tmp, /var and /etc (symbolic links into /private) are rewritten; any other link in a path
 * must already be resolved by the caller.
 */
export function checkedPath(path: string, what: string): string {
  const named = `Sandbox path ${JSON.stringify(path)} (${what})`;
  if (/[\0\n\r]/.test(path)) throw new Error(`${named} contains a NUL or a line break`);
  if (!posix.isAbsolute(path)) throw new Error(`${named} is not absolute`);
  const normal = posix.normalize(path).replace(/(.)\/+$/, '$1');
  return ROOT_LINKS.some((link) => isInside(normal, link)) ? `/private${normal}` : normal;
}

/** Seatbelt's loopback address form: the host may only be `localhost` (127.0.0.1 and ::1). */
function loopbackAddress(port: number, index: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`Sandbox bridge ${index} has no valid port: ${String(port)}`);
  return `localhost:${port}`;
}

// --- The profile's text: built from parameter names only. -------------------------------------

const param = (key: string) => `(param "${key}")`;
const subpath = (key: string) => `(subpath ${param(key)})`;
const literal = (key: string) => `(literal ${param(key)})`;
/** The same path reached through the data volume's firmlink (/System/Volumes/Data/Users/...). */
const aliasOf = (filter: 'subpath' | 'literal', key: string) =>
  `(${filter} (string-append "${DATA_VOLUME}" ${param(key)}))`;

/**
 * One rule after its comment; neither without filters (a bare `(allow file-write*)` would allow
 * everything, and a comment without its rule would describe nothing).
 */
function rule(why: readonly string[], head: string, filters: readonly string[]): string[] {
  if (filters.length === 0) return [];
  const last = filters.length - 1;
  return [
    ...why.map((line) => `; ${line}`),
    `(${head}`,
    ...filters.map((filter, i) => `  ${filter}${i === last ? ')' : ''}`),
  ];
}

function profileText(keys: Keys, ownTerminal: boolean): string {
  return [
    ...BASE,
    ...readRules(keys),
    ...writeRules(keys),
    ...DEVICES,
    ...(ownTerminal ? OWN_TERMINAL : NO_TERMINAL),
    ...networkRules(keys),
  ].join('\n');
}

/** Codex's base policy (codex-rs/sandboxing/src/seatbelt_base_policy.sbpl), which runs node, git and shells. */
const BASE = [
  '(version 1)',
  '',
  '; Closed by default: what is not allowed below is refused.',
  '(deny default)',
  '',
  '; Precedence: every rule matching an operation is considered and the last one in this profile',
  '; decides, so a deny written after an allow wins, and an allow after a deny wins. One exception',
  '; is avoided: a later wildcard rule (file-read*) does not override an earlier rule naming a single',
  '; operation (file-read-data) on the same path, so each deny and its allow name the same operations.',
  '',
  '; Processes: children inherit this profile; signals and process information stay inside it.',
  '(allow process-exec)',
  '(allow process-fork)',
  '(allow signal (target same-sandbox))',
  '(allow process-info* (target same-sandbox))',
  '',
  '; System information (not kern.procargs2: it reads the arguments and environment of any',
  "; of the person's processes, Paddock's among them).",
  '(allow sysctl-read',
  ...[
    'hw.activecpu',
    'hw.busfrequency_compat',
    'hw.byteorder',
    'hw.cacheconfig',
    'hw.cachelinesize_compat',
    'hw.cpufamily',
    'hw.cpufrequency',
    'hw.cpufrequency_compat',
    'hw.cputype',
    'hw.l1dcachesize_compat',
    'hw.l1icachesize_compat',
    'hw.l2cachesize_compat',
    'hw.l3cachesize_compat',
    'hw.logicalcpu',
    'hw.logicalcpu_max',
    'hw.machine',
    'hw.memsize',
    'hw.model',
    'hw.ncpu',
    'hw.nperflevels',
    'hw.packages',
    'hw.pagesize',
    'hw.pagesize_compat',
    'hw.physicalcpu',
    'hw.physicalcpu_max',
    'hw.tbfrequency_compat',
    'hw.vectorunit',
    'kern.argmax',
    'kern.hostname',
    'kern.maxfilesperproc',
    'kern.maxproc',
    'kern.osproductversion',
    'kern.osrelease',
    'kern.ostype',
    'kern.osvariant_status',
    'kern.osversion',
    'kern.secure_kernel',
    'kern.usrstack64',
    'kern.version',
    'machdep.cpu.brand_string',
    'sysctl.proc_cputype',
    'vm.loadavg',
  ].map((name) => `  (sysctl-name "${name}")`),
  ...[
    'hw.optional.arm.',
    'hw.optional.armv8_',
    'hw.perflevel',
    'kern.proc.pgrp.',
    'kern.proc.pid.',
    'net.routetable.',
  ].map((prefix) => `  (sysctl-name-prefix "${prefix}")`),
  ')',
  '; Java reads its CPU type through a sysctl write.',
  '(allow sysctl-write (sysctl-name "kern.grade_cputype"))',
  '; os.cpus() in node (libuv asks the host port for processor information).',
  '(allow mach-host*)',
  '(allow iokit-open (iokit-registry-entry-class "RootDomainUserClient"))',
  '',
  '; Mach services: user lookups (getpwuid), power management, and read-only preferences. No',
  '; others: no Launch Services (open), no Apple Events, no keychain, no trustd (it reaches the',
  '; network for the agent).',
  '(allow mach-lookup',
  '  (global-name "com.apple.system.opendirectoryd.libinfo")',
  '  (global-name "com.apple.PowerManagement.control")',
  '  (global-name "com.apple.cfprefsd.daemon")',
  '  (global-name "com.apple.cfprefsd.agent")',
  '  (local-name "com.apple.cfprefsd.agent"))',
  '(allow user-preference-read)',
  '(allow ipc-posix-shm-read* (ipc-posix-name-prefix "apple.cfprefs."))',
  '; Semaphores (Python multiprocessing).',
  '(allow ipc-posix-sem)',
  '',
];

/**
 * Reads: open, but for the hidden paths (and the host's scratch space), where only the paths the
 * session needs are readable again; masked files are never readable. Each step overrides the one
 * before it because it comes later (see Precedence).
 */
function readRules(keys: Keys): string[] {
  const rebound = ['WORKSPACE', ...keys.writable, ...keys.readOnly];
  return [
    '; Reads: everywhere, but...',
    '(allow file-read*)',
    ...rule(
      ['...not in the hidden paths and the host scratch space, by either of their addresses...'],
      'deny file-read*',
      [
        ...keys.hidden.flatMap((key) => [subpath(key), aliasOf('subpath', key)]),
        ...HOST_SCRATCH.flatMap((dir) => [
          `(subpath "${dir}")`,
          `(subpath "${DATA_VOLUME}${dir}")`,
        ]),
      ],
    ),
    ...rule(
      [
        '...except, written later so it wins, in what the session uses: the workspace, the writable',
        'and the read-only paths...',
      ],
      'allow file-read*',
      rebound.map(subpath),
    ),
    ...rule(
      ['...and the directories above them, looked at (stat) but not listed, so realpath() works.'],
      'allow file-read-metadata',
      rebound.map((key) => `(path-ancestors ${param(key)})`),
    ),
    ...rule(
      [
        'Masked files: unreadable even inside the workspace (last, so nothing above re-allows them).',
      ],
      'deny file-read*',
      keys.masked.flatMap(everyWay),
    ),
    '',
  ];
}

/** A path as a file (literal) and as a directory (subpath), at both of its addresses. */
function everyWay(key: string): string[] {
  return [literal(key), subpath(key), aliasOf('literal', key), aliasOf('subpath', key)];
}

/**
 * Writes: nowhere (deny default) but the workspace and the writable paths; then, written later
 * so they win, the read-only paths, the protected paths in the workspace, and the renames.
 */
function writeRules(keys: Keys): string[] {
  const frozen = [...keys.readOnlyInWorkspace, ...keys.masked, ...keys.blocked];
  return [
    ...rule(
      ['Writes: only in the workspace and the writable paths.'],
      'allow file-write*',
      ['WORKSPACE', ...keys.writable].map(subpath),
    ),
    ...rule(
      ['Never in the read-only paths, even inside a writable one.'],
      'deny file-write*',
      keys.readOnly.map(subpath),
    ),
    ...rule(
      [
        'Never on the protected paths of the workspace: read-only, masked and blocked ones, as a',
        'file and as a directory, existing or not (a blocked path may not be created at all).',
      ],
      'deny file-write*',
      frozen.flatMap((key) => [literal(key), subpath(key)]),
    ),
    ...rule(
      [
        'Renaming is unlinking the old name: a protected path, a pinned directory and every directory',
        'up to the workspace keep their names, so none can be moved away and made again.',
      ],
      'deny file-write-unlink',
      keys.unmovable.map(literal),
    ),
    '; No hard links (none is allowed above; said here so nothing later allows one): a second name',
    '; in the workspace would make a read-only file writable (the object store, .git/config, the',
    "; person's programs) or a hidden one readable. Git falls back to renaming.",
    '(deny file-link)',
    '',
  ];
}

/** Device files every tool writes to (Codex's base and its platform defaults). */
const DEVICES = [
  "; Devices: /dev/null, /dev/zero, the dtrace helper and the process's own descriptors.",
  '(allow file-write-data file-ioctl',
  '  (literal "/dev/null")',
  '  (literal "/dev/zero")',
  '  (literal "/dev/dtracehelper"))',
  '(allow file-read-data file-write-data (subpath "/dev/fd"))',
  '',
];

/** A terminal Paddock made for this process: usable, and new ones may be opened (openpty). */
const OWN_TERMINAL = [
  "; Terminal: the session's own pseudo-terminal, and new ones.",
  '(allow pseudo-tty)',
  '(allow file-read* file-write* file-ioctl',
  '  (literal "/dev/ptmx")',
  '  (literal "/dev/tty")',
  '  (regex #"^/dev/ttys[0-9]+$"))',
  '',
];

/**
 * Without a terminal of its own the process cannot start a new session (sandbox-exec has no
 * setsid), so the terminal Paddock was started from is refused instead: no TIOCSTI into it.
 */
const NO_TERMINAL = [
  '; No terminal: the process runs on pipes; the terminal Paddock runs on is out of reach.',
  '(deny file-read* file-write* file-ioctl',
  '  (literal "/dev/ptmx")',
  '  (literal "/dev/tty")',
  '  (regex #"^/dev/ttys[0-9]+$"))',
  '',
];

/**
 * Network: nothing but the bridges' ports on the host's loopback (no bridge process is needed on
 * macOS: the agent reaches 127.0.0.1:PORT directly), and Unix sockets under the paths the session
 * may write, so no socket of the host (ssh agent, docker, tmux) is reachable.
 */
function networkRules(keys: Keys): string[] {
  const writable = ['WORKSPACE', ...keys.writable];
  return [
    '; Network: none, but for what the rules after this one allow.',
    '(deny network*)',
    ...rule(
      ['The bridged ports on the loopback (each parameter is "localhost:PORT").'],
      'allow network-outbound',
      keys.bridges.map((key) => `(remote ip ${param(key)})`),
    ),
    '; Unix sockets in the workspace and the writable paths.',
    '(allow system-socket (socket-domain AF_UNIX))',
    ...rule(
      [],
      'allow network-bind',
      writable.map((key) => `(local unix-socket ${subpath(key)})`),
    ),
    ...rule(
      [],
      'allow network-outbound',
      writable.map((key) => `(remote unix-socket ${subpath(key)})`),
    ),
    '',
  ];
}

// --- The backend. ------------------------------------------------------------------------------

/**
 * sandbox-exec's usage: `sandbox-exec [-p profile] [-D key=value ...] command [arguments ...]`.
 * `--` ends its options, so an agent's program named `-x` is not read as one. The environment is
 * the launcher's (it spawns with spec.env and sets TMPDIR=spec.tmpDir; sandbox-exec passes it on
 * unchanged), and so is the working directory (the workspace).
 */
export function seatbeltArgs(spec: SandboxSpec): string[] {
  const { profile, params } = seatbeltProfile(spec);
  const definitions = Object.entries(params).flatMap(([key, value]) => ['-D', `${key}=${value}`]);
  return ['-p', profile, ...definitions, '--'];
}

export interface SeatbeltHost {
  platform: NodeJS.Platform;
  /** Whether a program exists and may be run. */
  runnable(path: string): Promise<boolean>;
}

const thisHost: SeatbeltHost = {
  platform: process.platform,
  runnable: (path) =>
    access(path, constants.X_OK).then(
      () => true,
      () => false,
    ),
};

export function seatbeltBackend(host: SeatbeltHost = thisHost): SandboxBackend {
  return {
    name: 'seatbelt',
    problem: () => seatbeltProblem(host),
    wrap: (spec): SandboxWrapper => ({ file: SANDBOX_EXEC, args: seatbeltArgs(spec) }),
  };
}

async function seatbeltProblem(host: SeatbeltHost): Promise<string | null> {
  if (host.platform !== 'darwin')
    return `sandbox-exec is macOS only (this is ${host.platform}): use the bubblewrap sandbox on Linux.`;
  if (!(await host.runnable(SANDBOX_EXEC)))
    return `${SANDBOX_EXEC} is missing or cannot be run. It is part of macOS: reinstall or update the system.`;
  return null;
}
