/**
 * The classifier for file tools (Read, Edit, Write), where no rule decides: reading anything in
 * the workspace is allowed, and so is editing it, except the files that run later outside the
 * sandbox or change what Paddock and the agent trust (CI workflows, git hooks, the policy itself,
 * package scripts, lockfiles, editor tasks): those are asked. Paths leave the workspace after `..`,
 * `~` or a symbolic link: asked. The workspace is the session's own clone: an edit there is the
 * agent's work, reviewed in the diff before anything lands.
 */
import { posix } from 'node:path';
import type { Scope } from './commands/types';
import { pathProblem } from './paths';

/** Files an edit to is a question for a person (the gates issue marks them in the diff too). */
const PROTECTED = [
  /^\.git(\/|$)/,
  /^\.paddock(\/|$)/,
  /^\.claude(\/|$)/,
  /^\.mcp\.json$/,
  /^\.github\//,
  /^\.gitlab-ci\.yml$/,
  /^\.husky\//,
  /^\.pre-commit-config\.yaml$/,
  /^\.envrc$/,
  /^\.vscode\/(tasks|launch)\.json$/,
  /(^|\/)package\.json$/,
  /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|Gemfile\.lock)$/,
  /(^|\/)(Makefile|GNUmakefile|justfile|Rakefile)$/,
];

export function classifyFile(
  tool: 'Read' | 'Edit' | 'Write',
  path: string,
  context: { workspace: string; home?: string },
): { verdict: 'allow' | 'ask'; reason: string } {
  const workspace = posix.normalize(context.workspace);
  const word = { raw: path, value: path, glob: false, tilde: path.startsWith('~') };
  const scope = { workspace, home: context.home, cwds: [workspace] } as unknown as Scope;
  const problem = pathProblem(word, tool === 'Read' ? 'read' : 'write', scope);
  if (problem) return { verdict: 'ask', reason: problem };
  if (tool === 'Read') return { verdict: 'allow', reason: 'reads inside the workspace' };
  const relative = posix.relative(workspace, posix.resolve(workspace, path));
  const guarded = PROTECTED.find((pattern) => pattern.test(relative));
  if (guarded)
    return {
      verdict: 'ask',
      reason: `${relative} is protected: it runs or is trusted outside the session`,
    };
  return {
    verdict: 'allow',
    reason: 'edits inside the workspace (reviewed in the diff before it lands)',
  };
}
