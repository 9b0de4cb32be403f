/**
 * Real `git diff --cached --find-renames --patch` output (the arguments workspaces/diff.ts uses), for
 * tests: a binary, a deletion, a quoted non-ASCII name, a changed link pointing outside, a mode change
 * with edits, a pure rename, a new binary, a new link, a name with a space, a name with a tab, and a
 * file that became a link (a type change: two sections for one path).
 */
import type { FileChange } from '../../../../shared/sessions';

export const SESSION_PATCH = [
  'diff --git a/bin.dat b/bin.dat',
  'index bdc955b..8835708 100644',
  'Binary files a/bin.dat and b/bin.dat differ',
  'diff --git a/del.md b/del.md',
  'deleted file mode 100644',
  'index 286c5f5..0000000',
  '--- a/del.md',
  '+++ /dev/null',
  '@@ -1 +0,0 @@',
  '-gone',
  'diff --git "a/h\\303\\251llo.txt" "b/h\\303\\251llo.txt"',
  'index 7898192..6178079 100644',
  '--- "a/h\\303\\251llo.txt"',
  '+++ "b/h\\303\\251llo.txt"',
  '@@ -1 +1 @@',
  '-a',
  '+b',
  'diff --git a/link-mod b/link-mod',
  'index 33bd789..3594e94 120000',
  '--- a/link-mod',
  '+++ b/link-mod',
  '@@ -1 +1 @@',
  '-target-old',
  '\\ No newline at end of file',
  '+/etc/passwd',
  '\\ No newline at end of file',
  'diff --git a/mod.ts b/mod.ts',
  'old mode 100644',
  'new mode 100755',
  'index 4cb29ea..6addb9b',
  '--- a/mod.ts',
  '+++ b/mod.ts',
  '@@ -1,3 +1,4 @@',
  ' one',
  '-two',
  '+TWO',
  ' three',
  '+four',
  'diff --git a/old-name.py b/new-name.py',
  'similarity index 100%',
  'rename from old-name.py',
  'rename to new-name.py',
  'diff --git a/newbin.png b/newbin.png',
  'new file mode 100644',
  'index 0000000..a903574',
  'Binary files /dev/null and b/newbin.png differ',
  'diff --git a/newlink b/newlink',
  'new file mode 120000',
  'index 0000000..67e397d',
  '--- /dev/null',
  '+++ b/newlink',
  '@@ -0,0 +1 @@',
  '+docs/readme',
  '\\ No newline at end of file',
  'diff --git a/sp ace.txt b/sp ace.txt',
  'index 7898192..6178079 100644',
  '--- a/sp ace.txt\t',
  '+++ b/sp ace.txt\t',
  '@@ -1 +1 @@',
  '-a',
  '+b',
  'diff --git "a/ta\\tb" "b/ta\\tb"',
  'new file mode 100644',
  'index 0000000..8cc35a3',
  '--- /dev/null',
  '+++ "b/ta\\tb"',
  '@@ -0,0 +1 @@',
  '+tab',
  'diff --git a/typechg b/typechg',
  'deleted file mode 100644',
  'index f525151..0000000',
  '--- a/typechg',
  '+++ /dev/null',
  '@@ -1 +0,0 @@',
  '-regular',
  'diff --git a/typechg b/typechg',
  'new file mode 120000',
  'index 0000000..d09b807',
  '--- /dev/null',
  '+++ b/typechg',
  '@@ -0,0 +1 @@',
  '+../outside',
  '\\ No newline at end of file',
  '',
].join('\n');

/** What workspaces/diff-output.ts reads from the same call's `--raw --numstat -z` records. */
export const SESSION_FILES: FileChange[] = [
  { path: 'bin.dat', status: 'M', additions: null, deletions: null },
  { path: 'del.md', status: 'D', additions: 0, deletions: 1 },
  { path: 'héllo.txt', status: 'M', additions: 1, deletions: 1 },
  { path: 'link-mod', status: 'M', additions: 1, deletions: 1 },
  { path: 'mod.ts', status: 'M', additions: 2, deletions: 1 },
  { path: 'new-name.py', oldPath: 'old-name.py', status: 'R', additions: 0, deletions: 0 },
  { path: 'newbin.png', status: 'A', additions: null, deletions: null },
  { path: 'newlink', status: 'A', additions: 1, deletions: 0 },
  { path: 'sp ace.txt', status: 'M', additions: 1, deletions: 1 },
  { path: 'ta\tb', status: 'A', additions: 1, deletions: 0 },
  { path: 'typechg', status: 'T', additions: 1, deletions: 1 },
];

/** A generated diff of `count` modified files of `lines` changed lines each, for size tests. */
export function bigPatch(count: number, lines: number): { files: FileChange[]; patch: string } {
  const files: FileChange[] = [];
  const sections: string[] = [];
  for (let index = 0; index < count; index++) {
    const path = `src/module${index}/file${index}.ts`;
    files.push({ path, status: 'M', additions: lines, deletions: lines });
    const body: string[] = [];
    for (let line = 0; line < lines; line++) {
      body.push(
        `-export const value${line} = ${line};`,
        `+export const value${line} = ${line + 1};`,
      );
    }
    sections.push(
      [
        `diff --git a/${path} b/${path}`,
        'index 1111111..2222222 100644',
        `--- a/${path}`,
        `+++ b/${path}`,
        `@@ -1,${lines} +1,${lines} @@`,
        ...body,
      ].join('\n'),
    );
  }
  return { files, patch: `${sections.join('\n')}\n` };
}
