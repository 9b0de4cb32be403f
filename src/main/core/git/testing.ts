/**
 * For tests only: git as a person or an agent runs it, honouring the repository's own config
 * (hooks, fsmonitor, filters), unlike runGit. The environment is still built from scratch, so a
 * GIT_DIR or global config of whoever runs the tests cannot change the result.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export function plainGit(cwd: string, args: readonly string[], input?: string): string {
  return execFileSync('git', args, {
    cwd,
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: '/nonexistent',
      LANG: 'C',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Test Person',
      GIT_AUTHOR_EMAIL: 'person@example.com',
      GIT_COMMITTER_NAME: 'Test Person',
      GIT_COMMITTER_EMAIL: 'person@example.com',
    },
  });
}

/** A repository with the given files committed on `main`; returns its path. */
export function makeRepository(dir: string, files: Record<string, string>): string {
  plainGit(dir, ['init', '-q', '-b', 'main']);
  commitFiles(dir, files, 'initial');
  return dir;
}

/** Writes the files, stages everything and commits; returns the new commit's id. */
export function commitFiles(repo: string, files: Record<string, string>, message: string): string {
  writeFiles(repo, files);
  plainGit(repo, ['add', '-A']);
  plainGit(repo, ['commit', '-q', '--allow-empty', '-m', message]);
  return plainGit(repo, ['rev-parse', 'HEAD']).trim();
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    const file = `${dir}/${path}`;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** An executable shell script that creates `marker` when anything runs it. */
export function trapScript(path: string, marker: string): string {
  writeFileSync(path, `#!/bin/sh\ntouch '${marker}'\ncat\n`, { mode: 0o755 });
  return path;
}

/** Every file, folder and link under `dir` with a digest of its content: equal means untouched. */
export function snapshotTree(dir: string): Record<string, string> {
  const snapshot: Record<string, string> = {};
  const visit = (relative: string) => {
    const path = join(dir, relative);
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) snapshot[relative] = `link ${readlinkSync(path)}`;
    else if (stats.isFile())
      snapshot[relative] = createHash('sha256').update(readFileSync(path)).digest('hex');
    else if (stats.isDirectory()) {
      snapshot[relative] = 'folder';
      for (const name of readdirSync(path)) visit(join(relative, name));
    }
  };
  visit('.');
  return snapshot;
}
