/**
 * A command run once, through exactly the launcher an agent goes through, with pipes instead of
 * a terminal: for scripts, CI and the quality gates. Its output passes through unchanged and is
 * recorded (redacted) as the session's terminal output.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { AgentPreset, SpawnPlan } from '../agents';
import { launchCommand } from '../agents';
import { spawnAgent } from './agent-process';

export interface ExecIo {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

/** How a command runs in an existing session (`execIn`); the quality gates set these. */
export interface ExecOptions {
  /** Another work tree of the session's (the landing checkout) instead of its workspace. */
  workTree?: string;
  /** The session's network (its proxy, under the policy); false: none at all. Default true. */
  network?: boolean;
  /** Killed (SIGKILL) after this long; the result says it timed out. */
  timeoutMs?: number;
}

/** The preset a one-shot command runs as: the command itself, no task, no declared environment. */
export function commandPreset(argv: readonly string[]): AgentPreset {
  const [command, ...args] = argv;
  if (!command) throw new Error('exec needs a command');
  return {
    id: 'exec',
    name: 'command',
    command,
    args,
    task: { kind: 'none' },
    resume: {},
    env: {},
    homeSetup: 'none',
    bundled: false,
    install: 'install it, or give its absolute path',
    builtIn: false,
  };
}

/** Where a run's output is recorded: a session's terminal, or a `session.exec` event's blob. */
export interface OutputSink {
  output(chunk: Buffer): void;
}

/**
 * Runs the plan with pipes; resolves with the exit code (128 + N when signal N ended it). The
 * signal kills it (SIGKILL: a sandbox's breach).
 */
export function runWithPipes(
  plan: SpawnPlan,
  io: ExecIo,
  recorder: OutputSink,
  signal?: AbortSignal,
): Promise<number> {
  const { file, args } = launchCommand(plan);
  return new Promise((resolve, reject) => {
    const ready = plan.wrapper?.spawnPiped;
    const child = ready
      ? ready([plan.file, ...plan.args])
      : spawn(file, args, { cwd: plan.cwd, env: plan.env, stdio: ['ignore', 'pipe', 'pipe'] });
    signal?.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
    child.stdout?.on('data', (chunk: Buffer) => {
      io.stdout(chunk);
      recorder.output(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      io.stderr(chunk);
      recorder.output(chunk);
    });
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)),
    );
  });
}

/** Runs the plan in a pseudo-terminal; its output (one stream, as a terminal has) goes to stdout. */
export function runInTerminal(
  plan: SpawnPlan,
  io: ExecIo,
  recorder: OutputSink,
  size: { cols: number; rows: number },
  signal?: AbortSignal,
): Promise<number> {
  const { file, args } = launchCommand(plan);
  const signalTargets = plan.wrapper?.signalTargets ?? null;
  const agent = spawnAgent({ file, args, cwd: plan.cwd, env: plan.env, ...size, signalTargets });
  signal?.addEventListener('abort', () => agent.stop(0), { once: true });
  agent.onData((chunk) => {
    io.stdout(chunk);
    recorder.output(chunk);
  });
  return new Promise((resolve) =>
    agent.onExit(({ exitCode, signal }) => resolve(signal ? 128 + signal : exitCode)),
  );
}
