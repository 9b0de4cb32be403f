import { describe, expect, it } from 'vitest';
import {
  AgentPresetError,
  BUILT_IN_PRESETS,
  CLAUDE_CODE,
  getPreset,
  parseCustomPreset,
  parseCustomPresets,
  presetEnvNames,
  takesTaskOnCommandLine,
} from '.';

describe('built-in presets', () => {
  it('covers Claude Code, Codex CLI, Gemini CLI, aider and a shell', () => {
    expect(BUILT_IN_PRESETS.map((preset) => [preset.id, preset.command])).toEqual([
      ['claude', 'claude'],
      ['codex', 'codex'],
      ['gemini', 'gemini'],
      ['aider', 'aider'],
      ['shell', '/bin/bash'],
    ]);
  });

  it('declares the environment Claude Code needs, by name', () => {
    expect(presetEnvNames(CLAUDE_CODE)).toEqual([
      'ANTHROPIC_BASE_URL',
      'ANTHROPIC_API_KEY',
      'DISABLE_AUTOUPDATER',
      'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
      'CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL',
    ]);
    expect(CLAUDE_CODE.env.ANTHROPIC_API_KEY).toEqual({ from: 'model-api-key' });
  });

  it('knows how Claude Code resumes its conversations', () => {
    expect(CLAUDE_CODE.resume).toEqual({ withId: ['--resume'], latest: ['--continue'] });
  });

  it('finds a preset by id, built-in or custom, and names the known ones otherwise', () => {
    const custom = parseCustomPreset({ id: 'mine', name: 'Mine', command: 'mine' });
    expect(getPreset('claude')).toBe(CLAUDE_CODE);
    expect(getPreset('mine', [custom])).toBe(custom);
    expect(() => getPreset('nope', [custom])).toThrow(
      'There is no agent preset "nope". Known presets: claude, codex, gemini, aider, shell, mine.',
    );
  });

  it('says whether the task goes on the command line', () => {
    expect(takesTaskOnCommandLine(CLAUDE_CODE)).toBe(true);
    expect(takesTaskOnCommandLine(getPreset('shell'))).toBe(false);
  });
});

describe('custom presets', () => {
  it('fills in defaults: task appended, no extra environment', () => {
    const preset = parseCustomPreset({ id: 'my-agent', name: 'My agent', command: 'my-agent' });
    expect(preset).toMatchObject({
      id: 'my-agent',
      command: 'my-agent',
      args: [],
      task: { kind: 'append', afterDoubleDash: false },
      resume: {},
      env: {},
      homeSetup: 'none',
      builtIn: false,
    });
  });

  it('takes the task as a flag, or not at all, and declared variables from the source environment', () => {
    const flagged = parseCustomPreset({
      id: 'flagged',
      name: 'Flagged',
      command: '/opt/agent/bin/agent',
      args: ['--no-color'],
      taskArg: 'flag:--message',
      env: ['AGENT_TOKEN'],
    });
    expect(flagged.task).toEqual({ kind: 'flag', flag: '--message' });
    expect(flagged.env).toEqual({ AGENT_TOKEN: { from: 'source-env' } });
    const silent = parseCustomPreset({
      id: 'silent',
      name: 'Silent',
      command: 'x',
      taskArg: 'none',
    });
    expect(silent.task).toEqual({ kind: 'none' });
  });

  it('refuses invalid input with every problem named', () => {
    const invalid = {
      id: 'Bad Id',
      name: ' ',
      command: './relative',
      taskArg: 'flag:message',
      env: ['OK_NAME', 'not-a-name', 'HOME'],
      extra: true,
    };
    expect(() => parseCustomPreset(invalid)).toThrow(AgentPresetError);
    expect(() => parseCustomPreset(invalid)).toThrow(
      'Custom agent preset "Bad Id" is invalid: ' +
        'id: use lowercase letters, digits and "-", starting with a letter or digit, at most 40; ' +
        'name: must not be empty; ' +
        'command: must be a program name looked up on PATH or an absolute path, not a relative path; ' +
        'taskArg: must be "append", "none" or "flag:<flag>" with the flag as typed, e.g. "flag:--message"; ' +
        'env[1]: must be an environment variable name (letters, digits, "_"); ' +
        'env[2]: is set by Paddock for each session; ' +
        'Unrecognized key: "extra".',
    );
  });

  it('refuses a missing command and input that is not an object', () => {
    expect(() => parseCustomPreset({ id: 'x', name: 'X' })).toThrow(
      /Custom agent preset "x" is invalid: command: /,
    );
    expect(() => parseCustomPreset(null)).toThrow(/^Custom agent preset is invalid: /);
  });

  it('refuses an id that is taken, by a built-in preset or another custom one', () => {
    expect(() => parseCustomPreset({ id: 'claude', name: 'Mine', command: 'x' })).toThrow(
      'Custom agent preset "claude" is invalid: id: "claude" is already taken by "Claude Code"; choose another id.',
    );
    expect(() =>
      parseCustomPresets([
        { id: 'twice', name: 'One', command: 'x' },
        { id: 'twice', name: 'Two', command: 'y' },
      ]),
    ).toThrow('"twice" is already taken by "One"');
  });
});
