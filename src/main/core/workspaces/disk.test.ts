import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { makeRepository, writeFiles } from '../git/testing';
import { createWorkspace, removeWorkspace, workspaceBytes, WorkspaceError } from './index';

const folder = () => realpathSync(tempDir());

async function session() {
  const repo = makeRepository(folder(), { 'a.txt': 'a\n' });
  return createWorkspace({
    projectPath: repo,
    root: folder(),
    projectId: 'prj_1',
    sessionId: 'ses_1',
    shortId: 'abc',
  });
}

describe('workspaceBytes', () => {
  it('counts the blocks files take, each hard-linked file once', () => {
    const dir = folder();
    const empty = workspaceBytes(dir);
    writeFileSync(join(dir, 'big'), Buffer.alloc(1024 * 1024, 1));
    const withFile = workspaceBytes(dir);
    expect(withFile - empty).toBeGreaterThanOrEqual(1024 * 1024);
    linkSync(join(dir, 'big'), join(dir, 'same'));
    expect(workspaceBytes(dir)).toBe(withFile);
  });

  it('does not follow symlinks, and is 0 for a path that is not there', () => {
    const dir = folder();
    const outside = folder();
    writeFileSync(join(outside, 'big'), Buffer.alloc(1024 * 1024, 1));
    symlinkSync(outside, join(dir, 'link'));
    expect(workspaceBytes(dir)).toBeLessThan(1024 * 1024);
    expect(workspaceBytes(join(dir, 'missing'))).toBe(0);
  });
});

describe('removeWorkspace', () => {
  it('removes the session folder, workspace and control dir, and says what it freed', async () => {
    const ws = await session();
    writeFiles(ws.path, { 'out/data.bin': 'x'.repeat(100_000) });
    const sessionDir = join(ws.path, '..');
    const size = workspaceBytes(sessionDir);

    expect(await removeWorkspace(ws)).toBe(size);
    expect(existsSync(sessionDir)).toBe(false);
    expect(existsSync(join(sessionDir, '..'))).toBe(true);
  });

  it('removes folders the agent made read-only, and nothing a symlink points to', async () => {
    const ws = await session();
    const outside = folder();
    writeFileSync(join(outside, 'keep.txt'), 'keep\n');
    symlinkSync(outside, join(ws.path, 'outside'));
    mkdirSync(join(ws.path, 'locked'));
    writeFileSync(join(ws.path, 'locked', 'f'), 'f');
    chmodSync(join(ws.path, 'locked'), 0o500);

    await removeWorkspace(ws);
    expect(existsSync(ws.path)).toBe(false);
    expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('keep\n');
  });

  it('refuses a workspace that does not have the shape Paddock gives it', async () => {
    const ws = await session();
    const elsewhere = folder();
    for (const bad of [
      { ...ws, path: elsewhere },
      { ...ws, controlDir: join(elsewhere, 'control.git') },
      { ...ws, baseCommit: '--all' },
    ]) {
      await expect(removeWorkspace(bad)).rejects.toBeInstanceOf(WorkspaceError);
    }
    expect(existsSync(ws.path)).toBe(true);
    expect(existsSync(elsewhere)).toBe(true);
  });

  it('removes no folder that lacks the control dir Paddock made', async () => {
    const someone = folder();
    mkdirSync(join(someone, 'work'));
    mkdirSync(join(someone, 'control.git'));
    writeFileSync(join(someone, 'precious.txt'), 'keep\n');
    const lookalike = {
      path: join(someone, 'work'),
      controlDir: join(someone, 'control.git'),
      branch: 'paddock/x',
      baseCommit: 'a'.repeat(40),
    };
    await expect(removeWorkspace(lookalike)).rejects.toThrow('holds no control dir Paddock made');
    expect(existsSync(join(someone, 'precious.txt'))).toBe(true);
    expect(
      await removeWorkspace({
        ...lookalike,
        path: join(someone, 'gone', 'work'),
        controlDir: join(someone, 'gone', 'control.git'),
      }),
    ).toBe(0);
  });
});
