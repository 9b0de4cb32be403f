/**
 * The launcher: from a preset and a session to the exact process to start. It only plans; the
 * sessions service starts the plan in a pseudo-terminal, and the sandbox fills in the wrapper.
 */
import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { AgentLaunchError, AgentPresetError } from './errors';
import type { AgentPreset, EnvValueSource } from './presets';
import { paddockBinDirs, resolvePresetProgram, type SourceEnv } from './resolve-program';
import type { ModelEndpoint } from './session-home';

export interface SpawnPlan {
  /** Absolute path of the agent's program. */
  file: string;
  args: string[];
  /** The workspace. */
  cwd: string;
  /** The agent's whole environment, built from an allowlist (see `agentEnv`). */
  env: Record<string, string>;
  /**
   * The sandbox that contains the agent, set by the sandbox service; null until then. When set,
   * the process started is `wrapper.file` with the argv `[...wrapper.args, file, ...args]`: the
   * wrapper's argv is prefixed to the agent's. `launchCommand` applies it.
   */
  wrapper: null | {
    file: string;
    args: string[];
    /**
     * The processes a polite signal (stop, pause) goes to, given the leader's pid; null: the
     * leader's whole process group. A sandbox's own processes must not get SIGTERM first.
     */
    signalTargets?: ((leaderPid: number) => number[]) | null;
    /** Starts the contained command with pipes from a process made ready ahead of it (faster). */
    spawnPiped?: ((command: readonly string[]) => ChildProcess) | null;
  };
}

export interface SpawnRequest {
  preset: AgentPreset;
  /** The initial task, when the session starts with one. */
  task?: string;
  /** Resume the agent's own earlier conversation: a given one, or the most recent one. */
  resume?: { conversationId?: string };
  workspace: string;
  /** The per-session HOME made by `prepareSessionHome`. */
  sessionHome: string;
  /** The environment Paddock runs in. Only allowlisted names are read from it. */
  sourceEnv: SourceEnv;
  model: ModelEndpoint;
  /** More arguments for the agent, after the preset's own and before the task. */
  extraArgs?: readonly string[];
  /** Paddock's own bin directories (defaults to the nearest node_modules/.bin). */
  bundledBinDirs?: readonly string[];
}

/** Passed through from the source environment: what a terminal program needs, and no credential. */
export const PASSED_THROUGH_ENV = ['PATH', 'LANG', 'TERM', 'COLORTERM', 'SHELL', 'USER', 'TZ'];
/** Locale categories (LC_ALL, LC_CTYPE, ...) are passed through too. */
export const PASSED_THROUGH_ENV_PATTERN = /^LC_[A-Z_]+$/;
const DEFAULT_TERM = 'xterm-256color';
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

export function buildSpawnPlan(request: SpawnRequest): SpawnPlan {
  const { preset, workspace, sessionHome, sourceEnv } = request;
  requireDirectory('workspace', workspace);
  requireDirectory('session home', sessionHome);
  const file = resolvePresetProgram(preset, sourceEnv, request.bundledBinDirs ?? paddockBinDirs());
  const args = [
    ...resumeArgs(preset, request.resume),
    ...preset.args,
    ...(request.extraArgs ?? []),
    ...taskArgs(preset, request.task),
  ];
  const env = agentEnv(preset, sourceEnv, sessionHome, request.model);
  return { file, args, cwd: workspace, env, wrapper: null };
}

/** The program and argv to start: the agent's own, or the sandbox's wrapper around it. */
export function launchCommand(plan: SpawnPlan): { file: string; args: string[] } {
  if (!plan.wrapper) return { file: plan.file, args: plan.args };
  return { file: plan.wrapper.file, args: [...plan.wrapper.args, plan.file, ...plan.args] };
}

/**
 * The agent's environment, built up and never copied: the allowlisted names from the source
 * environment, HOME set to the session's home, then the variables the preset declares, with
 * values from Paddock (model settings, constants). So `*_TOKEN`, `*_KEY`, `*_SECRET`, `AWS_*`,
 * `GITHUB_*` or `SSH_AUTH_SOCK` from the person's shell reach an agent only when its preset names
 * them (custom presets may).
 */
export function agentEnv(
  preset: AgentPreset,
  sourceEnv: SourceEnv,
  sessionHome: string,
  model: ModelEndpoint,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(sourceEnv)) {
    if (value !== undefined && isPassedThrough(name)) env[name] = value;
  }
  env.PATH ||= DEFAULT_PATH;
  env.TERM ||= DEFAULT_TERM;
  env.HOME = sessionHome;
  for (const [name, source] of Object.entries(preset.env)) {
    const value = declaredValue(name, source, sourceEnv, model);
    if (value !== undefined) env[name] = value;
  }
  const keyed = Object.values(preset.env).some((source) => source.from === 'model-api-key');
  if (keyed && model.keyVariable && model.apiKey) env[model.keyVariable] = model.apiKey;
  return env;
}

function isPassedThrough(name: string): boolean {
  return PASSED_THROUGH_ENV.includes(name) || PASSED_THROUGH_ENV_PATTERN.test(name);
}

/**
 * A declared variable with no value (no key given, no endpoint set: absent or empty) is left out,
 * not set to '' nor taken from elsewhere: an agent may read an empty key or URL as one to use.
 */
function declaredValue(
  name: string,
  source: EnvValueSource,
  sourceEnv: SourceEnv,
  model: ModelEndpoint,
): string | undefined {
  switch (source.from) {
    case 'model-base-url':
      return model.baseUrl || undefined;
    case 'model-api-key':
      // The key goes in another variable (a bearer token): this one stays unset.
      return model.keyVariable && model.keyVariable !== name
        ? undefined
        : model.apiKey || undefined;
    case 'constant':
      return source.value;
    case 'source-env':
      return sourceEnv[name];
  }
}

function resumeArgs(preset: AgentPreset, resume: SpawnRequest['resume']): readonly string[] {
  if (!resume) return [];
  const { conversationId } = resume;
  if (conversationId === undefined) {
    if (preset.resume.latest) return preset.resume.latest;
    throw new AgentPresetError(`${preset.name} cannot resume its most recent conversation.`);
  }
  if (!preset.resume.withId) {
    throw new AgentPresetError(`${preset.name} cannot resume a conversation by its id.`);
  }
  // An id that looks like an option would be read as one.
  if (!conversationId || conversationId.startsWith('-')) {
    throw new AgentPresetError(
      `"${conversationId}" is not a conversation id ${preset.name} can resume.`,
    );
  }
  return [...preset.resume.withId, conversationId];
}

function taskArgs(preset: AgentPreset, task: string | undefined): string[] {
  if (!task) return [];
  switch (preset.task.kind) {
    case 'append':
      return preset.task.afterDoubleDash ? ['--', task] : [task];
    case 'flag':
      return [preset.task.flag, task];
    case 'none':
      return [];
  }
}

function requireDirectory(what: string, path: string): void {
  if (!isAbsolute(path))
    throw new AgentLaunchError(`The ${what} must be an absolute path, not "${path}".`);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new AgentLaunchError(`The ${what} "${path}" is not a directory.`);
}
