import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { claudeHookArgs, writeClaudeHookSettings, writeClaudeMcpConfig } from './index';

describe('Claude Code settings for a session', () => {
  it('sends every hook to the session URL, PreToolUse waiting longer than the inbox', () => {
    const file = join(tempDir(), 'session', 'claude-settings.json');
    writeClaudeHookSettings(file, 'http://127.0.0.1:1/hooks/ses_0123abcd/t', 10);
    const settings = JSON.parse(readFileSync(file, 'utf8')) as {
      hooks: Record<string, Array<{ hooks: Array<{ type: string; timeout: number }> }>>;
    };
    expect(Object.keys(settings.hooks).sort()).toEqual(
      ['Notification', 'PostToolUse', 'PreToolUse', 'Stop', 'UserPromptSubmit'].sort(),
    );
    expect(settings.hooks.PreToolUse?.[0]?.hooks[0]).toMatchObject({ type: 'http', timeout: 660 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    expect(claudeHookArgs(file)).toEqual([
      '--settings',
      file,
      '--setting-sources',
      'user',
      '--strict-mcp-config',
    ]);
  });

  it('passes only the MCP servers the person configured', () => {
    const file = join(tempDir(), 'mcp.json');
    expect(writeClaudeMcpConfig(file, {})).toEqual([]);
    const servers = { docs: { command: '/usr/bin/docs-mcp', args: ['--stdio'] } };
    expect(writeClaudeMcpConfig(file, servers)).toEqual(['--mcp-config', file]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ mcpServers: servers });
  });
});
