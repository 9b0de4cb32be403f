import {
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { copyIntoWorkspace } from './copy';

const ENV = 'DATABASE_URL=postgres://localhost/dev\n';
const SEED = 'insert into t values (1);\n';

/** A checkout with a gitignored .env, a fixtures folder, and a secret outside it. */
function checkout() {
  const root = realpathSync(tempDir());
  const project = join(root, 'project');
  const workspace = join(root, 'workspace');
  mkdirSync(join(project, 'fixtures', 'db'), { recursive: true });
  mkdirSync(workspace);
  writeFileSync(join(project, '.env'), ENV);
  writeFileSync(join(project, 'fixtures', 'db', 'seed.sql'), SEED);
  writeFileSync(join(root, 'id_ed25519'), 'PRIVATE KEY\n');
  return { root, project, workspace };
}

describe('copyIntoWorkspace', () => {
  it('copies named files and folders, and reports names the checkout lacks', () => {
    const { project, workspace } = checkout();
    const report = copyIntoWorkspace(project, workspace, ['.env', 'fixtures/', 'local.json']);
    expect(report).toEqual({
      copied: [
        { path: '.env', bytes: ENV.length },
        { path: join('fixtures', 'db', 'seed.sql'), bytes: SEED.length },
      ],
      missing: ['local.json'],
    });
    expect(readFileSync(join(workspace, 'fixtures', 'db', 'seed.sql'), 'utf8')).toContain('insert');
  });

  it.each([
    ['../id_ed25519', /inside the project/],
    ['/etc/passwd', /inside the project/],
    ['fixtures/../../id_ed25519', /inside the project/],
    ['.', /inside the project/],
    ['.git/config', /never copied/],
  ])('refuses %s', (name, message) => {
    const { project, workspace } = checkout();
    expect(() => copyIntoWorkspace(project, workspace, [name])).toThrow(message);
  });

  it('never follows a symbolic link: named, on the way, or inside a named folder', () => {
    const { root, project, workspace } = checkout();
    symlinkSync(join(root, 'id_ed25519'), join(project, 'key'));
    symlinkSync(root, join(project, 'outside'));
    symlinkSync(join(root, 'id_ed25519'), join(project, 'fixtures', 'db', 'key'));
    expect(() => copyIntoWorkspace(project, workspace, ['key'])).toThrow(/symbolic link/);
    expect(() => copyIntoWorkspace(project, workspace, ['outside/id_ed25519'])).toThrow(
      /outside is a symbolic link/,
    );
    expect(() => copyIntoWorkspace(project, workspace, ['fixtures'])).toThrow(/symbolic link/);
    expect(existsSync(join(workspace, 'key'))).toBe(false);
    expect(existsSync(join(workspace, 'fixtures', 'db', 'key'))).toBe(false);
  });

  it('never writes through a link in the workspace (a repository can commit one)', () => {
    const { root, project, workspace } = checkout();
    symlinkSync(join(root, 'id_ed25519'), join(workspace, '.env'));
    symlinkSync(root, join(workspace, 'fixtures'));
    expect(() => copyIntoWorkspace(project, workspace, ['.env'])).toThrow(
      /\.env in the workspace is a symbolic link/,
    );
    expect(() => copyIntoWorkspace(project, workspace, ['fixtures'])).toThrow(
      /fixtures in the workspace is a symbolic link/,
    );
    expect(readFileSync(join(root, 'id_ed25519'), 'utf8')).toBe('PRIVATE KEY\n');
    expect(existsSync(join(root, 'db'))).toBe(false);
  });
});
