/**
 * The built-in gates, as pure checks of the landing diff: protected paths, diff limits, and
 * secrets (the diff's added lines through the recorder's redactor, which carries secretlint's
 * recommended rules and the vault's own values, plus every redaction the session's records show).
 */
import picomatch from 'picomatch';
import type { GateFinding, GateResult, ProtectedChange } from '../../../shared/gates';
import type { SessionDiff } from '../../../shared/sessions';
import { redact, type KnownSecret } from '../recorder';
import { addedLines } from './added-lines';

/**
 * Files that run, or are trusted, outside the sandbox later: CI, Paddock's and the agents' own
 * configuration, git's, lockfiles and the scripts that package managers, make and editors run.
 */
export const DEFAULT_PROTECTED = [
  '.github/**',
  '.gitlab-ci.yml',
  '.circleci/**',
  '.buildkite/**',
  'Jenkinsfile',
  '.paddock/**',
  '.claude/**',
  '.mcp.json',
  '.husky/**',
  '.pre-commit-config.yaml',
  '.envrc',
  '.vscode/tasks.json',
  '.vscode/launch.json',
  '.vscode/settings.json',
  '.gitattributes',
  '.gitmodules',
  '**/package.json',
  '**/package-lock.json',
  '**/npm-shrinkwrap.json',
  '**/yarn.lock',
  '**/pnpm-lock.yaml',
  '**/Cargo.lock',
  '**/poetry.lock',
  '**/Gemfile.lock',
  '**/go.sum',
  '**/Makefile',
  '**/GNUmakefile',
  '**/*.mk',
  '**/justfile',
  '**/Rakefile',
  '**/build.rs',
  '**/setup.py',
  '**/Dockerfile',
] as const;

/** The paths of the diff that match a protected glob (a renamed file counts by both names). */
export function protectedChanges(diff: SessionDiff, globs: readonly string[]): ProtectedChange[] {
  const matchers = globs.map((glob) => ({ glob, test: picomatch(glob, { dot: true }) }));
  const changes: ProtectedChange[] = [];
  for (const file of diff.files) {
    const names = [
      file.path,
      ...(file.oldPath && file.oldPath !== file.path ? [file.oldPath] : []),
    ];
    const hit = matchers.find((matcher) => names.some((name) => matcher.test(name)));
    if (hit) changes.push({ path: file.path, pattern: hit.glob });
  }
  return changes;
}

/** A check's verdict before the service adds its name, timing and evidence. */
export type CheckResult = Pick<GateResult, 'status' | 'summary' | 'findings'>;

export function checkProtectedPaths(changes: readonly ProtectedChange[]): CheckResult {
  if (changes.length === 0)
    return { status: 'passed', summary: 'no protected path changes', findings: [] };
  return {
    status: 'failed',
    summary: `${changes.length} protected path${changes.length === 1 ? '' : 's'} changed: ${changes
      .slice(0, 3)
      .map((change) => change.path)
      .join(', ')}${changes.length > 3 ? ', …' : ''}`,
    findings: changes.map((change) => ({
      path: change.path,
      message: `matches ${change.pattern}: it runs or is trusted outside the sandbox later`,
    })),
  };
}

export function checkDiffLimits(
  diff: SessionDiff,
  limits: { maxFiles?: number; maxLines?: number },
): CheckResult {
  const files = diff.files.length;
  const lines = diff.files.reduce(
    (sum, file) => sum + (file.additions ?? 0) + (file.deletions ?? 0),
    0,
  );
  const findings: GateFinding[] = [];
  if (limits.maxFiles !== undefined && files > limits.maxFiles)
    findings.push({ message: `${files} files changed; the limit is ${limits.maxFiles}` });
  if (limits.maxLines !== undefined && lines > limits.maxLines)
    findings.push({ message: `${lines} lines changed; the limit is ${limits.maxLines}` });
  return {
    status: findings.length ? 'failed' : 'passed',
    summary: `${files} file${files === 1 ? '' : 's'}, ${lines} line${lines === 1 ? '' : 's'} changed${findings.length ? ' (over the limit)' : ''}`,
    findings,
  };
}

/** A redaction the session's own records show: a secret that passed through its terminal or calls. */
export interface RecordedRedaction {
  ruleId: string;
  /** `terminal output (event #812)`, `command npm test (event #9)`, ... */
  where: string;
}

export interface SecretAllowance {
  path?: string;
  rule?: string;
}

export function checkSecrets(
  diff: SessionDiff,
  recorded: readonly RecordedRedaction[],
  options: { knownSecrets: readonly KnownSecret[]; allow: readonly SecretAllowance[] },
): CheckResult {
  const allowed = allowanceTest(options.allow);
  const findings: GateFinding[] = [];
  for (const line of addedLines(diff.patch)) {
    for (const finding of redact(line.text, { knownSecrets: options.knownSecrets }).findings) {
      if (allowed(finding.ruleId, line.path)) continue;
      findings.push({
        path: line.path,
        line: line.line,
        message: `${secretName(finding.ruleId)} is added here`,
      });
    }
  }
  for (const redaction of recorded) {
    if (allowed(redaction.ruleId, undefined)) continue;
    findings.push({
      where: redaction.where,
      message: `no sensitive data in logs: ${secretName(redaction.ruleId)} was masked in the session's records`,
    });
  }
  if (findings.length === 0)
    return { status: 'passed', summary: 'no secret in the diff or the records', findings };
  const inDiff = findings.filter((finding) => finding.path).length;
  return {
    status: 'failed',
    summary: `${inDiff} secret${inDiff === 1 ? '' : 's'} in the diff, ${findings.length - inDiff} masked in the session's records`,
    findings,
  };
}

/** `github` → a github secret; `secret:DB_PASSWORD` (a vault value) → the vault's DB_PASSWORD. */
function secretName(ruleId: string): string {
  return ruleId.startsWith('secret:') ? `the vault's ${ruleId.slice(7)}` : `a ${ruleId} secret`;
}

/** A finding is allowed by an entry whose every given part (path glob, rule id) matches it. */
function allowanceTest(
  allow: readonly SecretAllowance[],
): (ruleId: string, path: string | undefined) => boolean {
  const entries = allow.map((entry) => ({
    rule: entry.rule,
    path: entry.path ? picomatch(entry.path, { dot: true }) : null,
  }));
  return (ruleId, path) =>
    entries.some(
      (entry) =>
        (entry.rule === undefined || entry.rule === ruleId) &&
        (entry.path === null || (path !== undefined && entry.path(path))),
    );
}
