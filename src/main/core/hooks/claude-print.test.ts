/**
 * The real Claude Code in `-p` (print) mode against the hook endpoint: the answer of the HTTP
 * PreToolUse hook decides, with no terminal at all. (The interactive TUI is covered through a
 * whole session in src/main/agent-gate.test.ts.)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../../../test-support/fixtures/anthropic-server';
import { tempDir } from '../../../test-support/temp';
import { CLAUDE_CODE, prepareSessionHome, resolvePresetProgram } from '../agents';
import { makeRepository } from '../git/testing';
import { claudeHookArgs, HookServer, writeClaudeHookSettings } from './index';

const KEY = 'sk-ant-test-0000-paddock-print-key';
const bash = (command: string) => ({
  content: [{ type: 'tool_use' as const, name: 'Bash', input: { command, description: command } }],
});

let server: AnthropicServer | undefined;
let hooks: HookServer | undefined;
afterEach(async () => {
  await hooks?.close();
  await server?.close();
});

describe('Claude Code in print mode, through the hook endpoint', () => {
  it('runs the allowed command and never the denied one', async () => {
    server = await startAnthropicServer({
      turns: [
        bash('touch allowed.txt'),
        bash('touch denied.txt'),
        { content: [{ type: 'text', text: 'Done.' }] },
      ],
    });
    const asked: string[] = [];
    hooks = new HookServer({
      preToolUse: async (_id, call) => {
        asked.push(call.subject);
        const allow = call.subject === 'Bash(touch allowed.txt)';
        return { allow, reason: allow ? 'allowed by rule' : 'denied by rule' };
      },
      reported: () => undefined,
      waiting: () => undefined,
    });
    const { url } = await hooks.register('ses_0123abcd');
    const home = tempDir();
    const workspace = makeRepository(tempDir(), { 'README.md': '# demo\n' });
    const model = { baseUrl: server.url, apiKey: KEY };
    prepareSessionHome({
      home,
      preset: CLAUDE_CODE,
      workspace,
      person: { name: 'Ada', email: 'a@b.c' },
      model,
    });
    const settings = join(home, 'claude-settings.json');
    writeClaudeHookSettings(settings, url, 10);
    const program = resolvePresetProgram(CLAUDE_CODE, process.env);
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        program,
        [
          '-p',
          'Make the two files.',
          '--output-format',
          'stream-json',
          '--verbose',
          ...claudeHookArgs(settings),
        ],
        {
          cwd: workspace,
          env: {
            PATH: process.env.PATH,
            HOME: home,
            ANTHROPIC_BASE_URL: server?.url,
            ANTHROPIC_API_KEY: KEY,
            DISABLE_AUTOUPDATER: '1',
          },
          timeout: 90_000,
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(asked).toEqual(['Bash(touch allowed.txt)', 'Bash(touch denied.txt)']);
    expect(existsSync(join(workspace, 'allowed.txt'))).toBe(true);
    expect(existsSync(join(workspace, 'denied.txt'))).toBe(false);
    expect(output).toContain('denied by rule'); // the reason reached the model
  }, 120_000);
});
