import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepository, snapshotTree } from '../main/core/git/testing';
import { paddock } from '../test-support/cli';
import { FAKE_AGENT_PRESET } from '../test-support/fixtures/fake-agent-preset';
import { tempDir } from '../test-support/temp';

/** The CLI's raw bytes, for checks that must not go through a text decoder. */
function paddockBytes(home: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'index.ts'), ...args], {
    env: { ...process.env, PADDOCK_HOME: home },
    timeout: 60_000,
  });
}

function repository() {
  return makeRepository(tempDir(), { 'README.md': '# demo\n', 'data.bin': '' });
}

describe('paddock project', () => {
  it('adds a repository, lists it, and forgets it without touching it', () => {
    const home = tempDir();
    const repo = repository();
    const before = snapshotTree(repo);
    expect(paddock(home, ['project', 'add', repo]).code).toBe(0);
    const listed = JSON.parse(paddock(home, ['project', 'list', '--json']).stdout) as Array<{
      path: string;
    }>;
    expect(listed.map((p) => p.path)).toEqual([repo]);
    expect(paddock(home, ['project', 'rm', repo]).stdout).toMatch(/is untouched/);
    expect(JSON.parse(paddock(home, ['project', 'list', '--json']).stdout)).toEqual([]);
    expect(snapshotTree(repo)).toEqual(before);
  });

  it('refuses a folder that is not a git repository, naming it', () => {
    const home = tempDir();
    const folder = tempDir();
    const result = paddock(home, ['project', 'add', folder]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${folder} is not a git repository`);
  });
});

describe('paddock exec', () => {
  it('passes CMD’s stdout through byte for byte and exits with its code', () => {
    const home = tempDir();
    const repo = repository();
    // Octal escapes: dash's printf has no \\x.
    const script = "printf 'line one\\n\\000\\377\\033[31mred\\033[0m'; echo to-stderr >&2; exit 7";
    const result = paddockBytes(home, ['exec', '--project', repo, '--', 'sh', '-c', script]);
    expect(result.status).toBe(7);
    expect(
      result.stdout.equals(Buffer.from('line one\n\x00\xff\x1b[31mred\x1b[0m', 'latin1')),
    ).toBe(true);
    expect(result.stderr.toString()).toBe('to-stderr\n');
  });

  it('exits 0, 128+N for a signal, and 125 when the program is missing', () => {
    const home = tempDir();
    const repo = repository();
    expect(paddock(home, ['exec', '--project', repo, '--', 'true']).code).toBe(0);
    expect(paddock(home, ['exec', '--project', repo, '--', 'sh', '-c', 'kill -TERM $$']).code).toBe(
      143,
    );
    const missing = paddock(home, ['exec', '--project', repo, '--', 'no-such-program-here']);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toMatch(/no-such-program-here/);
    expect(missing.stdout).toBe('');
  });

  it('with --tty, runs CMD in a terminal and keeps its exit code', () => {
    const home = tempDir();
    const repo = repository();
    const result = paddock(home, [
      'exec',
      '--project',
      repo,
      '--tty',
      '--',
      'sh',
      '-c',
      'tty; exit 5',
    ]);
    expect(result.code).toBe(5);
    // In the sandbox's own /dev, bubblewrap shows the terminal as /dev/console.
    expect(result.stdout).toMatch(/^\/dev\/(pts\/\d+|console)\r\n$/);
  });

  it('with --json, prints one JSON object on stdout and CMD’s output on stderr', () => {
    const home = tempDir();
    const repo = repository();
    const result = paddock(home, ['exec', '--project', repo, '--json', '--', 'cat', 'README.md']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('# demo\n');
    const summary = JSON.parse(result.stdout) as {
      sessionId: string;
      exitCode: number;
      workspace: string;
      kept: boolean;
    };
    expect(summary).toMatchObject({ exitCode: 0, kept: false });
    expect(existsSync(summary.workspace)).toBe(false);
  });

  it('keeps the workspace with --keep, and the record either way', () => {
    const home = tempDir();
    const repo = repository();
    const result = paddock(home, [
      'exec',
      '--project',
      repo,
      '--keep',
      '--json',
      '--',
      'sh',
      '-c',
      'echo made > new.txt',
    ]);
    const summary = JSON.parse(result.stdout) as { sessionId: string; workspace: string };
    expect(readFileSync(join(summary.workspace, 'new.txt'), 'utf8')).toBe('made\n');
    const sessions = JSON.parse(paddock(home, ['session', 'list', '--json']).stdout) as Array<{
      id: string;
      state: string;
      exitCode: number;
    }>;
    expect(sessions).toEqual([
      expect.objectContaining({ id: summary.sessionId, state: 'exited', exitCode: 0 }),
    ]);
    const diff = paddock(home, ['session', 'diff', summary.sessionId, '--stat']);
    expect(diff.stdout).toMatch(/^A\s+new\.txt/m);
    // The project itself never sees the file.
    expect(existsSync(join(repo, 'new.txt'))).toBe(false);
  });
});

describe('paddock session (through the background host)', () => {
  it('refuses an invalid custom preset, and runs a valid one as a detached session', async () => {
    const home = tempDir();
    const repo = repository();
    const bad = paddock(home, [
      'settings',
      'set',
      'agents.custom',
      JSON.stringify([{ id: 'Bad Id', command: './relative' }]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Invalid value for agents\.custom/);
    expect(
      paddock(home, ['settings', 'set', 'agents.custom', JSON.stringify([FAKE_AGENT_PRESET])]).code,
    ).toBe(0);

    const script = JSON.stringify([
      { type: 'writeFile', path: 'by-agent.txt', content: 'hi\n' },
      { type: 'exit', code: 4 },
    ]);
    const env = { FAKE_AGENT_SCRIPT: script };
    try {
      const started = paddock(
        home,
        ['session', 'start', '--project', repo, '--agent', 'fake', '--detach'],
        env,
      );
      expect(started.code).toBe(0);
      expect(started.stderr).toMatch(/Started Paddock in the background/);
      const id = started.stdout.trim();
      expect(id).toMatch(/^ses_[0-9a-f]{8}$/);
      const deadline = Date.now() + 20_000;
      let state = '';
      while (Date.now() < deadline) {
        const listed = JSON.parse(paddock(home, ['session', 'list', '--json']).stdout) as Array<{
          id: string;
          state: string;
          exitCode: number | null;
        }>;
        const mine = listed.find((s) => s.id === id);
        state = `${mine?.state}:${mine?.exitCode}`;
        if (state === 'exited:4') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(state).toBe('exited:4');
      expect(paddock(home, ['session', 'diff', id, '--stat']).stdout).toMatch(
        /^A\s+by-agent\.txt/m,
      );
      // The project remembers its last agent: --agent may be left out now.
      const again = paddock(home, ['session', 'start', '--project', repo, '--detach'], env);
      expect(again.code).toBe(0);
    } finally {
      paddock(home, ['stop']);
    }
  }, 60_000);
});
