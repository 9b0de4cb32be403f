import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { commitFiles, makeRepository, plainGit, writeFiles } from '../git/testing';
import { createWorkspace, snapshotWorkspace, treeDiff, type Workspace } from '../workspaces';
import type { PromotionMode } from '../../../shared/gates';
import { landChange, planLanding, PromotionError, resolveTarget, type Landing } from './index';

const person = { name: 'Test Person', email: 'person@example.com' };
const folder = () => realpathSync(tempDir());

async function fixture(files: Record<string, string> = { 'a.txt': 'one\n', 'b.txt': 'two\n' }) {
  const project = makeRepository(folder(), files);
  const workspace = await createWorkspace({
    projectPath: project,
    root: folder(),
    projectId: 'prj_1',
    sessionId: 'ses_0123abcd',
    shortId: '0123abcd',
  });
  return { project, workspace };
}

async function snapshotAndPlan(workspace: Workspace, project: string) {
  const head = await snapshotWorkspace(workspace, { message: 'snapshot\n', author: person });
  const target = await resolveTarget(project);
  return { head, landing: await planLanding(workspace, head, target, person) };
}

/** Lands the planned change (the commit message matters to no test here). */
function land(workspace: Workspace, project: string, landing: Landing, mode: PromotionMode) {
  return landChange({
    workspace,
    projectPath: project,
    binding: landing.binding,
    mode,
    message: 'Land it\n',
    person,
  });
}

async function refusal(promise: Promise<unknown>): Promise<PromotionError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PromotionError);
  return error as PromotionError;
}

describe('snapshot and landing', () => {
  it('snapshots committed and uncommitted work alike, and reuses an unchanged snapshot', async () => {
    const { project, workspace } = await fixture();
    writeFiles(workspace.path, { 'a.txt': 'one\nmore\n', 'new.txt': 'new\n' });
    const first = await snapshotWorkspace(workspace, { message: 'm\n', author: person });
    expect(first.created).toBe(true);
    const again = await snapshotWorkspace(workspace, {
      message: 'm\n',
      author: person,
      previous: first,
    });
    expect(again).toEqual({ ...first, created: false });
    const { landing } = await snapshotAndPlan(workspace, project);
    expect(landing.merged).toBe(false);
    expect(landing.binding.landingTree).toBe(first.tree);
    const diff = await treeDiff(
      workspace,
      landing.binding.targetCommit,
      landing.binding.landingTree,
    );
    expect(diff.files.map((file) => file.path).sort()).toEqual(['a.txt', 'new.txt']);
  });

  it('merges onto a moved target, and says which files conflict', async () => {
    const { project, workspace } = await fixture();
    writeFiles(workspace.path, { 'a.txt': 'one\nfrom the agent\n' });
    commitFiles(project, { 'b.txt': 'two\nfrom the person\n' }, 'moved');
    const { landing } = await snapshotAndPlan(workspace, project);
    expect(landing.merged).toBe(true);
    const diff = await treeDiff(
      workspace,
      landing.binding.targetCommit,
      landing.binding.landingTree,
    );
    expect(diff.files.map((file) => file.path)).toEqual(['a.txt']);
    commitFiles(project, { 'a.txt': 'one\nalso the person\n' }, 'conflicting');
    const conflict = await refusal(snapshotAndPlan(workspace, project));
    expect(conflict.code).toBe('conflict');
    expect(conflict.message).toContain('a.txt');
  });

  it('gives a different diff hash for any different change', async () => {
    const { project, workspace } = await fixture();
    writeFiles(workspace.path, { 'a.txt': 'x\n' });
    const one = (await snapshotAndPlan(workspace, project)).landing.binding.diffHash;
    writeFiles(workspace.path, { 'a.txt': 'y\n' });
    const two = (await snapshotAndPlan(workspace, project)).landing.binding.diffHash;
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(two).not.toBe(one);
  });
});

describe('landChange', () => {
  it('lands exactly the landing tree and fast-forwards a clean checkout', async () => {
    const { project, workspace } = await fixture();
    writeFiles(workspace.path, { 'a.txt': 'landed\n', 'dir/c.txt': 'c\n' });
    const { landing } = await snapshotAndPlan(workspace, project);
    const landed = await land(workspace, project, landing, 'squash');
    expect(landed).toMatchObject({ before: landing.binding.targetCommit, checkoutUpdated: true });
    expect(plainGit(project, ['rev-parse', 'main']).trim()).toBe(landed.after);
    expect(plainGit(project, ['rev-parse', 'main^{tree}']).trim()).toBe(
      landing.binding.landingTree,
    );
    expect(plainGit(project, ['rev-list', '--parents', '-n1', 'main']).trim().split(' ')).toEqual([
      landed.after,
      landed.before,
    ]);
    expect(readFileSync(join(project, 'dir/c.txt'), 'utf8')).toBe('c\n');
    expect(plainGit(project, ['status', '--porcelain'])).toBe('');
    expect(plainGit(project, ['fsck', '--no-dangling']).trim()).toBe('');
  });

  it('makes a merge commit with the snapshot as second parent when asked', async () => {
    const { project, workspace } = await fixture();
    writeFiles(workspace.path, { 'a.txt': 'merged\n' });
    const { head, landing } = await snapshotAndPlan(workspace, project);
    const landed = await land(workspace, project, landing, 'merge');
    expect(plainGit(project, ['rev-list', '--parents', '-n1', 'main']).trim().split(' ')).toEqual([
      landed.after,
      landed.before,
      head.commit,
    ]);
  });

  it('refuses when the target moved after the landing was planned, and lands nothing', async () => {
    const { project, workspace } = await fixture();
    writeFiles(workspace.path, { 'a.txt': 'late\n' });
    const { landing } = await snapshotAndPlan(workspace, project);
    const moved = commitFiles(project, { 'b.txt': 'moved\n' }, 'moved');
    const error = await refusal(land(workspace, project, landing, 'squash'));
    expect(error.code).toBe('moved');
    expect(plainGit(project, ['rev-parse', 'main']).trim()).toBe(moved);
    expect(readFileSync(join(project, 'a.txt'), 'utf8')).toBe('one\n');
    expect(plainGit(project, ['status', '--porcelain'])).toBe('');
  });

  it("never touches the person's uncommitted changes", async () => {
    const { project, workspace } = await fixture();
    writeFiles(workspace.path, { 'a.txt': 'agent\n' });
    const { landing } = await snapshotAndPlan(workspace, project);
    writeFileSync(join(project, 'b.txt'), 'my own edit\n');
    const error = await refusal(land(workspace, project, landing, 'squash'));
    expect(error.code).toBe('dirty-checkout');
    expect(error.message).toContain('b.txt');
    expect(readFileSync(join(project, 'b.txt'), 'utf8')).toBe('my own edit\n');
    expect(plainGit(project, ['rev-parse', 'main']).trim()).toBe(landing.binding.targetCommit);
  });

  it('moves only the branch when the checkout has another branch out', async () => {
    const { project, workspace } = await fixture();
    plainGit(project, ['checkout', '-q', '-b', 'work']);
    writeFileSync(join(project, 'b.txt'), 'uncommitted on another branch\n');
    writeFiles(workspace.path, { 'a.txt': 'agent\n' });
    const head = await snapshotWorkspace(workspace, { message: 'm\n', author: person });
    const landing = await planLanding(
      workspace,
      head,
      await resolveTarget(project, 'main'),
      person,
    );
    const landed = await land(workspace, project, landing, 'squash');
    expect(landed.checkoutUpdated).toBe(false);
    expect(plainGit(project, ['show', 'main:a.txt'])).toBe('agent\n');
    expect(readFileSync(join(project, 'a.txt'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(project, 'b.txt'), 'utf8')).toBe('uncommitted on another branch\n');
    expect(existsSync(join(project, '.git', 'index.lock'))).toBe(false);
  });
});
