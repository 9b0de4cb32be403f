/**
 * Is this path inside the workspace? Answered for every directory the shell may be in, after
 * resolving `..` and `~`, and again after following symbolic links that already exist: a link in
 * the workspace that points at ~/.ssh is outside. A glob is checked through its fixed part, and a
 * glob segment that starts with `.` is refused because it may match `..`. Writes into `.git` are
 * refused even inside the workspace: hooks and config there run code later.
 */
import { existsSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';
import type { Scope } from './commands/types';
import type { Word } from './shell/words';

export type PathUse = 'read' | 'write' | 'cd';

const DEVICES: Record<PathUse, readonly string[]> = {
  read: ['/dev/null', '/dev/stdin', '/dev/zero'],
  write: ['/dev/null', '/dev/stdout', '/dev/stderr'],
  cd: [],
};

/** The absolute paths `word` may name (one per possible directory), or a problem. */
export function resolveWord(word: Word, scope: Scope): string[] | { problem: string } {
  if (word.problem) return { problem: word.problem };
  let value = word.value;
  if (word.tilde) {
    if (value !== '~' && !value.startsWith('~/'))
      return { problem: `${value.split('/')[0]} is another user's home` };
    if (scope.home === undefined) return { problem: `${value} needs a home directory` };
    value = posix.join(scope.home, value.slice(1));
  }
  if (
    word.glob &&
    value.split('/').some((segment) => segment.startsWith('.') && /[*?[]/.test(segment))
  )
    return { problem: `the glob ${word.value} may match ..` };
  return [...new Set(scope.cwds.map((cwd) => posix.resolve(cwd, value)))];
}

/** Why `word` may not be used this way, or undefined when it stays inside the workspace. */
export function pathProblem(word: Word, use: PathUse, scope: Scope): string | undefined {
  if (use === 'cd' && word.glob) return `cd to a glob (${word.value})`;
  const resolved = resolveWord(word, scope);
  if (!Array.isArray(resolved)) return resolved.problem;
  for (const absolute of resolved) {
    if (DEVICES[use].includes(absolute)) continue;
    if (!inside(absolute, scope.workspace)) return `${absolute} is outside the workspace`;
    const fixed = absolute.split('/').findIndex((segment) => /[*?[]/.test(segment));
    const checked =
      word.glob && fixed !== -1 ? absolute.split('/').slice(0, fixed).join('/') : absolute;
    if (!linksStayInside(checked, scope.workspace))
      return `${absolute} leads outside the workspace through a symbolic link`;
    if (use === 'write' && posix.relative(scope.workspace, absolute).split('/').includes('.git'))
      return `${absolute} is inside .git, where hooks and config run code`;
  }
  return undefined;
}

export function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/** Follows the longest existing part of `path` and checks it is still in the workspace. */
function linksStayInside(path: string, workspace: string): boolean {
  let existing = path;
  while (!existsSync(existing)) {
    const parent = posix.dirname(existing);
    if (parent === existing) return true;
    existing = parent;
  }
  if (!inside(existing, workspace)) return true; // the workspace itself does not exist here
  try {
    return inside(realpathSync(existing), realpathSync(workspace));
  } catch {
    return false;
  }
}
