/**
 * The sandbox service: for one run of a session's process tree (the agent, its set-up command, a
 * gate's command), the spec of what it may touch, the host-side preparation that spec needs, and
 * the wrapper that enforces it. After the run, `release` undoes what preparation made.
 *
 * Fail closed: where no backend can run, `contain` throws with what to install or change; a
 * session runs unsandboxed only when the person says so for that session.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Writable } from 'node:stream';
import { basename, dirname, join } from 'node:path';
import { runGit, runGitBuffer } from '../git';
import { bubblewrapBackend } from './bubblewrap';
import { bridgeDir } from './bridge-dir';
import { createCgroup, readPids, type SessionCgroup } from './cgroup';
import { SandboxUnavailableError } from './errors';
import { watchLimits } from './limits-watch';
import { sandboxedProcesses } from './processes';
import { terminalInjectionFilter } from './seccomp';
import { seatbeltBackend } from './seatbelt';
import type { LoopbackBridge, SandboxBackend, SandboxLimits, SandboxSpec } from './spec';
import {
  envFiles,
  GIT_CONTROL,
  isEnvFile,
  PINNED,
  prepareWorkspace,
  PROTECTED_FILES,
  removeEmptyDirs,
  removeStandIns,
  requireNoLinks,
  type PreparedWorkspace,
} from './workspace-guard';

export { SandboxUnavailableError };

export interface SandboxServiceOptions {
  /** $PADDOCK_HOME: hidden from every session. */
  paddockHome: string;
  /** Where workspaces are made (other sessions' workspaces are hidden too). */
  workspacesRoot: () => string;
  limits: () => SandboxLimits;
  /**
   * Paddock's own node_modules: readable, so bundled agents run. Only that folder: Paddock's
   * install may be a checkout under your home, with its own `.env` and history beside it.
   */
  installModules?: string;
  personHome?: string;
  /** Default: bubblewrap on Linux, Seatbelt on macOS, none elsewhere. */
  backend?: SandboxBackend | null;
  /** How often the limits are checked (cgroup counters; disk use, which walks the workspace). */
  breachPollMs?: number;
  diskPollMs?: number;
}

export interface ContainRequest {
  sessionId: string;
  /** $PADDOCK_HOME/sessions/<id>: the session's private directory. */
  sessionDir: string;
  workspace: string;
  sessionHome: string;
  /** The project's checkout: hidden, but for its object store (the workspace borrows it). */
  projectPath: string;
  /** The program started in the sandbox (its directory is made readable if it is hidden). */
  program: string;
  env: Readonly<Record<string, string>>;
  /** Files in hidden places the process must read (the agent's settings, made by Paddock). */
  readable?: readonly string[];
  /**
   * Services Paddock serves on Unix sockets in the session's bridge directory (`bridgeDir`), each
   * reached inside as 127.0.0.1:PORT: the proxy, the hook endpoint, a local model's tunnel.
   * Nothing of the host's own loopback is reachable.
   */
  bridges: readonly LoopbackBridge[];
  /** A session's own pseudo-terminal (true), or pipes from Paddock's process (false). */
  ownTerminal: boolean;
  /** The project policy lets agents read `.env` files. */
  allowEnvFiles: boolean;
  /** The session's base commit (its tracked `.env` files are masked). */
  baseCommit: string;
  /** Workspace paths the set-up copied in from the person's checkout (their `.env` files are masked). */
  copied: readonly string[];
}

export interface ContainedRun {
  backend: SandboxBackend['name'];
  wrapper: {
    file: string;
    args: string[];
    /** The processes a polite signal (stop, pause) goes to: the agent's, not the sandbox's own. */
    signalTargets: ((leaderPid: number) => number[]) | null;
    /**
     * Starts the command (program and arguments) in this sandbox with pipes (stdin ignored), in
     * a process started ahead of it where the backend can: faster than `file` and `args`.
     */
    spawnPiped: ((command: readonly string[]) => ChildProcess) | null;
  };
  /** Stand-ins for blocked files that git would see, relative to the workspace: hide them from git. */
  stubs: string[];
  /** Files seen empty (`.env`), and protected paths that cannot be created: for the record. */
  masked: readonly string[];
  blocked: readonly string[];
  /** Which limits are enforced how (for the audit trail). */
  enforced: { cgroup: boolean; limits: SandboxLimits };
  /** Watches the limits once the process is up; `onBreach` says which one it broke. */
  watch(onBreach: (why: string) => void): void;
  /** After the run's processes are gone: ends the watch and removes what preparation made. */
  release(): Promise<void>;
}

const BREACH_POLL_MS = 500;
const DISK_POLL_MS = 5000;
/** Unix socket paths are limited to 108 bytes by the kernel. */
const MAX_SOCKET_PATH = 100;

export class SandboxService {
  private readonly backend: SandboxBackend | null;
  private problemOnce: Promise<string | null> | null = null;
  /**
   * Per session with a run in its sandbox: how many runs, and the control group they share (made
   * once: a new group per command would cost more than the sandbox itself). What preparation made
   * in the workspace, and the group, go after the last run.
   */
  private readonly live = new Map<string, LiveSandbox>();
  private readonly removing = new Set<Promise<void>>();
  private readonly objectStores = new Map<string, Promise<string>>();
  private readonly trackedEnv = new Map<string, Promise<string[]>>();

  constructor(private readonly options: SandboxServiceOptions) {
    this.backend = options.backend === undefined ? platformBackend() : options.backend;
  }

  get backendName(): SandboxBackend['name'] | 'none' {
    return this.backend?.name ?? 'none';
  }

  /** Waits for the control groups being removed (so none is left behind when Paddock exits). */
  async close(): Promise<void> {
    await Promise.all(this.removing);
  }

  /**
   * The processes in a session's sandboxes now, host pids (from its control group; none where
   * this machine gives Paddock no control groups).
   */
  processes(sessionId: string): number[] {
    return [...this.live]
      .filter(([key]) => sessionOfKey(key) === sessionId)
      .flatMap(([, session]) => {
        const joinFile = session.cgroup?.joinFiles[0];
        return joinFile ? readPids(joinFile) : [];
      });
  }

  /** Null when sessions can be sandboxed here; otherwise what is wrong and how to fix it. */
  problem(): Promise<string | null> {
    this.problemOnce ??= this.backend
      ? this.backend.problem()
      : Promise.resolve(
          `Paddock has no sandbox for ${process.platform} (bubblewrap on Linux, Seatbelt on macOS). Run the session unsandboxed (--unsandboxed) only if you accept an agent with your full access.`,
        );
    return this.problemOnce;
  }

  async contain(request: ContainRequest): Promise<ContainedRun> {
    const problem = await this.problem();
    if (problem || !this.backend)
      throw new SandboxUnavailableError(
        `The sandbox cannot start, so the session does not: ${problem}`,
      );
    const backend = this.backend;
    const [objects, tracked] = await Promise.all([
      this.objectStore(request.projectPath),
      this.trackedEnvFiles(request.projectPath, request.baseCommit),
    ]);
    const envCandidates = [...tracked, ...request.copied];
    const private_ = privateDirOf(request.sessionDir, request.sessionId);
    // While a run of the session lives, its mounts hold these paths as they were checked and
    // prepared: a later run (a gate's command beside the agent) reuses that, and is faster for it.
    const key = liveKey(request);
    const first = !this.live.has(key);
    if (first) {
      preparePrivateDir(private_);
      requireNoLinks(request.workspace, [...GIT_CONTROL, ...PINNED, ...PROTECTED_FILES]);
    }
    checkBridges(private_.bridges, request.bridges);
    const limits = this.options.limits();
    const session = this.join(key, request.sessionId, request.workspace, limits);
    const { cgroup, made } = session;
    const before = cgroup?.counts() ?? { processes: 0, memory: 0 };
    const spec = {
      ...this.spec(request, objects, private_, limits, made.blocked, envCandidates),
      cgroupJoin: cgroup?.joinFiles ?? [],
    };
    const wrapped = backend.wrap(spec);
    const piped = !request.ownTerminal && backend.spare !== undefined && existsSync('/bin/bash');
    const watching: { timers: NodeJS.Timeout[]; report: (why: string | null) => void } = {
      timers: [],
      report: () => undefined,
    };
    return {
      backend: backend.name,
      wrapper: {
        ...wrapped,
        signalTargets:
          request.ownTerminal && backend.name === 'bubblewrap' ? sandboxedProcesses : null,
        spawnPiped: piped ? (command) => this.spawnFromSpare(session, spec, command) : null,
      },
      stubs: first ? made.stubs : [],
      masked: spec.masked,
      blocked: spec.blocked,
      enforced: { cgroup: cgroup !== null, limits },
      watch: (onBreach) =>
        Object.assign(
          watching,
          watchLimits(cgroup, before, spec, onBreach, {
            breach: this.options.breachPollMs ?? BREACH_POLL_MS,
            disk: this.options.diskPollMs ?? DISK_POLL_MS,
          }),
        ),
      release: async () => {
        for (const timer of watching.timers) clearInterval(timer);
        // A tree that broke a limit often ends before the next look (a fork loop fails fast).
        watching.report(cgroup?.breach(before) ?? null);
        session.runs -= 1;
        if (session.runs > 0) return;
        this.live.delete(key);
        if (session.spare) discardSpare(session.spare.child);
        // Nothing of a session outlives its last run: a spare thrown away while bwrap was still
        // setting up waits forever for a parent that is gone, unless it is killed here.
        cgroup?.killAll();
        // In the background: a group whose last process just exited can take a moment to let go.
        if (cgroup) this.removing.add(cgroup.remove());
        // Only after the last run: a block removed under a live sandbox would unmount it there.
        removeStandIns(made.blocked);
        removeEmptyDirs(made.dirs);
      },
    };
  }

  /**
   * The session's shared state, made by its first run: later runs while it lives must block what
   * the first blocked (its stand-ins exist on the host now, and would pass for files).
   */
  private join(
    key: string,
    sessionId: string,
    workspace: string,
    limits: SandboxLimits,
  ): LiveSandbox {
    let session = this.live.get(key);
    if (session) session.cgroup?.apply(limits);
    else {
      const name = `${sessionId}-${randomBytes(3).toString('hex')}`;
      const cgroup = createCgroup(name, limits);
      session = { runs: 0, cgroup, made: prepareWorkspace(workspace), spare: null };
      this.live.set(key, session);
    }
    session.runs += 1;
    return session;
  }

  /**
   * Starts a piped command in the session's spare sandbox when it was made for exactly this one
   * (same mounts, environment, limits: the same argv), else in a new one; then readies the next
   * spare for the next command (a gate runs several in a row).
   */
  private spawnFromSpare(
    session: LiveSandbox,
    spec: SandboxSpec,
    command: readonly string[],
  ): ChildProcess {
    const backend = this.backend;
    if (!backend?.spare || !backend.spareCommand) throw new Error('this sandbox has no spares');
    const wrapper = backend.spare(spec);
    const key = JSON.stringify(wrapper);
    const ready = session.spare;
    session.spare = null;
    const fits = ready?.key === key && ready.child.exitCode === null && !ready.child.signalCode;
    if (ready && !fits) discardSpare(ready.child);
    const child = fits ? ready.child : spawnWaiting(wrapper);
    (child.stdio[3] as Writable).end(backend.spareCommand(command));
    setImmediate(() => {
      if (session.runs > 0 && !session.spare) session.spare = { child: spawnWaiting(wrapper), key };
    });
    return child;
  }

  /**
   * The project's object store, asked of git in the project (never read from the workspace's
   * alternates file: the agent can write that, and it would name what gets bound in).
   */
  private objectStore(projectPath: string): Promise<string> {
    let store = this.objectStores.get(projectPath);
    if (!store) {
      store = runGit(['rev-parse', '--path-format=absolute', '--git-common-dir'], {
        cwd: projectPath,
      }).then((dir) => join(dir.trim(), 'objects'));
      store.catch(() => this.objectStores.delete(projectPath));
      this.objectStores.set(projectPath, store);
    }
    return store;
  }

  /** The `.env` files the project tracks at a commit (what a commit names never changes). */
  private trackedEnvFiles(projectPath: string, commit: string): Promise<string[]> {
    const key = `${projectPath}\0${commit}`;
    let files = this.trackedEnv.get(key);
    if (!files) {
      files = runGitBuffer(['ls-tree', '-r', '-z', '--name-only', commit], {
        cwd: projectPath,
      }).then((out) =>
        out
          .toString('utf8')
          .split('\0')
          .filter((path) => path && isEnvFile(basename(path))),
      );
      files.catch(() => this.trackedEnv.delete(key));
      this.trackedEnv.set(key, files);
    }
    return files;
  }

  private spec(
    request: ContainRequest,
    projectObjects: string,
    private_: PrivateDir,
    limits: SandboxLimits,
    blocked: readonly string[],
    envCandidates: readonly string[],
  ): Omit<SandboxSpec, 'cgroupJoin'> {
    const hidden = this.hiddenDirs(request.projectPath);
    const isHidden = (path: string) =>
      path.startsWith('/tmp/') || hidden.some((dir) => path === dir || path.startsWith(`${dir}/`));
    const program = realpathOr(request.program);
    const reachable = [
      this.options.installModules,
      dirname(dirname(realpathOr(process.execPath))),
      dirname(request.program),
      dirname(program),
    ];
    return {
      workspace: request.workspace,
      writable: [request.sessionHome, private_.tmp],
      tmpDir: private_.tmp,
      readOnly: [
        projectObjects,
        private_.bridges,
        ...(request.readable ?? []),
        ...reachable.filter((path): path is string => !!path && isHidden(path)),
      ],
      hidden,
      readOnlyInWorkspace: GIT_CONTROL.map((path) => join(request.workspace, path)),
      pinned: PINNED.map((dir) => join(request.workspace, dir)),
      masked: request.allowEnvFiles ? [] : envFiles(request.workspace, envCandidates),
      blocked,
      emptyFile: private_.emptyFile,
      emptyJson: private_.emptyJson,
      seccompFilter: private_.seccompFilter,
      emptyDir: private_.emptyDir,
      env: request.env,
      bridges: request.bridges,
      limits,
      ownTerminal: request.ownTerminal,
    };
  }

  private hiddenDirs(projectPath: string): string[] {
    const person = this.options.personHome ?? homedir();
    const runtime = process.env.XDG_RUNTIME_DIR;
    return [
      process.platform === 'darwin' ? '/Users' : '/home',
      '/root',
      person,
      this.options.paddockHome,
      this.options.workspacesRoot(),
      projectPath,
      ...(runtime?.startsWith('/') ? [runtime] : []),
    ];
  }
}

/** Seatbelt matches resolved paths, and a program is often a link into a hidden folder. */
function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function platformBackend(): SandboxBackend | null {
  if (process.platform === 'linux') return bubblewrapBackend();
  if (process.platform === 'darwin') return seatbeltBackend();
  return null;
}

interface LiveSandbox {
  runs: number;
  cgroup: SessionCgroup | null;
  made: PreparedWorkspace;
  /** A sandbox waiting for the next piped command, and the argv it was started with. */
  spare: { child: ChildProcess; key: string } | null;
}

interface PrivateDir {
  tmp: string;
  bridges: string;
  emptyFile: string;
  emptyJson: string;
  emptyDir: string;
  seccompFilter: string;
}

/**
 * A spare sandbox, started with no environment of its own (bwrap sets the command's, and its own
 * stays visible in its /proc). One that dies unused (the session ended) is nobody's error.
 */
function spawnWaiting(wrapper: { file: string; args: string[] }): ChildProcess {
  const child = spawn(wrapper.file, wrapper.args, {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: {},
  });
  child.once('error', () => undefined);
  return child;
}

/** Its pipes are closed too: a pipe no one reads would keep Paddock's process alive. */
function discardSpare(child: ChildProcess): void {
  child.kill('SIGKILL');
  for (const stream of child.stdio) stream?.destroy();
}

/**
 * Runs share a sandbox's state when they are of one session in one work tree. A gate's command in
 * the landing checkout (the change merged onto a moved target) is another tree: it gets state of
 * its own, prepared for that tree, beside the agent's.
 */
function liveKey(request: { sessionId: string; workspace: string }): string {
  return `${request.sessionId}\0${request.workspace}`;
}

function sessionOfKey(key: string): string {
  return key.slice(0, key.indexOf('\0'));
}

function privateDirOf(sessionDir: string, sessionId: string): PrivateDir {
  const base = join(sessionDir, 'sandbox');
  return {
    tmp: join(sessionDir, 'tmp'),
    bridges: bridgeDir(sessionId),
    emptyFile: join(base, 'empty-file'),
    emptyJson: join(base, 'empty.json'),
    emptyDir: join(base, 'empty-dir'),
    seccompFilter: join(base, 'seccomp.bpf'),
  };
}

function preparePrivateDir(dir: PrivateDir): void {
  for (const path of [dir.tmp, dir.bridges, dir.emptyDir])
    mkdirSync(path, { recursive: true, mode: 0o700 });
  if (!existsSync(dir.emptyFile)) writeFileSync(dir.emptyFile, '', { mode: 0o444 });
  if (!existsSync(dir.emptyJson)) writeFileSync(dir.emptyJson, '{}\n', { mode: 0o444 });
  if (!existsSync(dir.seccompFilter))
    writeFileSync(dir.seccompFilter, terminalInjectionFilter(), { mode: 0o444 });
}

/**
 * Bridge sockets must lie in the session's bridge directory, the one folder of the private
 * directory the sandbox sees, and fit a Unix socket path.
 */
function checkBridges(dir: string, bridges: readonly LoopbackBridge[]): void {
  for (const { socket, port } of bridges) {
    if (dirname(socket) !== dir)
      throw new SandboxUnavailableError(`The bridge socket ${socket} is not in ${dir}.`);
    if (socket.length > MAX_SOCKET_PATH)
      throw new SandboxUnavailableError(
        `The session's bridge socket ${socket} is longer than a Unix socket path may be. Give Paddock a shorter home (PADDOCK_HOME).`,
      );
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new SandboxUnavailableError(`The bridge port ${String(port)} is not a port.`);
  }
}
