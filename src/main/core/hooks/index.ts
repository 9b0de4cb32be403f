/** The agents' hook endpoint and the Claude Code settings that point at it. */
export { HookServer, MAX_HOOK_BYTES, type HookHandlers, type PreToolAnswer } from './server';
export { claudeHookArgs, writeClaudeHookSettings, writeClaudeMcpConfig } from './claude-settings';
export { toPermissionRequest, type ToolCall } from './tool-call';
