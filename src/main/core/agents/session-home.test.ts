import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { AgentLaunchError, CLAUDE_CODE, CODEX_CLI, prepareSessionHome } from '.';

const person = { name: 'Ada Lovelace', email: 'ada@example.com' };
const model = {
  baseUrl: 'http://127.0.0.1:9',
  apiKey: 'sk-ant-api03-abcdefghij0123456789KLMNOPQRST',
};

function setUp() {
  const root = tempDir();
  const workspace = join(root, 'workspace');
  mkdirSync(workspace);
  return { home: join(root, 'session', 'home'), workspace };
}

const mode = (path: string) => statSync(path).mode & 0o777;
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('prepareSessionHome', () => {
  it('creates a private home whose git identity is the person, and nothing else of theirs', () => {
    const { home, workspace } = setUp();
    const made = prepareSessionHome({ home, preset: CODEX_CLI, workspace, person, model });
    expect(made).toEqual({ path: home, files: [join(home, '.gitconfig')] });
    expect(mode(home)).toBe(0o700);
    expect(mode(join(home, '.gitconfig'))).toBe(0o600);
    expect(readdirSync(home)).toEqual(['.gitconfig']);
    const globalConfig = execFileSync('git', ['config', '--global', '--list'], {
      env: { PATH: process.env.PATH, HOME: home },
      encoding: 'utf8',
    });
    expect(globalConfig).toBe('user.name=Ada Lovelace\nuser.email=ada@example.com\n');
  });

  it('tightens the mode of a home that exists already', () => {
    const { home, workspace } = setUp();
    mkdirSync(home, { recursive: true, mode: 0o755 });
    prepareSessionHome({ home, preset: CODEX_CLI, workspace, person, model });
    expect(mode(home)).toBe(0o700);
  });

  it('quotes what git would misread, and refuses line breaks that would add config keys', () => {
    const { home, workspace } = setUp();
    const odd = { name: 'Ada "the Countess" \\ Lovelace; #1', email: 'ada@example.com' };
    prepareSessionHome({ home, preset: CODEX_CLI, workspace, person: odd, model });
    const name = execFileSync('git', ['config', '--global', 'user.name'], {
      env: { PATH: process.env.PATH, HOME: home },
      encoding: 'utf8',
    });
    expect(name).toBe(`${odd.name}\n`);
    const injected = { name: 'Ada\n[core]\n\tfsmonitor = evil', email: 'ada@example.com' };
    expect(() =>
      prepareSessionHome({ home, preset: CODEX_CLI, workspace, person: injected, model }),
    ).toThrow(
      new AgentLaunchError(
        "The person's name for git commits contains a line break or control character.",
      ),
    );
    expect(() =>
      prepareSessionHome({
        home,
        preset: CODEX_CLI,
        workspace,
        person: { name: 'A', email: ' ' },
        model,
      }),
    ).toThrow("The person's email for git commits is empty.");
  });

  it('seeds ~/.claude.json so Claude Code skips onboarding, trust and key dialogs', () => {
    const { home, workspace } = setUp();
    const made = prepareSessionHome({ home, preset: CLAUDE_CODE, workspace, person, model });
    const claudeJson = join(home, '.claude.json');
    expect(made.files).toEqual([join(home, '.gitconfig'), claudeJson]);
    expect(mode(claudeJson)).toBe(0o600);
    expect(readJson(claudeJson)).toEqual({
      hasCompletedOnboarding: true,
      projects: { [workspace]: { hasTrustDialogAccepted: true } },
      customApiKeyResponses: { approved: ['0123456789KLMNOPQRST'], rejected: [] },
    });
  });

  it('trusts the workspace under its real path too, the one Claude Code sees as its cwd', () => {
    const { home, workspace } = setUp();
    const link = join(tempDir(), 'link-to-workspace');
    symlinkSync(workspace, link);
    prepareSessionHome({ home, preset: CLAUDE_CODE, workspace: link, person, model });
    const { projects } = readJson(join(home, '.claude.json')) as { projects: object };
    expect(Object.keys(projects)).toEqual([link, workspace]);
  });

  it('keeps what Claude Code wrote in an earlier run (a resume), and sets a broken file aside', () => {
    const { home, workspace } = setUp();
    prepareSessionHome({ home, preset: CLAUDE_CODE, workspace, person, model });
    const claudeJson = join(home, '.claude.json');
    const written = readJson(claudeJson) as { projects: Record<string, object> };
    written.projects[workspace] = { ...written.projects[workspace], lastSessionId: 'abc' };
    writeFileSync(claudeJson, JSON.stringify({ ...written, numStartups: 3 }));
    prepareSessionHome({ home, preset: CLAUDE_CODE, workspace, person, model });
    expect(readJson(claudeJson)).toMatchObject({
      numStartups: 3,
      projects: { [workspace]: { hasTrustDialogAccepted: true, lastSessionId: 'abc' } },
    });

    writeFileSync(claudeJson, '{ not json');
    prepareSessionHome({ home, preset: CLAUDE_CODE, workspace, person, model });
    expect(readJson(claudeJson)).toMatchObject({ hasCompletedOnboarding: true });
    const setAside = readdirSync(home).filter((name) =>
      name.startsWith('.claude.json.unreadable-'),
    );
    expect(setAside).toHaveLength(1);
    expect(readFileSync(join(home, setAside[0] as string), 'utf8')).toBe('{ not json');
  });

  it('approves no key when none is configured', () => {
    const { home, workspace } = setUp();
    prepareSessionHome({ home, preset: CLAUDE_CODE, workspace, person, model: {} });
    expect(readJson(join(home, '.claude.json'))).toMatchObject({
      customApiKeyResponses: { approved: [], rejected: [] },
    });
  });

  it('refuses relative paths', () => {
    const { workspace } = setUp();
    expect(() =>
      prepareSessionHome({ home: 'home', preset: CLAUDE_CODE, workspace, person, model }),
    ).toThrow('The session home must be an absolute path, not "home".');
  });
});
