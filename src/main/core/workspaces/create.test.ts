import {
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { commitFiles, makeRepository, plainGit, snapshotTree } from '../git/testing';
import { createWorkspace, workspaceDiff, type Workspace } from './index';
import { errorOf } from './testing';

const folder = () => realpathSync(tempDir());

function project(files: Record<string, string> = { 'README.md': 'hello\n' }): string {
  return makeRepository(folder(), { '.gitignore': '.env\n', ...files });
}

function request(projectPath: string, root: string, base?: string) {
  return { projectPath, root, projectId: 'prj_1', sessionId: 'ses_1', shortId: 'abc123', base };
}

describe('createWorkspace', () => {
  it('checks out the base on paddock/<shortId>, borrowing the project’s objects', async () => {
    const repo = project({ 'src/a.ts': 'export const a = 1;\n' });
    const root = folder();
    const ws = await createWorkspace(request(repo, root));
    const head = plainGit(repo, ['rev-parse', 'HEAD']).trim();

    expect(ws).toEqual<Workspace>({
      path: join(root, 'prj_1', 'ses_1', 'work'),
      controlDir: join(root, 'prj_1', 'ses_1', 'control.git'),
      branch: 'paddock/abc123',
      baseCommit: head,
    });
    expect(readFileSync(join(ws.path, 'src', 'a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(plainGit(ws.path, ['symbolic-ref', 'HEAD']).trim()).toBe('refs/heads/paddock/abc123');
    expect(plainGit(ws.path, ['rev-parse', 'HEAD']).trim()).toBe(head);
    expect(plainGit(ws.path, ['status', '--porcelain'])).toBe('');
    // No history copied: every object comes through the alternates file.
    expect(readFileSync(join(ws.path, '.git/objects/info/alternates'), 'utf8')).toBe(
      `${repo}/.git/objects\n`,
    );
    expect(plainGit(ws.path, ['count-objects', '-v'])).toMatch(/^count: 0\n.*\nin-pack: 0\n/s);
  });

  it('gives the agent no remote into the project', async () => {
    const ws = await createWorkspace(request(project(), folder()));
    expect(plainGit(ws.path, ['remote'])).toBe('');
    expect(plainGit(ws.path, ['config', '--list', '--local'])).not.toMatch(/remote|url/);
  });

  it('copies nothing the project ignores', async () => {
    const repo = project();
    writeFileSync(join(repo, '.env'), 'API_KEY=secret\n');
    writeFileSync(join(repo, 'scratch.txt'), 'untracked\n');
    const ws = await createWorkspace(request(repo, folder()));
    expect(existsSync(join(ws.path, '.env'))).toBe(false);
    expect(existsSync(join(ws.path, 'scratch.txt'))).toBe(false);
    expect(readdirSync(ws.path).sort()).toEqual(['.git', '.gitignore', 'README.md']);
  });

  it('starts from the given base', async () => {
    const repo = project({ 'a.txt': 'one\n' });
    const first = plainGit(repo, ['rev-parse', 'HEAD']).trim();
    commitFiles(repo, { 'a.txt': 'two\n' }, 'second');
    const ws = await createWorkspace(request(repo, folder(), first.slice(0, 10)));
    expect(ws.baseCommit).toBe(first);
    expect(readFileSync(join(ws.path, 'a.txt'), 'utf8')).toBe('one\n');
  });

  it('makes a control dir of Paddock’s own that borrows the project’s objects only', async () => {
    const repo = project();
    const ws = await createWorkspace(request(repo, folder()));
    expect(readFileSync(join(ws.controlDir, 'objects/info/alternates'), 'utf8')).toBe(
      `${repo}/.git/objects\n`,
    );
    const config = readFileSync(join(ws.controlDir, 'config'), 'utf8');
    expect(config).toContain('hooksPath = /dev/null');
    expect(config).not.toMatch(/filter|diff|remote|worktree/i);
    expect(readFileSync(join(ws.controlDir, 'info/attributes'), 'utf8')).toBe('* !diff\n');
    expect(existsSync(join(ws.controlDir, 'hooks'))).toBe(false);
  });

  it('leaves every byte of the project’s .git as it was, through a whole session', async () => {
    const repo = project({ 'src/a.ts': 'export const a = 1;\n', 'b.txt': 'b\n' });
    plainGit(repo, ['gc', '-q']);
    commitFiles(repo, { 'c.txt': 'loose\n' }, 'a loose commit on top');
    const before = snapshotTree(join(repo, '.git'));

    const ws = await createWorkspace(request(repo, folder()));
    // The agent edits, commits, edits again; Paddock diffs.
    commitFiles(ws.path, { 'src/a.ts': 'export const a = 2;\n', 'new.txt': 'n\n' }, 'agent');
    writeFileSync(join(ws.path, 'b.txt'), 'changed, not committed\n');
    plainGit(ws.path, ['gc', '-q']);
    const diff = await workspaceDiff(ws);

    expect(diff.files.map((file) => file.path)).toEqual(['b.txt', 'new.txt', 'src/a.ts']);
    expect(snapshotTree(join(repo, '.git'))).toEqual(before);
  });

  it('copies the boundary of a shallow project, so history in the workspace ends cleanly', async () => {
    const upstream = project({ 'a.txt': '1\n' });
    commitFiles(upstream, { 'a.txt': '2\n' }, 'second');
    const shallow = join(folder(), 'shallow');
    plainGit(upstream, ['clone', '-q', '--depth=1', `file://${upstream}`, shallow]);
    const ws = await createWorkspace(request(shallow, folder()));
    expect(plainGit(ws.path, ['log', '--format=%s'])).toBe('second\n');
  });
  it('works from a linked worktree and from a SHA-256 repository', async () => {
    const repo = project({ 'a.txt': 'main\n' });
    const linked = join(folder(), 'linked');
    plainGit(repo, ['worktree', 'add', '-q', '-b', 'feature', linked]);
    commitFiles(linked, { 'a.txt': 'feature\n' }, 'on feature');
    const fromLinked = await createWorkspace(request(linked, folder()));
    expect(readFileSync(join(fromLinked.path, 'a.txt'), 'utf8')).toBe('feature\n');

    const sha256 = folder();
    plainGit(sha256, ['init', '-q', '--object-format=sha256']);
    commitFiles(sha256, { 'a.txt': 'a\n' }, 'first');
    const ws = await createWorkspace(request(sha256, folder()));
    expect(ws.baseCommit).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(ws.path, 'a.txt'), 'b\n');
    expect((await workspaceDiff(ws)).files).toEqual([
      { path: 'a.txt', status: 'M', additions: 1, deletions: 1 },
    ]);
  });
});

describe('createWorkspace when it cannot', () => {
  it('says so when the root is not writable, and makes nothing', async () => {
    const repo = project();
    const blocker = join(folder(), 'a-file');
    writeFileSync(blocker, '');
    const error = await errorOf(createWorkspace(request(repo, join(blocker, 'root'))));
    expect(error.code).toBe('unwritable');
    expect(error.message).toContain(join(blocker, 'root', 'prj_1', 'ses_1'));
  });

  it('says so for a bad base before making anything', async () => {
    const repo = project();
    const root = folder();
    const error = await errorOf(createWorkspace(request(repo, root, 'nope')));
    expect(error.code).toBe('bad-base');
    expect(error.message).toBe(`The base "nope" names no commit in ${repo}.`);
    expect(readdirSync(root)).toEqual([]);
  });

  it('removes what it made when the checkout fails', async () => {
    const repo = project({ 'a.txt': 'content\n' });
    const blob = plainGit(repo, ['rev-parse', 'HEAD:a.txt']).trim();
    rmSync(join(repo, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
    const root = folder();

    const error = await errorOf(createWorkspace(request(repo, root)));
    expect(error.code).toBe('git-failed');
    expect(error.message).toContain(`Could not make the workspace of session ses_1 from ${repo}`);
    expect(error.message).toContain(blob);
    expect(readdirSync(root)).toEqual([]);
  });

  it('keeps its hands off a session folder that is there already', async () => {
    const repo = project();
    const root = folder();
    await createWorkspace(request(repo, root));
    writeFileSync(join(root, 'prj_1', 'ses_1', 'work', 'agent-work.txt'), 'precious\n');

    const error = await errorOf(createWorkspace(request(repo, root)));
    expect(error.code).toBe('exists');
    expect(existsSync(join(root, 'prj_1', 'ses_1', 'work', 'agent-work.txt'))).toBe(true);
  });

  it('refuses ids that are not plain folder or branch names', async () => {
    const repo = project();
    const root = folder();
    for (const ids of [
      { projectId: '..', sessionId: 'ses_1', shortId: 'a' },
      { projectId: 'prj_1', sessionId: 'a/b', shortId: 'a' },
      { projectId: 'prj_1', sessionId: 'ses_1', shortId: 'a..b' },
    ]) {
      const error = await errorOf(createWorkspace({ projectPath: repo, root, ...ids }));
      expect(error.code).toBe('invalid');
    }
    expect(readdirSync(root)).toEqual([]);
  });
});
