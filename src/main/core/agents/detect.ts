/**
 * Which agent CLIs this machine has, and which versions: for the preset picker and `paddock doctor`.
 * Detection runs `<program> --version` only; a program that hangs is cut off by a timeout.
 */
import { execFile } from 'node:child_process';
import { BUILT_IN_PRESETS, type AgentPreset } from './presets';
import {
  findProgram,
  paddockBinDirs,
  presetProgram,
  presetSearchDirs,
  type SourceEnv,
} from './resolve-program';

export interface DetectedAgent {
  /** The preset's id. */
  id: string;
  name: string;
  /** The program the preset names (`claude`, or the person's $SHELL). */
  program: string;
  installed: boolean;
  /** Absolute path of the program, when installed. */
  path: string | null;
  /** First line `--version` printed, when it answered in time. */
  version: string | null;
  /** Why no version could be read from an installed program. */
  versionProblem: string | null;
  /** What to do when it is not installed. */
  install: string;
}

export interface DetectOptions {
  presets?: readonly AgentPreset[];
  timeoutMs?: number;
  /** Paddock's own bin directories (defaults to the nearest node_modules/.bin). */
  bundledBinDirs?: readonly string[];
}

const VERSION_TIMEOUT_MS = 5000;

export async function detectAgents(
  env: SourceEnv = process.env,
  options: DetectOptions = {},
): Promise<DetectedAgent[]> {
  const presets = options.presets ?? BUILT_IN_PRESETS;
  const bundledBinDirs = options.bundledBinDirs ?? paddockBinDirs();
  const timeoutMs = options.timeoutMs ?? VERSION_TIMEOUT_MS;
  return Promise.all(presets.map((preset) => detectAgent(preset, env, bundledBinDirs, timeoutMs)));
}

async function detectAgent(
  preset: AgentPreset,
  env: SourceEnv,
  bundledBinDirs: readonly string[],
  timeoutMs: number,
): Promise<DetectedAgent> {
  const program = presetProgram(preset, env);
  const path = findProgram(program, env.PATH, presetSearchDirs(preset, bundledBinDirs));
  const found = { id: preset.id, name: preset.name, program, path, install: preset.install };
  if (!path) return { ...found, installed: false, version: null, versionProblem: null };
  const { version, problem } = await readVersion(path, env, timeoutMs);
  return { ...found, installed: true, version, versionProblem: problem };
}

async function readVersion(
  path: string,
  env: SourceEnv,
  timeoutMs: number,
): Promise<{ version: string | null; problem: string | null }> {
  return new Promise((resolve) => {
    execFile(
      path,
      ['--version'],
      { env: versionProbeEnv(env), timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' },
      (error, stdout, stderr) => {
        const version = firstLine(stdout) ?? firstLine(stderr);
        if (!error && version) return resolve({ version, problem: null });
        resolve({ version: null, problem: versionProblem(error, timeoutMs) });
      },
    );
  });
}

/** Enough for a program to print its version; none of the person's tokens or keys. */
function versionProbeEnv(env: SourceEnv): Record<string, string> {
  const probeEnv: Record<string, string> = { DISABLE_AUTOUPDATER: '1' };
  for (const name of ['PATH', 'HOME', 'LANG']) {
    const value = env[name];
    if (value !== undefined) probeEnv[name] = value;
  }
  return probeEnv;
}

function versionProblem(error: (Error & { killed?: boolean }) | null, timeoutMs: number): string {
  if (error?.killed) return `\`--version\` did not answer within ${timeoutMs} ms`;
  if (error) return `\`--version\` failed: ${firstLine(error.message) ?? 'no message'}`;
  return '`--version` printed nothing';
}

function firstLine(text: string): string | null {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find(Boolean) ?? null
  );
}
