import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { GitError, runGit, runGitBuffer } from './index';
import { makeRepository, plainGit, trapScript, writeFiles } from './testing';

afterEach(() => {
  vi.unstubAllEnvs();
});

async function failureOf(promise: Promise<unknown>): Promise<GitError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GitError);
  return error as GitError;
}

describe('runGit', () => {
  it('returns standard output as text or as bytes, and passes input on standard input', async () => {
    const repo = makeRepository(tempDir(), { 'a.txt': 'a\n' });
    expect(await runGit(['rev-parse', '--is-inside-work-tree'], { cwd: repo })).toBe('true\n');
    const id = await runGitBuffer(['hash-object', '--stdin'], { input: 'hello\n' });
    expect(Buffer.isBuffer(id)).toBe(true);
    expect(id.toString()).toBe('ce013625030ba8dba906f756967f9e9ca394464a\n');
  });

  it('throws a GitError naming the command, its exit code and what git said', async () => {
    const repo = makeRepository(tempDir(), { 'a.txt': 'a\n' });
    const error = await failureOf(runGit(['rev-parse', '--verify', 'nope'], { cwd: repo }));
    expect(error.exitCode).toBe(128);
    expect(error.args).toEqual(['rev-parse', '--verify', 'nope']);
    expect(error.stderr).toContain('Needed a single revision');
    expect(error.message).toMatch(/^git rev-parse --verify nope failed \(exit code 128\): fatal/);
  });

  it("ignores the parent's GIT_* variables and the person's own configuration", async () => {
    const repo = makeRepository(tempDir(), { 'a.txt': 'a\n' });
    const home = tempDir();
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Leaked\n');
    vi.stubEnv('HOME', home);
    vi.stubEnv('XDG_CONFIG_HOME', home);
    vi.stubEnv('GIT_CONFIG_GLOBAL', join(home, '.gitconfig'));
    vi.stubEnv('GIT_CONFIG_PARAMETERS', "'user.name'='Leaked'");
    vi.stubEnv('GIT_DIR', '/nonexistent/elsewhere.git');
    vi.stubEnv('GIT_INDEX_FILE', '/nonexistent/index');
    expect(await runGit(['rev-parse', '--show-toplevel'], { cwd: repo })).toBe(`${repo}\n`);
    const unset = await failureOf(runGit(['config', 'user.name'], { cwd: repo }));
    expect(unset.exitCode).toBe(1);
  });

  it("runs no program the repository's config or hooks name", async () => {
    const repo = makeRepository(tempDir(), { 'a.txt': 'a\n' });
    const traps = tempDir();
    const marker = join(traps, 'ran');
    const script = trapScript(join(traps, 'trap.sh'), marker);
    plainGit(repo, ['config', 'core.fsmonitor', script]);
    mkdirSync(join(repo, '.git', 'hooks'), { recursive: true });
    trapScript(join(repo, '.git', 'hooks', 'post-index-change'), marker);
    writeFiles(repo, { 'b.txt': 'b\n' });

    await runGit(['add', '-A'], { cwd: repo });
    await runGit(['status', '--porcelain'], { cwd: repo });
    expect(existsSync(marker)).toBe(false);
    // The traps are real: git run plainly in the same repository springs them.
    plainGit(repo, ['status', '--porcelain']);
    expect(existsSync(marker)).toBe(true);
  });

  it('starts no transport, whatever the repository allows', async () => {
    const repo = makeRepository(tempDir(), { 'a.txt': 'a\n' });
    const marker = join(tempDir(), 'ran');
    plainGit(repo, ['config', 'protocol.ext.allow', 'always']);
    const error = await failureOf(
      runGit(['ls-remote', `ext::sh -c touch% ${marker}`], { cwd: repo }),
    );
    expect(error.stderr).toContain("transport 'ext' not allowed");
    expect(existsSync(marker)).toBe(false);
  });

  it('says when git ran too long, printed too much, or could not start', async () => {
    const slow = await failureOf(
      runGit(['-c', 'alias.slow=!sleep 1', 'slow'], { cwd: tempDir(), timeoutMs: 100 }),
    );
    expect(slow.message).toContain('did not finish within 100 ms');
    expect(slow.exitCode).toBeNull();
    const chatty = await failureOf(runGit(['version', '--build-options'], { maxOutputBytes: 10 }));
    expect(chatty.message).toContain('printed more than 10 bytes');
    const nowhere = await failureOf(runGit(['status'], { cwd: '/nonexistent/dir' }));
    expect(nowhere.message).toContain('/nonexistent/dir does not exist');
  });
});
