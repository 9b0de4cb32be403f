/**
 * The real Claude Code CLI (Paddock's dev dependency), started from a spawn plan in a real
 * pseudo-terminal, in a per-session home, against a loopback Messages API that scripts its turns:
 * it creates a file and commits it through its Bash tool.
 *
 * Bash runs without a permission prompt through a PreToolUse command hook given with `--settings`
 * (a file in the session home): the mechanism the approvals service will use to answer from
 * policy and the inbox. `--allowedTools "Bash(git:*) Bash(echo:*)"` is not enough here: the
 * redirect to a file in the command still makes Claude Code ask. The test hook allows what it is
 * asked and records it, so the test also shows the hook was consulted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../../../test-support/fixtures/anthropic-server';
import { compact, runInPty, waitUntil, type PtyRun } from '../../../test-support/fixtures/pty';
import { tempDir } from '../../../test-support/temp';
import { CLAUDE_CODE, buildSpawnPlan, launchCommand, prepareSessionHome } from '.';

const FIXTURES = join(__dirname, '..', '..', '..', 'test-support', 'fixtures');
const COMMAND = 'echo hi > made-by-claude.txt && git add -A && git commit -qm "from claude"';
const API_KEY = 'sk-ant-test-0000-paddock-loopback-key';
const person = { name: 'Ada Lovelace', email: 'ada@example.com' };

/** What Claude Code shows before work can start: onboarding, login, trust and key dialogs. */
const ONBOARDING_TEXT = [
  'Welcome to Claude Code',
  'Unable to connect to Anthropic services',
  'api.anthropic.com',
  'Select login method',
  'Choose the text style',
  'Quick safety check',
  'Yes, I trust this folder',
  'Detected a custom API key',
  'Do you want to use this API key',
  // A permission prompt for the Bash call.
  'Do you want to proceed?',
];

let server: AnthropicServer | undefined;
let claude: PtyRun | undefined;
afterEach(async () => {
  claude?.stop();
  await server?.close();
});

function gitWorkspace(): string {
  const workspace = tempDir('paddock-claude-ws-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(workspace, 'README.md'), '# a project\n');
  git('add', '-A');
  git(
    '-c',
    'user.name=Repo Owner',
    '-c',
    'user.email=owner@example.com',
    'commit',
    '-q',
    '-m',
    'base',
  );
  return workspace;
}

/** `--settings` file in the session home: a PreToolUse hook that allows Bash and logs the call. */
function allowBashSettings(sessionHome: string): { settings: string; hookLog: string } {
  const hookLog = join(sessionHome, 'hook-calls.jsonl');
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, join(FIXTURES, 'allow-tool-hook.mjs'), hookLog]
    .map(quote)
    .join(' ');
  const settings = join(sessionHome, 'paddock-test-settings.json');
  const hooks = { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command }] }] };
  writeFileSync(settings, JSON.stringify({ hooks }));
  return { settings, hookLog };
}

function lastCommit(workspace: string): string {
  return execFileSync('git', ['log', '-1', '--format=%an <%ae>|%cn <%ce>|%s'], {
    cwd: workspace,
    encoding: 'utf8',
  }).trim();
}

describe('Claude Code in a pseudo-terminal', () => {
  it('starts straight into work, runs Bash without a prompt and commits as the person', async () => {
    server = await startAnthropicServer({
      turns: [
        {
          content: [
            { type: 'text', text: 'Making the file.' },
            { type: 'tool_use', name: 'Bash', input: { command: COMMAND, description: 'Commit' } },
          ],
        },
        { content: [{ type: 'text', text: 'Committed the file for you.' }] },
      ],
    });
    const model = { baseUrl: server.url, apiKey: API_KEY };
    const workspace = gitWorkspace();
    const sessionHome = join(tempDir('paddock-claude-home-'), 'home');
    prepareSessionHome({ home: sessionHome, preset: CLAUDE_CODE, workspace, person, model });
    const { settings, hookLog } = allowBashSettings(sessionHome);
    const plan = buildSpawnPlan({
      preset: CLAUDE_CODE,
      task: 'Create made-by-claude.txt and commit it.',
      workspace,
      sessionHome,
      model,
      extraArgs: ['--settings', settings],
      sourceEnv: {
        ...process.env,
        ANTHROPIC_API_KEY: 'sk-ant-from-the-shell-must-not-be-used',
        AWS_SECRET_ACCESS_KEY: 'aws-secret',
        GITHUB_TOKEN: 'ghp_secret',
      },
    });
    claude = runInPty({ ...launchCommand(plan), cwd: plan.cwd, env: plan.env });
    const screen = () => compact(claude?.output() ?? '');
    const describeScreen = () => `screen so far: ${screen().slice(-1500)}`;
    // Fails at once, rather than at the timeout, when a dialog stands between Claude Code and work.
    const committedWithoutDialogs = () => {
      const dialog = ONBOARDING_TEXT.find((text) => screen().includes(compact(text)));
      if (dialog) throw new Error(`Claude Code showed "${dialog}"; ${describeScreen()}`);
      return lastCommit(workspace).endsWith('|from claude');
    };

    await waitUntil(committedWithoutDialogs, {
      timeoutMs: 90_000,
      intervalMs: 250,
      describe: describeScreen,
    });
    await waitUntil(() => screen().includes(compact('Committed the file for you.')), {
      timeoutMs: 30_000,
      describe: describeScreen,
    });

    for (const text of ONBOARDING_TEXT) expect(screen()).not.toContain(compact(text));
    expect(screen()).toContain(compact('Making the file.'));
    expect(screen()).toContain(compact(`Bash(${COMMAND})`));

    expect(readFileSync(join(workspace, 'made-by-claude.txt'), 'utf8')).toBe('hi\n');
    expect(lastCommit(workspace)).toBe(
      'Ada Lovelace <ada@example.com>|Ada Lovelace <ada@example.com>|from claude',
    );

    const hookCalls = readFileSync(hookLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(hookCalls).toMatchObject([
      { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: COMMAND } },
    ]);

    const scripted = server.scriptedRequests();
    expect(scripted.map((request) => request.turn)).toEqual([0, 1]);
    for (const request of server.requests.filter((r) => r.method === 'POST')) {
      expect(request.headers['x-api-key']).toBe(API_KEY);
    }
    const toolResult = JSON.stringify(scripted[1]?.body?.messages?.at(-1));
    expect(toolResult).toContain('"type":"tool_result"');
    expect(toolResult).not.toContain('"is_error":true');

    // The agent's transcript is in the session's home, not the person's.
    const projects = join(sessionHome, '.claude', 'projects');
    expect(existsSync(projects) && readdirSync(projects).length).toBeGreaterThan(0);
  }, 150_000);
});
