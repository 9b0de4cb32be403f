import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { commitFiles, makeRepository, plainGit } from '../git/testing';
import { repositoryRoot, resolveBase } from './index';
import { errorOf } from './testing';

describe('resolveBase', () => {
  it('gives the full commit id of HEAD, a branch, a tag or a short id', async () => {
    const repo = makeRepository(tempDir(), { 'a.txt': 'a\n' });
    const first = plainGit(repo, ['rev-parse', 'HEAD']).trim();
    plainGit(repo, ['tag', '-a', '-m', 'v1', 'v1']);
    plainGit(repo, ['branch', 'old']);
    const second = commitFiles(repo, { 'a.txt': 'b\n' }, 'second');

    expect(await resolveBase(repo)).toBe(second);
    expect(await resolveBase(repo, 'HEAD')).toBe(second);
    expect(await resolveBase(repo, 'old')).toBe(first);
    expect(await resolveBase(repo, 'v1')).toBe(first);
    expect(await resolveBase(repo, first.slice(0, 8))).toBe(first);
  });

  it('names the base and the project when the base is no commit', async () => {
    const repo = makeRepository(tempDir(), { 'a.txt': 'a\n' });
    const blob = plainGit(repo, ['rev-parse', 'HEAD:a.txt']).trim();
    for (const base of ['no-such-branch', blob]) {
      const error = await errorOf(resolveBase(repo, base));
      expect(error.code).toBe('bad-base');
      expect(error.message).toBe(`The base "${base}" names no commit in ${repo}.`);
    }
  });

  it('refuses a base that git would read as an option', async () => {
    const repo = makeRepository(tempDir(), { 'a.txt': 'a\n' });
    for (const base of ['--output=/tmp/x', '', 'a\nb']) {
      expect((await errorOf(resolveBase(repo, base))).code).toBe('bad-base');
    }
  });

  it('says when a repository has no commit yet', async () => {
    const repo = tempDir();
    plainGit(repo, ['init', '-q']);
    const error = await errorOf(resolveBase(repo));
    expect(error.code).toBe('bad-base');
    expect(error.message).toContain(`"HEAD" names no commit in ${repo}`);
  });

  it('names the path when it is not a repository, or only a folder inside one', async () => {
    const plain = tempDir();
    const notRepo = await errorOf(resolveBase(plain));
    expect(notRepo.code).toBe('not-a-repository');
    expect(notRepo.message).toContain(`${plain} is not a git repository`);

    const repo = makeRepository(tempDir(), { 'sub/a.txt': 'a\n' });
    const inside = await errorOf(resolveBase(join(repo, 'sub')));
    expect(inside.code).toBe('not-a-repository');
    expect(inside.message).toContain(join(repo, 'sub'));
  });

  it('names the path when it does not exist or is a file', async () => {
    const dir = tempDir();
    const missing = await errorOf(resolveBase(join(dir, 'gone')));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toContain(join(dir, 'gone'));
    writeFileSync(join(dir, 'file'), '');
    expect((await errorOf(resolveBase(join(dir, 'file')))).code).toBe('not-found');
  });
});

describe('repositoryRoot', () => {
  it('finds the top folder of the repository a path is in, or null', async () => {
    const repo = makeRepository(tempDir(), { 'a.txt': 'a\n' });
    mkdirSync(join(repo, 'deep', 'er'), { recursive: true });
    expect(await repositoryRoot(repo)).toBe(repo);
    expect(await repositoryRoot(join(repo, 'deep', 'er'))).toBe(repo);
    expect(await repositoryRoot(tempDir())).toBeNull();
  });
});
