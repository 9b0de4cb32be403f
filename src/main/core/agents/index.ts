/**
 * Agents: the presets Paddock can run (Claude Code, Codex CLI, Gemini CLI, aider, a shell, and a
 * person's own), which of them this machine has, the per-session home each runs with, and the
 * plan to start one: an absolute program, its arguments, and an environment built from an
 * allowlist. Plain Node, no Electron; nothing here starts an agent.
 */
export {
  AIDER,
  BUILT_IN_PRESETS,
  CLAUDE_CODE,
  CODEX_CLI,
  GEMINI_CLI,
  SHELL,
  builtInPreset,
  getPreset,
  presetEnvNames,
  takesTaskOnCommandLine,
  type AgentPreset,
  type EnvValueSource,
  type HomeSetup,
  type ResumeArgs,
  type TaskPassing,
} from './presets';
export {
  customPresetSchema,
  parseCustomPreset,
  parseCustomPresets,
  type CustomPresetInput,
} from './custom-preset';
export { detectAgents, type DetectOptions, type DetectedAgent } from './detect';
export {
  prepareSessionHome,
  type ModelEndpoint,
  type Person,
  type SessionHome,
  type SessionHomeRequest,
} from './session-home';
export {
  PASSED_THROUGH_ENV,
  PASSED_THROUGH_ENV_PATTERN,
  agentEnv,
  buildSpawnPlan,
  launchCommand,
  type SpawnPlan,
  type SpawnRequest,
} from './spawn-plan';
export { paddockBinDirs, resolvePresetProgram, type SourceEnv } from './resolve-program';
export { AgentError, AgentLaunchError, AgentNotInstalledError, AgentPresetError } from './errors';
