import { describe, expect, it } from 'vitest';
import type { SessionDiff } from '../../../shared/sessions';
import { addedLines } from './added-lines';
import { checkDiffLimits, checkSecrets, DEFAULT_PROTECTED, protectedChanges } from './checks';
import { gateDefinitions } from './definitions';
import { parsePolicy } from '../policy';

const PATCH = `diff --git a/src/a.ts b/src/a.ts
index 1111111..2222222 100644
--- a/src/a.ts
+++ b/src/a.ts
@@ -1,3 +1,4 @@
 one
-two
+TWO
+three and a half
 four
@@ -10,2 +11,3 @@ context
 ten
+eleven
 twelve
diff --git a/new.txt b/new.txt
new file mode 100644
--- /dev/null
+++ b/new.txt
@@ -0,0 +1 @@
+fresh
`;

function diff(paths: Array<[string, number, number, string?]>, patch = ''): SessionDiff {
  return {
    baseCommit: 'a'.repeat(40),
    files: paths.map(([path, additions, deletions, oldPath]) => ({
      path,
      status: oldPath ? 'R' : 'M',
      ...(oldPath ? { oldPath } : {}),
      additions,
      deletions,
    })),
    patch,
  };
}

describe('the built-in checks', () => {
  it('reads the added lines of a patch with their new line numbers', () => {
    expect(addedLines(PATCH)).toEqual([
      { path: 'src/a.ts', line: 2, text: 'TWO' },
      { path: 'src/a.ts', line: 3, text: 'three and a half' },
      { path: 'src/a.ts', line: 12, text: 'eleven' },
      { path: 'new.txt', line: 1, text: 'fresh' },
    ]);
  });

  it('marks the files that run or are trusted outside the sandbox, by either name of a rename', () => {
    const changes = protectedChanges(
      diff([
        ['.github/workflows/ci.yml', 1, 0],
        ['web/package.json', 1, 1],
        ['src/index.ts', 3, 0],
        ['scripts/build.sh', 1, 0, 'Makefile'],
        ['.paddock/policy.yaml', 1, 0],
      ]),
      DEFAULT_PROTECTED,
    );
    expect(changes).toEqual([
      { path: '.github/workflows/ci.yml', pattern: '.github/**' },
      { path: 'web/package.json', pattern: '**/package.json' },
      { path: 'scripts/build.sh', pattern: '**/Makefile' },
      { path: '.paddock/policy.yaml', pattern: '.paddock/**' },
    ]);
  });

  it('counts files and lines against the limits', () => {
    const change = diff([
      ['a', 300, 100],
      ['b', 200, 0],
    ]);
    expect(checkDiffLimits(change, { maxFiles: 2, maxLines: 600 })).toMatchObject({
      status: 'passed',
      summary: '2 files, 600 lines changed',
    });
    expect(checkDiffLimits(change, { maxFiles: 1, maxLines: 599 }).findings).toEqual([
      { message: '2 files changed; the limit is 1' },
      { message: '600 lines changed; the limit is 599' },
    ]);
  });

  it('finds a vault value and a token in added lines, not in removed ones', () => {
    const token = 'ghp_' + 'Zq8rT2mVx4Lp9sKd3Hw7Nc1Fb6Jy5Ue0Ri2Ao8';
    const patch = `diff --git a/env.ts b/env.ts
--- a/env.ts
+++ b/env.ts
@@ -1,2 +1,2 @@
-const old = '${token}';
+const key = 'hunter2-but-longer';
+const gh = '${token}';
`;
    const result = checkSecrets(diff([['env.ts', 2, 1]], patch), [], {
      knownSecrets: [{ name: 'DB_PASSWORD', value: 'hunter2-but-longer' }],
      allow: [],
    });
    expect(result.findings.map((f) => [f.path, f.line, f.message])).toEqual([
      ['env.ts', 1, "the vault's DB_PASSWORD is added here"],
      ['env.ts', 2, 'a github secret is added here'],
    ]);
    const allowed = checkSecrets(diff([['env.ts', 2, 1]], patch), [], {
      knownSecrets: [],
      allow: [{ rule: 'github' }],
    });
    expect(allowed.status).toBe('passed');
  });
});

describe('gate definitions', () => {
  it('adds lists up and keeps the stricter action of two policies', () => {
    const personal = parsePolicy(
      'version: 1\ngates:\n  protectedPaths:\n    action: block\n  diffLimits:\n    maxLines: 100\n',
      'personal',
    );
    const repository = parsePolicy(
      'version: 1\ngates:\n  tests:\n    - name: unit\n      run: npm test\n      hosts: [registry.npmjs.org]\n  protectedPaths:\n    paths: [infra/**]\n  diffLimits:\n    action: block\n    maxLines: 500\n    maxFiles: 20\n',
      'repository',
    );
    const gates = gateDefinitions([personal, repository]);
    expect(gates.commands).toEqual([
      {
        kind: 'tests',
        name: 'unit',
        argv: ['sh', '-c', 'npm test'],
        action: 'block',
        timeoutMs: 600_000,
        hosts: ['registry.npmjs.org'],
      },
    ]);
    expect(gates.protectedPaths.action).toBe('block');
    expect(gates.protectedPaths.globs).toContain('infra/**');
    expect(gates.diffLimits).toEqual({ action: 'block', maxFiles: 20, maxLines: 100 });
    expect(gateDefinitions([null]).secrets).toEqual({ action: 'block', allow: [] });
  });
});
