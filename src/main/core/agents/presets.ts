/**
 * Agent presets: what Paddock knows about each agent CLI it can run. A preset is plain data (the UI
 * lists it, a person defines their own), and the launcher and the session home read it.
 */
import { AgentPresetError } from './errors';

/** How a preset takes the initial task on its command line. */
export type TaskPassing =
  /** As the last argument; after `--` when the program accepts it, so a task starting with "-" stays a task. */
  | { kind: 'append'; afterDoubleDash: boolean }
  /** As the value of a flag, e.g. aider's `--message <task>`. */
  | { kind: 'flag'; flag: string }
  /** Not on the command line: whoever runs the session types it in, if at all. */
  | { kind: 'none' };

/** How a preset resumes one of its own earlier conversations; a missing form is not supported. */
export interface ResumeArgs {
  /** Arguments that resume a given conversation; the conversation id follows them. */
  withId?: readonly string[];
  /** Arguments that resume the most recent conversation in the workspace. */
  latest?: readonly string[];
}

/**
 * Where the value of an environment variable a preset needs comes from. Model endpoint and key come
 * from Paddock's settings, never from the person's shell, so what reaches the agent is what Paddock
 * chose to give it.
 */
export type EnvValueSource =
  | { from: 'model-base-url' }
  | { from: 'model-api-key' }
  | { from: 'constant'; value: string }
  /** Copied from the environment Paddock was started with (custom presets' declared names). */
  | { from: 'source-env' };

/** Agent-specific files the per-session home needs so the agent starts straight into work. */
export type HomeSetup = 'claude-code' | 'none';

export interface AgentPreset {
  id: string;
  name: string;
  /** The program: a name looked up on PATH, or an absolute path. */
  command: string;
  /** When set and present in the person's environment, this variable names the program ($SHELL). */
  commandFromEnv?: string;
  /** Arguments always passed, before extra arguments and the task. */
  args: readonly string[];
  task: TaskPassing;
  resume: ResumeArgs;
  /** The environment variables the agent needs beyond the base allowlist, by name. */
  env: Readonly<Record<string, EnvValueSource>>;
  homeSetup: HomeSetup;
  /** Also found in Paddock's own node_modules/.bin (Claude Code is one of Paddock's dependencies). */
  bundled: boolean;
  /** What to do when the program is missing, for a person: an imperative sentence without its period. */
  install: string;
  builtIn: boolean;
}

const FROM_MODEL_URL: EnvValueSource = { from: 'model-base-url' };
const FROM_MODEL_KEY: EnvValueSource = { from: 'model-api-key' };
const constant = (value: string): EnvValueSource => ({ from: 'constant', value });

export const CLAUDE_CODE: AgentPreset = {
  id: 'claude',
  name: 'Claude Code',
  command: 'claude',
  args: [],
  task: { kind: 'append', afterDoubleDash: true },
  resume: { withId: ['--resume'], latest: ['--continue'] },
  env: {
    ANTHROPIC_BASE_URL: FROM_MODEL_URL,
    ANTHROPIC_API_KEY: FROM_MODEL_KEY,
    // Updates come with Paddock's own releases; an agent rewriting its binary mid-session would not.
    DISABLE_AUTOUPDATER: constant('1'),
    // The changelog, telemetry and error reports: each would be a question in the inbox for a
    // host the work does not need (the proxy lets only what the policy allows out).
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: constant('1'),
    // The plugin marketplace it would fetch from downloads.claude.ai at every start.
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: constant('1'),
  },
  homeSetup: 'claude-code',
  bundled: true,
  install: 'Install it with `npm install -g @anthropic-ai/claude-code`',
  builtIn: true,
};

export const CODEX_CLI: AgentPreset = {
  id: 'codex',
  name: 'Codex CLI',
  command: 'codex',
  /**
   * Codex has no hook for an outside approver, so Paddock's inbox cannot answer its requests. What
   * maps: its own sandbox to writes in the workspace only, and its approvals to "ask for anything
   * not on its trusted list" (`untrusted`), shown in its own terminal. Paddock's sandbox, proxy and
   * recording still hold around it; its policy's allow rules do not reach inside Codex.
   */
  args: ['--sandbox', 'workspace-write', '--ask-for-approval', 'untrusted'],
  task: { kind: 'append', afterDoubleDash: true },
  resume: { withId: ['resume'], latest: ['resume', '--last'] },
  env: { OPENAI_BASE_URL: FROM_MODEL_URL, OPENAI_API_KEY: FROM_MODEL_KEY },
  homeSetup: 'none',
  bundled: false,
  install: 'Install it with `npm install -g @openai/codex`',
  builtIn: true,
};

export const GEMINI_CLI: AgentPreset = {
  id: 'gemini',
  name: 'Gemini CLI',
  command: 'gemini',
  args: [],
  // `-p` would answer once and exit; `--prompt-interactive` runs the task and stays in the TUI.
  task: { kind: 'flag', flag: '--prompt-interactive' },
  resume: { withId: ['--resume'], latest: ['--resume', 'latest'] },
  env: { GOOGLE_GEMINI_BASE_URL: FROM_MODEL_URL, GEMINI_API_KEY: FROM_MODEL_KEY },
  homeSetup: 'none',
  bundled: false,
  install: 'Install it with `npm install -g @google/gemini-cli`',
  builtIn: true,
};

export const AIDER: AgentPreset = {
  id: 'aider',
  name: 'aider',
  command: 'aider',
  args: [],
  // aider has no "start with this message and stay": `--message` runs the task and exits.
  task: { kind: 'flag', flag: '--message' },
  resume: { latest: ['--restore-chat-history'] },
  env: {
    OPENAI_API_BASE: FROM_MODEL_URL,
    OPENAI_API_KEY: FROM_MODEL_KEY,
    AIDER_CHECK_UPDATE: constant('false'),
    AIDER_ANALYTICS: constant('false'),
  },
  homeSetup: 'none',
  bundled: false,
  install: 'Install it with `pipx install aider-chat`',
  builtIn: true,
};

export const SHELL: AgentPreset = {
  id: 'shell',
  name: 'Shell',
  command: '/bin/bash',
  commandFromEnv: 'SHELL',
  args: [],
  task: { kind: 'none' },
  resume: {},
  env: {},
  homeSetup: 'none',
  bundled: false,
  install: 'Install a shell (`sudo apt-get install bash`), or set SHELL to one that is installed',
  builtIn: true,
};

export const BUILT_IN_PRESETS: readonly AgentPreset[] = [
  CLAUDE_CODE,
  CODEX_CLI,
  GEMINI_CLI,
  AIDER,
  SHELL,
];

export function builtInPreset(id: string): AgentPreset | undefined {
  return BUILT_IN_PRESETS.find((preset) => preset.id === id);
}

/** The preset with this id among the built-in ones and the person's own, or a clear error. */
export function getPreset(id: string, custom: readonly AgentPreset[] = []): AgentPreset {
  const all = [...BUILT_IN_PRESETS, ...custom];
  const preset = all.find((candidate) => candidate.id === id);
  if (preset) return preset;
  throw new AgentPresetError(
    `There is no agent preset "${id}". Known presets: ${all.map((p) => p.id).join(', ')}.`,
  );
}

/** The names of the environment variables a preset needs, for the UI and the audit record. */
export function presetEnvNames(preset: AgentPreset): string[] {
  return Object.keys(preset.env);
}

/** Whether the task given at start reaches the agent through its command line. */
export function takesTaskOnCommandLine(preset: AgentPreset): boolean {
  return preset.task.kind !== 'none';
}
