/**
 * An agent's process in a pseudo-terminal. node-pty starts it as the leader of its own session and
 * process group, so pause, resume and stop reach every process the agent started.
 */
import { spawn as spawnPty, type IPty } from 'node-pty';

export interface SpawnRequest {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  /** Where stop's SIGTERM and pause's SIGSTOP go (a sandbox's agent); default: the whole group. */
  signalTargets?: ((leaderPid: number) => number[]) | null;
}

export interface AgentProcess {
  pid: number;
  /** The bytes exactly as the terminal produced them (invalid UTF-8 included). */
  onData(listener: (data: Buffer) => void): void;
  onExit(listener: (exit: { exitCode: number; signal: number | null }) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  /** Stops (true) or restarts (false) reading the terminal: the agent blocks on a full pty. */
  holdOutput(hold: boolean): void;
  /** SIGTERM to the group, then SIGKILL after `graceMs` if anything is left. */
  stop(graceMs: number): void;
}

export function spawnAgent(request: SpawnRequest): AgentProcess {
  const pty: IPty = spawnPty(request.file, request.args, {
    name: request.env.TERM ?? 'xterm-256color',
    cols: request.cols,
    rows: request.rows,
    cwd: request.cwd,
    env: request.env,
    // Bytes, not text: the recording must hold exactly what the agent printed.
    encoding: null,
  });
  let exited = false;
  pty.onExit(() => (exited = true));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pty.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  /**
   * The group, or the sandbox's agent processes: SIGTERM must reach the agent, not the sandbox (it
   * would take the agent down with SIGKILL); SIGSTOP and SIGCONT go to both, so processes that
   * left the group (a shell's jobs) pause too.
   */
  const signalAgent = (signal: NodeJS.Signals) => {
    if (!request.signalTargets) return signalGroup(signal);
    if (signal !== 'SIGTERM') signalGroup(signal);
    for (const pid of request.signalTargets(pty.pid)) {
      try {
        process.kill(pid, signal);
      } catch {
        // exited meanwhile
      }
    }
  };
  return {
    pid: pty.pid,
    // With `encoding: null` node-pty hands over Buffers; its typings only know strings.
    onData: (listener) =>
      void pty.onData((data: string | Buffer) =>
        listener(Buffer.isBuffer(data) ? data : Buffer.from(data)),
      ),
    onExit: (listener) =>
      void pty.onExit(({ exitCode, signal }) => listener({ exitCode, signal: signal ?? null })),
    write: (data) => pty.write(data),
    resize: (cols, rows) => pty.resize(cols, rows),
    pause: () => signalAgent('SIGSTOP'),
    holdOutput: (hold) => (hold ? pty.pause() : pty.resume()),
    resume: () => signalAgent('SIGCONT'),
    stop: (graceMs) => {
      signalAgent('SIGCONT'); // a paused group cannot act on SIGTERM
      signalAgent('SIGTERM');
      // The group's SIGKILL reaches the sandbox's leader; its namespace dies with it.
      setTimeout(() => {
        if (!exited) signalGroup('SIGKILL');
      }, graceMs).unref();
    },
  };
}
