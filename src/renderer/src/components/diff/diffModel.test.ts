import { describe, expect, it, vi } from 'vitest';
import {
  COLLAPSE_OVER_LINES,
  HIGHLIGHT_LANGUAGES,
  HIGHLIGHT_MAX_LINES,
  changedLines,
  diffFiles,
  diffTotals,
  highlightLanguage,
  languageOf,
  limitHunks,
  pointsOutside,
  shortHash,
  splitPatch,
  startsCollapsed,
  symlinkOf,
  unquoteGitPath,
  type DiffFile,
  type PatchPart,
} from './diffModel';
import { SESSION_FILES, SESSION_PATCH, bigPatch } from './fixtures';
import { canHighlight, tokenizeHunks } from './highlight';
import { parseHunks } from './hunks';

const BASE = '0123456789abcdef0123456789abcdef01234567';

function sessionFiles(): DiffFile[] {
  return diffFiles({ baseCommit: BASE, files: SESSION_FILES, patch: SESSION_PATCH });
}

function fileAt(path: string): DiffFile {
  const file = sessionFiles().find((candidate) => candidate.path === path);
  if (!file) throw new Error(`no file ${path}`);
  return file;
}

function onlyPart(path: string): PatchPart {
  const [part] = fileAt(path).parts;
  if (!part) throw new Error(`no section for ${path}`);
  return part;
}

describe('splitPatch', () => {
  it('cuts real git output into one section per diff --git header', () => {
    const parts = splitPatch(SESSION_PATCH);
    expect(parts.map((part) => [part.kind, part.oldPath, part.newPath])).toEqual([
      ['modify', 'bin.dat', 'bin.dat'],
      ['delete', 'del.md', 'del.md'],
      ['modify', 'héllo.txt', 'héllo.txt'],
      ['modify', 'link-mod', 'link-mod'],
      ['modify', 'mod.ts', 'mod.ts'],
      ['rename', 'old-name.py', 'new-name.py'],
      ['add', 'newbin.png', 'newbin.png'],
      ['add', 'newlink', 'newlink'],
      ['modify', 'sp ace.txt', 'sp ace.txt'],
      ['add', 'ta\tb', 'ta\tb'],
      ['delete', 'typechg', 'typechg'],
      ['add', 'typechg', 'typechg'],
    ]);
  });

  it('reads modes, binaries, similarity and counts', () => {
    const [bin, del, , link, mod, rename] = splitPatch(SESSION_PATCH);
    expect(bin).toMatchObject({ binary: true, hunks: '', lines: 0 });
    expect(del).toMatchObject({ oldMode: '100644', additions: 0, deletions: 1 });
    expect(link).toMatchObject({ oldMode: '120000', newMode: '120000' });
    expect(mod).toMatchObject({ oldMode: '100644', newMode: '100755', additions: 2, deletions: 1 });
    expect(mod?.hunks.split('\n')).toEqual([
      '@@ -1,3 +1,4 @@',
      ' one',
      '-two',
      '+TWO',
      ' three',
      '+four',
    ]);
    expect(mod?.lines).toBe(6);
    expect(rename).toMatchObject({ similarity: 100, hunks: '', binary: false });
  });

  it('takes a spaced name from the header when no --- line gives it', () => {
    const [part] = splitPatch(
      'diff --git a/my file.bin b/my file.bin\nindex 1..2 100644\nBinary files a/my file.bin and b/my file.bin differ\n',
    );
    expect(part).toMatchObject({ oldPath: 'my file.bin', newPath: 'my file.bin', binary: true });
  });

  it('counts a "+++" or "---" inside a hunk as a change, not a header', () => {
    const [part] = splitPatch(
      'diff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n@@ -1,2 +1,2 @@\n---- rule\n+++++ rule\n',
    );
    expect(part).toMatchObject({ additions: 1, deletions: 1, lines: 3 });
  });

  it('returns nothing for an empty patch and ignores text before the first header', () => {
    expect(splitPatch('')).toEqual([]);
    expect(splitPatch('warning: something\n')).toEqual([]);
    expect(
      splitPatch('noise\ndiff --git a/x b/x\nold mode 100644\nnew mode 100755\n'),
    ).toHaveLength(1);
  });
});

describe('unquoteGitPath', () => {
  it('decodes octal UTF-8 bytes and C escapes', () => {
    expect(unquoteGitPath('"h\\303\\251llo"')).toBe('héllo');
    expect(unquoteGitPath('"a\\tb\\\\c\\"d"')).toBe('a\tb\\c"d');
    expect(unquoteGitPath('plain name')).toBe('plain name');
  });
});

describe('diffFiles', () => {
  it('keeps the order of the file list and gives each its sections', () => {
    const files = sessionFiles();
    expect(files.map((file) => file.path)).toEqual(SESSION_FILES.map((file) => file.path));
    expect(files.map((file) => file.parts.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    expect(new Set(files.map((file) => file.key)).size).toBe(files.length);
  });

  it('shows sections the file list does not name, with counts from the patch', () => {
    const files = diffFiles({ baseCommit: BASE, files: [], patch: SESSION_PATCH });
    expect(files).toHaveLength(11);
    expect(files.find((file) => file.path === 'typechg')).toMatchObject({
      status: 'T',
      additions: 1,
      deletions: 1,
    });
    expect(files.find((file) => file.path === 'new-name.py')).toMatchObject({
      status: 'R',
      oldPath: 'old-name.py',
    });
    expect(files.find((file) => file.path === 'bin.dat')).toMatchObject({ additions: null });
  });

  it('keeps a listed file without a section (nothing to show, but still listed)', () => {
    const files = diffFiles({
      baseCommit: BASE,
      files: [{ path: 'ghost', status: 'M', additions: 0, deletions: 0 }],
      patch: '',
    });
    expect(files).toEqual([
      { key: '0:ghost', path: 'ghost', status: 'M', additions: 0, deletions: 0, parts: [] },
    ]);
  });

  it('totals additions and deletions, counting binaries as none', () => {
    expect(diffTotals(sessionFiles())).toEqual({ files: 11, additions: 8, deletions: 6 });
  });
});

describe('symlinks', () => {
  it('reads a new link target as text', () => {
    expect(symlinkOf(onlyPart('newlink'))).toEqual({
      target: 'docs/readme',
      previousTarget: null,
      outside: false,
    });
  });

  it('flags a changed link that now points outside the workspace', () => {
    expect(symlinkOf(onlyPart('link-mod'))).toEqual({
      target: '/etc/passwd',
      previousTarget: 'target-old',
      outside: true,
    });
  });

  it('finds the link half of a type change', () => {
    const [was, now] = fileAt('typechg').parts;
    expect(was && symlinkOf(was)).toBeNull();
    expect(now && symlinkOf(now)).toEqual({
      target: '../outside',
      previousTarget: null,
      outside: true,
    });
  });

  it('reads a deleted link as its previous target, with no warning', () => {
    const [part] = splitPatch(
      [
        'diff --git a/l b/l',
        'deleted file mode 120000',
        'index 1111111..0000000',
        '--- a/l',
        '+++ /dev/null',
        '@@ -1 +0,0 @@',
        '-/etc/shadow',
        '\\ No newline at end of file',
      ].join('\n'),
    );
    expect(part && symlinkOf(part)).toEqual({
      target: null,
      previousTarget: '/etc/shadow',
      outside: false,
    });
  });

  it('is not a link when neither mode says so', () => {
    expect(symlinkOf(onlyPart('mod.ts'))).toBeNull();
  });

  it.each([
    ['/etc/passwd', true],
    ['C:\\Windows', true],
    ['\\\\server\\share', true],
    ['../secret', true],
    ['a/../../b', true],
    ['a\\..\\b', true],
    ['docs/readme', false],
    ['..hidden', false],
    ['./same-dir', false],
    ['', false],
  ])('pointsOutside(%j) is %s', (target, outside) => {
    expect(pointsOutside(target)).toBe(outside);
  });
});

describe('languages', () => {
  it.each([
    ['src/App.tsx', 'tsx'],
    ['lib/x.MTS', 'typescript'],
    ['a/b/main.go', 'go'],
    ['Dockerfile', 'docker'],
    ['build/Dockerfile.dev', 'docker'],
    ['Makefile', 'makefile'],
    ['.github/ci.yml', 'yaml'],
    ['README', null],
    ['.gitignore', null],
    ['x.constructor', null],
    ['data.bin', null],
  ])('languageOf(%j) is %j', (path, language) => {
    expect(languageOf(path)).toBe(language);
  });

  it('registers every language the names map onto', () => {
    for (const language of HIGHLIGHT_LANGUAGES) expect(canHighlight(language), language).toBe(true);
  });

  it('does not highlight a section too long to tokenize cheaply', () => {
    const part = onlyPart('mod.ts');
    expect(highlightLanguage(part, 'mod.ts')).toBe('typescript');
    expect(highlightLanguage({ ...part, lines: HIGHLIGHT_MAX_LINES + 1 }, 'mod.ts')).toBeNull();
    expect(highlightLanguage({ ...part, longestLine: 50_000 }, 'mod.ts')).toBeNull();
  });
});

describe('size decisions', () => {
  it('collapses a file only above the threshold', () => {
    const [file] = diffFiles({ baseCommit: BASE, ...bigPatch(1, COLLAPSE_OVER_LINES / 2) });
    expect(file && changedLines(file)).toBe(COLLAPSE_OVER_LINES);
    expect(file && startsCollapsed(file)).toBe(false);
    const [big] = diffFiles({ baseCommit: BASE, ...bigPatch(1, COLLAPSE_OVER_LINES / 2 + 1) });
    expect(big && startsCollapsed(big)).toBe(true);
    expect(startsCollapsed(fileAt('bin.dat'))).toBe(false);
  });

  it('renders hunks in batches, cutting the last hunk short', () => {
    const hunks = [{ changes: [1, 2, 3] }, { changes: [4, 5, 6, 7] }, { changes: [8] }];
    expect(limitHunks(hunks, 5)).toEqual({
      hunks: [{ changes: [1, 2, 3] }, { changes: [4, 5] }],
      hidden: 3,
    });
    expect(limitHunks(hunks, 3)).toEqual({ hunks: [{ changes: [1, 2, 3] }], hidden: 5 });
    expect(limitHunks(hunks, 100)).toEqual({ hunks, hidden: 0 });
  });

  it('cuts a 5,000-file patch quickly', () => {
    const { files, patch } = bigPatch(5000, 20);
    const started = performance.now();
    const result = diffFiles({ baseCommit: BASE, files, patch });
    const took = performance.now() - started;
    expect(result).toHaveLength(5000);
    expect(result[4999]?.parts[0]).toMatchObject({ additions: 20, deletions: 20, lines: 41 });
    // Generous for a loaded CI machine; it takes about 30 ms on a laptop.
    expect(took).toBeLessThan(1000);
  });

  it('shortens the base commit', () => {
    expect(shortHash(BASE)).toBe('0123456');
  });
});

describe('parseHunks', () => {
  it('parses a section with react-diff-view, whatever its header held', () => {
    const [hunk] = parseHunks(onlyPart('sp ace.txt')) ?? [];
    expect(hunk?.changes.map((change) => [change.type, change.content])).toEqual([
      ['delete', 'a'],
      ['insert', 'b'],
    ]);
    expect(parseHunks(onlyPart('bin.dat'))).toEqual([]);
  });

  it('gives up on a hunk header it cannot read, rather than throwing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [part] = splitPatch('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ nonsense @@\n+a\n');
    expect(part && parseHunks(part)).toBeNull();
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });
});

describe('tokenizeHunks', () => {
  const [part] = splitPatch(
    'diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1 +1 @@\n-let a = 1;\n+export const a = 2;\n',
  );
  if (!part) throw new Error('no section');

  /** Class names of every element in a token tree, as react-diff-view will join them. */
  function classesOf(nodes: unknown[]): string[] {
    return nodes.flatMap((node) => {
      const { properties, children } = node as {
        properties?: { className?: string[] };
        children?: unknown[];
      };
      const own = properties?.className ? [properties.className.join(' ')] : [];
      return [...own, ...classesOf(children ?? [])];
    });
  }

  it('highlights with refractor 5 (react-diff-view expects an older API)', () => {
    const tokens = tokenizeHunks(parseHunks(part) ?? [], 'typescript');
    expect(classesOf(tokens?.new[0] ?? [])).toContain('token keyword');
    expect(classesOf(tokens?.old[0] ?? [])).toContain('token keyword');
  });

  it('leaves unknown languages as plain text', () => {
    expect(tokenizeHunks(parseHunks(part) ?? [], null)).toBeNull();
    expect(tokenizeHunks(parseHunks(part) ?? [], 'cobol')).toBeNull();
  });
});
