/**
 * The components rendered to HTML in Node (no DOM here): what the first paint holds, before any
 * effect runs. Lazy rendering and scrolling need a browser and are left to the end-to-end tests.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import type { ViewType } from 'react-diff-view';
import { describe, expect, it } from 'vitest';
import type { SessionDiff } from '../../../../shared/sessions';
import DiffReview from './DiffReview';
import { diffFiles, type DiffFile } from './diffModel';
import { FileParts } from './FileSection';
import { SESSION_FILES, SESSION_PATCH, bigPatch } from './fixtures';
import { textOf } from '../../test-support';

const BASE = '0123456789abcdef0123456789abcdef01234567';
const SESSION: SessionDiff = { baseCommit: BASE, files: SESSION_FILES, patch: SESSION_PATCH };

function count(html: string, needle: string): number {
  return html.split(needle).length - 1;
}

function file(path: string): DiffFile {
  const found = diffFiles(SESSION).find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no file ${path}`);
  return found;
}

function parts(path: string, viewType: ViewType = 'unified'): string {
  return renderToStaticMarkup(<FileParts file={file(path)} viewType={viewType} />);
}

describe('DiffReview', () => {
  it('says so when there are no changes', () => {
    const html = renderToStaticMarkup(
      <DiffReview diff={{ baseCommit: BASE, files: [], patch: '' }} />,
    );
    expect(html).toContain('data-testid="diff-view"');
    expect(textOf(html)).toBe('No changes yet against 0123456.');
  });

  it('summarises the diff and offers the view controls', () => {
    const html = renderToStaticMarkup(<DiffReview diff={SESSION} />);
    const text = textOf(html);
    expect(text).toContain('11 files changed');
    expect(text).toContain('+8 added, −6 deleted');
    expect(text).toContain('against 0123456');
    expect(html).toMatch(/role="group" aria-label="Diff layout"/);
    expect(html).toMatch(/aria-pressed="true"[^>]*>Unified</);
    expect(html).toMatch(/aria-pressed="false"[^>]*>Split</);
    expect(text).toContain('Expand all');
    expect(text).toContain('Collapse all');
  });

  it('lists every file and gives each a section with a heading', () => {
    const html = renderToStaticMarkup(<DiffReview diff={SESSION} />);
    expect(count(html, 'data-testid="diff-file"')).toBe(11);
    expect(html).toContain('data-path="sp ace.txt"');
    expect(html).toContain('data-path="héllo.txt"');
    expect(count(html, '<h4')).toBe(11);
    expect(html).toContain('<nav class="diff-file-list" aria-label="Changed files">');
    // A rename reads old → new, in the list and on the section.
    // (The arrow is hidden from screen readers, which hear "renamed to" instead.)
    expect(textOf(html).match(/old-name\.py → +renamed to new-name\.py/g)).toHaveLength(2);
  });

  it('starts a big file collapsed, behind a button', () => {
    const { files, patch } = bigPatch(2, 300);
    const html = renderToStaticMarkup(<DiffReview diff={{ baseCommit: BASE, files, patch }} />);
    expect(count(html, 'aria-expanded="false"')).toBe(2);
    expect(count(textOf(html), 'Show 600 lines')).toBe(2);
  });

  it('mounts the first batch of a 5,000-file diff, and no hunks before they come near', () => {
    const { files, patch } = bigPatch(5000, 10);
    const started = performance.now();
    const html = renderToStaticMarkup(<DiffReview diff={{ baseCommit: BASE, files, patch }} />);
    const took = performance.now() - started;
    expect(count(html, 'data-testid="diff-file"')).toBe(100);
    expect(html).not.toContain('<table');
    expect(textOf(html)).toContain('5,000 files changed');
    // Generous for a loaded machine: this is one synchronous render of the first paint.
    expect(took).toBeLessThan(2000);
  });
});

describe('FileParts', () => {
  it('shows hunks, with their headers, in either layout', () => {
    const unified = parts('mod.ts');
    expect(unified).toContain('diff-unified');
    expect(textOf(unified)).toContain('@@ -1,3 +1,4 @@');
    expect(textOf(unified)).toContain('TWO');
    expect(textOf(unified)).toContain('Mode changed 100644 → 100755');
    expect(parts('mod.ts', 'split')).toContain('diff-split');
  });

  it('shows a link as its target text, never as something to follow', () => {
    const html = parts('link-mod');
    const text = textOf(html);
    expect(text).toContain('symbolic link');
    expect(text).toContain('points outside the workspace');
    expect(text).toContain('link-mod → /etc/passwd');
    expect(text).toContain('(was target-old)');
    expect(html).not.toMatch(/href|src=/);
    expect(html).not.toContain('<table');
  });

  it('shows a link inside the workspace without a warning', () => {
    const text = textOf(parts('newlink'));
    expect(text).toContain('newlink → docs/readme');
    expect(text).not.toContain('outside');
  });

  it('shows both halves of a file that became a link', () => {
    const html = parts('typechg');
    expect(textOf(html)).toContain('regular');
    expect(textOf(html)).toContain('typechg → ../outside');
    expect(textOf(html)).toContain('points outside the workspace');
  });

  it('does not show binary content', () => {
    expect(textOf(parts('bin.dat'))).toBe('Binary file, not shown.');
    expect(textOf(parts('newbin.png'))).toBe('Binary file, not shown.');
  });

  it('says what happened when there is nothing to show', () => {
    expect(textOf(parts('new-name.py'))).toBe('Renamed without changes.');
    expect(
      textOf(
        renderToStaticMarkup(
          <FileParts file={{ ...file('del.md'), parts: [] }} viewType="unified" />,
        ),
      ),
    ).toBe('No changes to show.');
  });

  it('renders a long file a batch of lines at a time', () => {
    const { files, patch } = bigPatch(1, 750);
    const [big] = diffFiles({ baseCommit: BASE, files, patch });
    if (!big) throw new Error('no file');
    const html = renderToStaticMarkup(<FileParts file={big} viewType="unified" />);
    expect(count(html, '<tr class="diff-line')).toBe(1000);
    expect(textOf(html)).toContain('Show 500 more lines (500 not shown)');
  });

  it('shows a deleted file', () => {
    const html = parts('del.md');
    expect(html).toContain('diff-code-delete');
    expect(textOf(html)).toContain('gone');
  });
});
