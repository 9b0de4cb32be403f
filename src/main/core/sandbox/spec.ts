/**
 * What a sandbox must enforce for one process tree, in terms every backend can express: which
 * paths are writable, readable, hidden or masked, which loopback ports reach the host, and the
 * resource limits. `sandboxSpec` (session-spec.ts) computes it for a session; a backend turns it
 * into a wrapper command (bubblewrap on Linux, sandbox-exec on macOS).
 */

export interface SandboxLimits {
  /** Processes and threads the tree may have at once. */
  processes: number;
  /** Resident memory of the tree, in MiB (cgroups only). */
  memoryMiB: number;
  /** CPU time of any one process, in seconds. */
  cpuSeconds: number;
  /** Largest file any process may write, in MiB. */
  fileMiB: number;
  /** How much the workspace and the session's temp dir may grow, in MiB. */
  diskMiB: number;
  /** Size of the private /tmp, in MiB. */
  tmpMiB: number;
}

/** One host service reached from inside as `127.0.0.1:port`, through a Unix socket. */
export interface LoopbackBridge {
  port: number;
  /** The host end: a Unix socket Paddock listens on, inside the session's private directory. */
  socket: string;
}

export interface SandboxSpec {
  /** The session's clone: writable, the working directory. */
  workspace: string;
  /** Other writable directories: the session's private HOME and its temp dir. */
  writable: readonly string[];
  /** The session's temp dir (TMPDIR); one of `writable`. */
  tmpDir: string;
  /** Readable, never writable: the project's object store, Paddock's install, the agent's program. */
  readOnly: readonly string[];
  /**
   * Hidden entirely (an empty directory stands in): the person's home, Paddock's home, the
   * workspaces root, the project's checkout. What `workspace`, `writable` and `readOnly` name
   * inside them is bound back.
   */
  hidden: readonly string[];
  /** Inside the workspace: existing files and directories that stay read-only (.git/config, .git/hooks). */
  readOnlyInWorkspace: readonly string[];
  /** Inside the workspace: directories that cannot be renamed or removed (.git, .claude, .vscode). */
  pinned: readonly string[];
  /** Inside the workspace: existing files seen empty and read-only (`.env` files, unless allowed). */
  masked: readonly string[];
  /**
   * Inside the workspace: protected paths that do not exist and must not be created
   * (`.mcp.json`, `.claude/settings.json`, ...): the known escape is a file that appears later and
   * is then trusted by a tool outside the sandbox.
   */
  blocked: readonly string[];
  /**
   * What masks and blocks are made of: an empty file (masks), a file holding `{}` (blocks of JSON
   * files: tools read them as empty settings, where a directory would be an error), and an empty
   * directory (other blocks: git never sees one, so it lands in no commit or diff).
   */
  emptyFile: string;
  emptyJson: string;
  emptyDir: string;
  /** A seccomp filter (classic BPF) that refuses terminal injection (see seccomp.ts). */
  seccompFilter: string;
  /** The agent's whole environment (TMPDIR is set to `tmpDir` on top). */
  env: Readonly<Record<string, string>>;
  bridges: readonly LoopbackBridge[];
  limits: SandboxLimits;
  /** The session's control group: a `cgroup.procs` per hierarchy to join before anything starts. */
  cgroupJoin: readonly string[];
  /**
   * Whether the process runs on a terminal of its own (a session's pseudo-terminal). Without one
   * it starts a new terminal session, so it cannot reach the terminal Paddock was started from.
   */
  ownTerminal: boolean;
}

/** A backend's wrapper: the process started is `file` with `[...args, agentFile, ...agentArgs]`. */
export interface SandboxWrapper {
  file: string;
  args: string[];
}

export interface SandboxBackend {
  readonly name: 'bubblewrap' | 'seatbelt';
  /** Null when the backend can run here; otherwise what is wrong and how to fix it. */
  problem(): Promise<string | null>;
  wrap(spec: SandboxSpec): SandboxWrapper;
  /**
   * A sandbox started ahead of its command: limited, in the session's control group, set up, and
   * waiting for the command (`spareCommand`: program and arguments, NUL-separated) on its fd 3.
   * Joining a control group costs a grace period of the kernel's RCU (milliseconds on a busy
   * machine) and bwrap's mounts cost more: a spare pays both before the command is known.
   */
  spare?(spec: SandboxSpec): SandboxWrapper;
  spareCommand?(command: readonly string[]): Buffer;
}
