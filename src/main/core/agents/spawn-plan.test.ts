import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import {
  AIDER,
  AgentLaunchError,
  AgentNotInstalledError,
  CLAUDE_CODE,
  CODEX_CLI,
  GEMINI_CLI,
  SHELL,
  buildSpawnPlan,
  launchCommand,
  parseCustomPreset,
  type AgentPreset,
  type SpawnRequest,
} from '.';

const model = { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-from-paddock-settings' };

/** A person's shell environment, with the credentials an agent must never inherit. */
const shellEnv = {
  HOME: '/home/ada',
  LANG: 'en_GB.UTF-8',
  LC_ALL: 'en_GB.UTF-8',
  LC_TIME: 'C',
  COLORTERM: 'truecolor',
  SHELL: '/bin/sh',
  USER: 'ada',
  TZ: 'Europe/London',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  AWS_PROFILE: 'prod',
  GITHUB_TOKEN: 'ghp_secret',
  NPM_TOKEN: 'npm-secret',
  OPENAI_API_KEY: 'sk-openai-from-shell',
  ANTHROPIC_API_KEY: 'sk-ant-from-shell',
  DATABASE_SECRET: 'db-secret',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
  GIT_DIR: '/elsewhere/.git',
  NODE_OPTIONS: '--require /tmp/evil.js',
};

/** A PATH holding one stand-in executable per built-in preset's program. */
function binWithAgents(): string {
  const bin = tempDir();
  for (const name of ['claude', 'codex', 'gemini', 'aider']) {
    writeFileSync(join(bin, name), '#!/bin/sh\n');
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}

function request(preset: AgentPreset, more: Partial<SpawnRequest> = {}): SpawnRequest {
  const bin = binWithAgents();
  return {
    preset,
    workspace: tempDir(),
    sessionHome: tempDir(),
    sourceEnv: { ...shellEnv, PATH: bin },
    model,
    bundledBinDirs: [],
    ...more,
  };
}

describe('buildSpawnPlan: the environment', () => {
  it('is built from the allowlist plus what the preset declares, with values from Paddock', () => {
    const req = request(CLAUDE_CODE);
    const plan = buildSpawnPlan(req);
    expect(plan.env).toEqual({
      PATH: req.sourceEnv.PATH,
      HOME: req.sessionHome,
      LANG: 'en_GB.UTF-8',
      LC_ALL: 'en_GB.UTF-8',
      LC_TIME: 'C',
      TERM: 'xterm-256color',
      COLORTERM: 'truecolor',
      SHELL: '/bin/sh',
      USER: 'ada',
      TZ: 'Europe/London',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      ANTHROPIC_API_KEY: 'sk-from-paddock-settings',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
    });
  });

  it("leaves a declared variable out when Paddock has no value, rather than taking the shell's", () => {
    const plan = buildSpawnPlan(request(CLAUDE_CODE, { model: {} }));
    expect(plan.env).not.toHaveProperty('ANTHROPIC_API_KEY');
    expect(plan.env).not.toHaveProperty('ANTHROPIC_BASE_URL');
  });

  it("leaves a declared variable out when Paddock's value is empty, rather than setting ''", () => {
    const empty = { baseUrl: '', apiKey: '' };
    const claude = buildSpawnPlan(request(CLAUDE_CODE, { model: empty }));
    expect(claude.env).not.toHaveProperty('ANTHROPIC_API_KEY');
    expect(claude.env).not.toHaveProperty('ANTHROPIC_BASE_URL');
    const codex = buildSpawnPlan(request(CODEX_CLI, { model: empty }));
    expect(codex.env).not.toHaveProperty('OPENAI_API_KEY');
    expect(codex.env).not.toHaveProperty('OPENAI_BASE_URL');
    const token = { baseUrl: '', apiKey: '', keyVariable: 'ANTHROPIC_AUTH_TOKEN' };
    const plan = buildSpawnPlan(request(CLAUDE_CODE, { model: token }));
    expect(plan.env).not.toHaveProperty('ANTHROPIC_AUTH_TOKEN');
    expect(plan.env).not.toHaveProperty('ANTHROPIC_API_KEY');
  });

  it("keeps the terminal's TERM and gives a default PATH when there is none", () => {
    const bin = binWithAgents();
    const plan = buildSpawnPlan(
      request(CODEX_CLI, { sourceEnv: { PATH: bin, TERM: 'screen' }, model: {} }),
    );
    expect(plan.env.TERM).toBe('screen');
    const absolute = parseCustomPreset({ id: 'abs', name: 'Abs', command: join(bin, 'codex') });
    const withoutPath = buildSpawnPlan(request(absolute, { sourceEnv: {} }));
    expect(withoutPath.env.PATH).toBe('/usr/local/bin:/usr/bin:/bin');
  });

  it('passes what a custom preset declares from the source environment, and nothing more', () => {
    const bin = binWithAgents();
    const custom = parseCustomPreset({
      id: 'custom',
      name: 'Custom',
      command: 'codex',
      env: ['GITHUB_TOKEN', 'NOT_SET'],
    });
    const plan = buildSpawnPlan(request(custom, { sourceEnv: { ...shellEnv, PATH: bin } }));
    expect(plan.env.GITHUB_TOKEN).toBe('ghp_secret');
    expect(plan.env).not.toHaveProperty('NOT_SET');
    expect(plan.env).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
  });
});

describe('buildSpawnPlan: the command line', () => {
  it('runs the absolute program in the workspace, with the task after `--`', () => {
    const req = request(CLAUDE_CODE, { task: '-fix the build' });
    const plan = buildSpawnPlan(req);
    expect(plan).toMatchObject({
      file: join(req.sourceEnv.PATH as string, 'claude'),
      args: ['--', '-fix the build'],
      cwd: req.workspace,
      wrapper: null,
    });
  });

  it('puts resume arguments first and extra arguments before the task', () => {
    const extraArgs = ['--settings', '/s.json'];
    const byId = buildSpawnPlan(
      request(CLAUDE_CODE, { task: 'go on', resume: { conversationId: 'c0ffee' }, extraArgs }),
    );
    expect(byId.args).toEqual(['--resume', 'c0ffee', '--settings', '/s.json', '--', 'go on']);
    expect(buildSpawnPlan(request(CLAUDE_CODE, { resume: {} })).args).toEqual(['--continue']);
    expect(buildSpawnPlan(request(CODEX_CLI, { resume: { conversationId: 'r1' } })).args).toEqual([
      'resume',
      'r1',
      ...CODEX_CLI.args,
    ]);
  });

  it('passes the task as a flag to Gemini CLI and aider', () => {
    expect(buildSpawnPlan(request(GEMINI_CLI, { task: 'do it' })).args).toEqual([
      '--prompt-interactive',
      'do it',
    ]);
    expect(buildSpawnPlan(request(AIDER, { task: 'do it' })).args).toEqual(['--message', 'do it']);
  });

  it('refuses a resume the preset cannot do, and an id that reads as an option', () => {
    expect(() => buildSpawnPlan(request(AIDER, { resume: { conversationId: 'x' } }))).toThrow(
      'aider cannot resume a conversation by its id.',
    );
    expect(() => buildSpawnPlan(request(SHELL, { resume: {} }))).toThrow(
      'Shell cannot resume its most recent conversation.',
    );
    expect(() =>
      buildSpawnPlan(request(CLAUDE_CODE, { resume: { conversationId: '--dangerously' } })),
    ).toThrow('"--dangerously" is not a conversation id Claude Code can resume.');
  });

  it("runs the person's $SHELL for the shell preset, without the task", () => {
    const plan = buildSpawnPlan(request(SHELL, { task: 'ignored' }));
    expect(plan.file).toBe('/bin/sh');
    expect(plan.args).toEqual([]);
  });

  it('names the preset, the program and what to install when the program is missing', () => {
    const req = request(CLAUDE_CODE, { bundledBinDirs: ['/opt/paddock/node_modules/.bin'] });
    const missing = { ...req, sourceEnv: { PATH: '/nowhere' } };
    expect(() => buildSpawnPlan(missing)).toThrow(AgentNotInstalledError);
    expect(() => buildSpawnPlan(missing)).toThrow(
      'Claude Code cannot start: the program "claude" was not found on PATH (/nowhere) ' +
        "or in Paddock's own /opt/paddock/node_modules/.bin. " +
        'Install it with `npm install -g @anthropic-ai/claude-code`.',
    );
    const absolute = parseCustomPreset({ id: 'gone', name: 'Gone', command: '/opt/gone/agent' });
    expect(() => buildSpawnPlan(request(absolute))).toThrow(
      'Gone cannot start: "/opt/gone/agent" does not exist or is not an executable file. ' +
        'Install `/opt/gone/agent`, or correct the command of the preset "Gone".',
    );
  });

  it('refuses a workspace or home that is not a directory', () => {
    const missing = join(tempDir(), 'missing');
    expect(() => buildSpawnPlan(request(CODEX_CLI, { workspace: missing }))).toThrow(
      new AgentLaunchError(`The workspace "${missing}" is not a directory.`),
    );
    expect(() => buildSpawnPlan(request(CODEX_CLI, { sessionHome: 'relative' }))).toThrow(
      'The session home must be an absolute path, not "relative".',
    );
  });
});

describe('launchCommand', () => {
  it("prefixes the sandbox wrapper's argv to the agent's", () => {
    const plan = buildSpawnPlan(request(CODEX_CLI, { task: 't' }));
    expect(launchCommand(plan)).toEqual({ file: plan.file, args: plan.args });
    const wrapped = { ...plan, wrapper: { file: '/usr/bin/bwrap', args: ['--unshare-all', '--'] } };
    expect(launchCommand(wrapped)).toEqual({
      file: '/usr/bin/bwrap',
      args: ['--unshare-all', '--', plan.file, ...CODEX_CLI.args, '--', 't'],
    });
  });
});
