/**
 * The settings file Claude Code is started with (`--settings`), from the session's private
 * directory: every hook event goes to the session's URL. Claude Code gives up on a hook after its
 * `timeout`, so PreToolUse's is longer than a request can wait in the inbox: Paddock answers
 * first, always.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeClaudeHookSettings(file: string, url: string, expiryMinutes: number): void {
  const hook = (timeout: number) => [{ type: 'http', url, timeout }];
  const settings = {
    hooks: {
      PreToolUse: [{ matcher: '*', hooks: hook(expiryMinutes * 60 + 60) }],
      PostToolUse: [{ matcher: '*', hooks: hook(10) }],
      UserPromptSubmit: [{ hooks: hook(10) }],
      Notification: [{ hooks: hook(10) }],
      Stop: [{ hooks: hook(10) }],
    },
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  chmodSync(dirname(file), 0o700);
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
}

/** The MCP servers the person configured, as Claude Code's `--mcp-config` file; none: no file. */
export function writeClaudeMcpConfig(
  file: string,
  servers: Readonly<
    Record<string, { command: string; args: readonly string[]; env?: Record<string, string> }>
  >,
): string[] {
  if (Object.keys(servers).length === 0) return [];
  writeFileSync(file, `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`, { mode: 0o600 });
  return ['--mcp-config', file];
}

/**
 * Arguments that make Claude Code read only Paddock's settings: its user settings (in the session's
 * own HOME) and this file, never a repository's `.claude/settings*.json` (which could disable hooks
 * or allow what the policy would ask about), and no MCP server a repository's `.mcp.json` names.
 */
export function claudeHookArgs(file: string): string[] {
  return ['--settings', file, '--setting-sources', 'user', '--strict-mcp-config'];
}
