import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'src', 'cli', 'index.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `paddock` CLI (from source, through tsx) in a child process; `input` is its stdin. */
export function paddock(
  home: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  input?: string,
): CliResult {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    input,
    env: { ...process.env, PADDOCK_HOME: home, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the CLI and leaves it running (for --follow and long-lived commands). */
export function paddockProcess(home: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, PADDOCK_HOME: home },
  });
}

/** Like `paddock`, without blocking this process (needed when this process is the host it talks to). */
export function paddockAsync(home: string, args: string[]): Promise<CliResult> {
  const child = paddockProcess(home, args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * `paddock exec --keep --json -- sh -c SCRIPT` in `repo`: a one-shot session whose command is the
 * agent's work, its workspace kept for the gates. Throws with the CLI's stderr if it fails.
 */
export function keptSession(
  home: string,
  repo: string,
  script: string,
): { sessionId: string; workspace: string } {
  const result = paddock(home, [
    'exec',
    '--project',
    repo,
    '--keep',
    '--json',
    '--',
    'sh',
    '-c',
    script,
  ]);
  if (result.code !== 0) throw new Error(`paddock exec failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as { sessionId: string; workspace: string };
}
