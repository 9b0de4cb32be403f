/**
 * The real Claude Code CLI as a Paddock session: started by the session manager in a workspace of
 * its own, against a loopback server speaking the Messages API (the model endpoint in the
 * settings, keyless: Claude Code gets the stand-in key); it must start straight into work (no
 * onboarding, no question about the key), run a scripted git command, commit in the workspace,
 * and the recording must hold its screen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CLAUDE_CODE, type AgentPreset } from '../agents';
import { NO_MODEL_KEY } from '.';
import { makeRepository, plainGit } from '../git/testing';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../../../test-support/fixtures/anthropic-server';
import { testSessions } from '../../../test-support/sessions';
import { tempDir } from '../../../test-support/temp';

const COMMAND = 'git commit --allow-empty -qm "from claude"';
const person = { actor: 'person' as const, actorId: 'ada' };

/** Claude Code as shipped, allowed to run git without asking (the approvals inbox comes later). */
const claudeWithGit: AgentPreset = {
  ...CLAUDE_CODE,
  id: 'claude-git',
  builtIn: false,
  args: [...CLAUDE_CODE.args, '--allowedTools', 'Bash(git commit:*)'],
};

let server: AnthropicServer | null = null;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
  await server?.close();
  server = null;
});

describe('Claude Code in a session', () => {
  it('starts without onboarding, commits in its workspace, and is recorded', async () => {
    server = await startAnthropicServer({
      turns: [
        {
          content: [
            { type: 'text', text: 'Committing now.' },
            { type: 'tool_use', name: 'Bash', input: { command: COMMAND, description: 'Commit' } },
          ],
        },
        { content: [{ type: 'text', text: 'All committed, thank you.' }] },
      ],
    });
    const home = tempDir();
    const { store, settings, sessions, close } = testSessions({ home, presets: [claudeWithGit] });
    cleanup.push(close);
    settings.set('agents.model.baseUrl', server.url, person);
    const repo = makeRepository(tempDir(), { 'README.md': '# demo\n' });
    let screen = '';
    sessions.onOutput((_id, data) => (screen += data));

    const session = await sessions.start(
      { project: repo, preset: 'claude-git', task: 'Commit, please.' },
      person,
    );
    const workspace = session.workspace as string;
    const deadline = Date.now() + 120_000;
    while (
      !plainGit(workspace, ['log', '--format=%s']).includes('from claude') ||
      !screen.replace(/\s+/g, '').includes('Allcommitted')
    ) {
      if (Date.now() > deadline)
        throw new Error(
          `Claude Code did not commit in time. Screen:\n${JSON.stringify(screen.slice(-3000))}`,
        );
      for (const dialog of [
        'Welcome to Claude Code',
        'Quick safety check',
        'Detected a custom API key',
        'Do you want to proceed?',
      ]) {
        if (screen.includes(dialog)) throw new Error(`Claude Code showed "${dialog}"`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(plainGit(workspace, ['log', '-1', '--format=%an <%ae>'])).toBe(
      'Ada Lovelace <ada@example.com>\n',
    );
    sessions.stop(session.id, person);
    await sessions.waitForExit(session.id);

    const recorded = store
      .list({ sessionId: session.id, limit: 10_000 })
      .filter((e) => e.kind === 'terminal.output')
      .map((e) => store.getBlob(e.blobs[0] as string)?.toString('utf8') ?? '')
      .join('');
    expect(recorded.replace(/\s+/g, '')).toContain('Allcommitted');
    // The endpoint in the settings gets the stand-in: Paddock gives no real key outside the broker.
    const messages = server.requests.filter((request) => request.url.startsWith('/v1/messages'));
    expect(messages.length).toBeGreaterThan(0);
    for (const request of messages) expect(request.headers['x-api-key']).toBe(NO_MODEL_KEY);
  }, 150_000);
});
