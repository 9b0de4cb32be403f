import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { BUILT_IN_PRESETS, CLAUDE_CODE, detectAgents, parseCustomPreset } from '.';
import { findProgram } from './resolve-program';

function executable(dir: string, name: string, script: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('detectAgents', () => {
  it('finds the programs on PATH with their versions, and says what to install for the rest', async () => {
    const bin = tempDir();
    const codex = executable(bin, 'codex', 'echo "codex-cli 0.50.0"');
    executable(bin, 'gemini', `exec ${findProgram('sleep', process.env.PATH)} 5`);
    const agents = await detectAgents(
      { PATH: bin, SHELL: '/bin/sh' },
      { timeoutMs: 500, bundledBinDirs: [] },
    );
    const byId = Object.fromEntries(agents.map((agent) => [agent.id, agent]));
    expect(agents.map((agent) => agent.id)).toEqual(BUILT_IN_PRESETS.map((preset) => preset.id));
    expect(byId.codex).toMatchObject({ installed: true, path: codex, version: 'codex-cli 0.50.0' });
    expect(byId.gemini).toMatchObject({
      installed: true,
      version: null,
      versionProblem: '`--version` did not answer within 500 ms',
    });
    expect(byId.aider).toMatchObject({
      installed: false,
      path: null,
      install: 'Install it with `pipx install aider-chat`',
    });
    expect(byId.claude).toMatchObject({ installed: false });
    expect(byId.shell).toMatchObject({ program: '/bin/sh', installed: true, path: '/bin/sh' });
  });

  it("finds Claude Code in Paddock's own node_modules/.bin when it is not on PATH", async () => {
    const [claude] = await detectAgents({ PATH: tempDir() }, { presets: [CLAUDE_CODE] });
    expect(claude?.path).toMatch(/node_modules\/\.bin\/claude$/);
    expect(claude?.version).toMatch(/^\d+\.\d+\.\d+ \(Claude Code\)$/);
  }, 30_000);

  it('detects custom presets too', async () => {
    const bin = tempDir();
    executable(bin, 'my-agent', 'echo "my-agent 1.2.3" >&2');
    const custom = parseCustomPreset({ id: 'mine', name: 'Mine', command: 'my-agent' });
    const [mine] = await detectAgents({ PATH: bin }, { presets: [custom] });
    expect(mine).toMatchObject({ id: 'mine', installed: true, version: 'my-agent 1.2.3' });
  });
});
