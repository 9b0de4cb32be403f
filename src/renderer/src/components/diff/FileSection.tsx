/**
 * One file of the diff: a heading that collapses it, then each of its patch sections as hunks, a
 * symbolic link, or a note. The hunks are parsed only when the section first comes near view.
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import {
  Decoration,
  Diff,
  Hunk,
  type HunkData,
  type HunkTokens,
  type ViewType,
} from 'react-diff-view';
import {
  RENDER_STEP_LINES,
  changedLines,
  highlightLanguage,
  limitHunks,
  renderedLines,
  symlinkOf,
  type DiffFile,
  type PatchPart,
  type SymlinkChange,
} from './diffModel';
import { FilePath, LineCounts, ProtectedMark, StatusLetter } from './FileLabel';
import { parseHunks } from './hunks';
import { useNearViewport } from './lazy';

/** Heights in diff.css: a line of the table, a file's heading, the "Show N lines" bar. */
const LINE_HEIGHT_PX = 18;
const HEAD_HEIGHT_PX = 31;
const SHOW_BAR_HEIGHT_PX = 31;

interface FileSectionProps {
  file: DiffFile;
  /** The section's element id, for the file list to scroll to. */
  id: string;
  open: boolean;
  viewType: ViewType;
  onToggle: (key: string, open: boolean) => void;
  /** The protected-path pattern the file matches, if it does. */
  protectedPattern?: string;
}

export const FileSection = memo(function FileSection(props: FileSectionProps) {
  const { file, id, open, viewType, onToggle, protectedPattern } = props;
  const ref = useRef<HTMLElement>(null);
  const near = useNearViewport(ref, open);
  const lines = changedLines(file);
  const bodyHeight = renderedLines(file, RENDER_STEP_LINES) * LINE_HEIGHT_PX;
  // Where the browser skips an off-screen section (content-visibility), this holds its place.
  const estimate = HEAD_HEIGHT_PX + (open ? bodyHeight : SHOW_BAR_HEIGHT_PX);
  return (
    <section
      ref={ref}
      id={id}
      className={protectedPattern ? 'diff-file is-protected' : 'diff-file'}
      data-testid="diff-file"
      data-path={file.path}
      aria-labelledby={`${id}-heading`}
      style={{ containIntrinsicSize: `auto ${estimate}px` }}
    >
      <header className="diff-file-head">
        <h4 id={`${id}-heading`}>
          <button
            type="button"
            className="diff-file-toggle"
            aria-expanded={open}
            aria-controls={`${id}-body`}
            onClick={() => onToggle(file.key, !open)}
          >
            <span className="diff-chevron" aria-hidden="true" />
            <StatusLetter status={file.status} />
            <FilePath file={file} />
          </button>
        </h4>
        {protectedPattern && <ProtectedMark pattern={protectedPattern} />}
        <LineCounts additions={file.additions} deletions={file.deletions} />
      </header>
      <div id={`${id}-body`} className="diff-file-body">
        {!open ? (
          <button type="button" className="diff-show" onClick={() => onToggle(file.key, true)}>
            {lines > 0 ? `Show ${lines.toLocaleString()} lines` : 'Show file'}
          </button>
        ) : near ? (
          <FileParts file={file} viewType={viewType} />
        ) : (
          // Holds about the rendered height, so the scroll bar and jumps stay roughly right.
          <div className="diff-placeholder" style={{ height: bodyHeight }} />
        )}
      </div>
    </section>
  );
});

export function FileParts({ file, viewType }: { file: DiffFile; viewType: ViewType }) {
  if (file.parts.length === 0) return <p className="diff-note">No changes to show.</p>;
  return file.parts.map((part, index) => (
    <PartView key={index} part={part} path={file.path} viewType={viewType} />
  ));
}

function PartView({ part, path, viewType }: { part: PatchPart; path: string; viewType: ViewType }) {
  const link = symlinkOf(part);
  if (link) return <SymlinkNote part={part} path={path} link={link} />;
  const modeChanged = part.kind === 'modify' && part.oldMode !== part.newMode;
  return (
    <>
      {modeChanged && (
        <p className="diff-note">
          Mode changed <span className="mono">{part.oldMode}</span> →{' '}
          <span className="mono">{part.newMode}</span>
        </p>
      )}
      {part.binary ? (
        <p className="diff-note">Binary file, not shown.</p>
      ) : part.hunks ? (
        <Hunks part={part} path={path} viewType={viewType} />
      ) : (
        !modeChanged && <p className="diff-note">{emptyPartNote(part)}</p>
      )}
    </>
  );
}

function emptyPartNote(part: PatchPart): string {
  if (part.kind === 'rename') return 'Renamed without changes.';
  if (part.kind === 'add') return 'Empty file added.';
  if (part.kind === 'delete') return 'Empty file deleted.';
  return 'No changes to show.';
}

/**
 * A link is shown as the text of its target and nothing more: no href, no lookup, so nothing on
 * the machine is read or opened because of where an agent pointed a link.
 */
function SymlinkNote({ part, path, link }: { part: PatchPart; path: string; link: SymlinkChange }) {
  const deleted = part.kind === 'delete';
  return (
    <p className="diff-symlink" data-testid="diff-symlink">
      <span className="diff-badge">symbolic link</span>
      {link.outside && (
        <span
          className="diff-badge diff-badge--warn"
          title="The target is absolute or climbs out with “..”: the link reaches past the workspace."
        >
          points outside the workspace
        </span>
      )}
      <span className="mono">
        {path} → {deleted ? link.previousTarget : link.target}
      </span>
      {!link.target && !link.previousTarget && <span className="muted">target unchanged</span>}
      {deleted && <span className="muted">(deleted)</span>}
      {!deleted && link.target !== null && link.previousTarget !== null && (
        <span className="muted">
          (was <span className="mono">{link.previousTarget}</span>)
        </span>
      )}
    </p>
  );
}

/**
 * Syntax tokens, computed after the plain lines have painted and one file per task: tokenizing
 * takes a while, and the grammars are a chunk of their own that loads with the first file.
 */
function useTokens(hunks: HunkData[], language: string | null): HunkTokens | null {
  const [result, setResult] = useState<{ hunks: HunkData[]; tokens: HunkTokens | null }>();
  useEffect(() => {
    if (!language) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    import('./highlight').then(
      ({ tokenizeHunks }) => {
        if (cancelled) return;
        timer = setTimeout(() => setResult({ hunks, tokens: tokenizeHunks(hunks, language) }), 0);
      },
      // Without the grammars the diff still reads fine as plain text.
      (error: unknown) => console.warn('Could not load syntax highlighting:', error),
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [hunks, language]);
  // Tokens index lines by number: those of other hunks (an earlier diff) would show wrong text.
  return result?.hunks === hunks ? result.tokens : null;
}

function Hunks({ part, path, viewType }: { part: PatchPart; path: string; viewType: ViewType }) {
  const hunks = useMemo(() => parseHunks(part), [part]);
  if (!hunks) {
    // Still reviewable: the patch text itself, as text.
    return <pre className="diff-raw">{part.hunks}</pre>;
  }
  return <ParsedHunks part={part} path={path} hunks={hunks} viewType={viewType} />;
}

function ParsedHunks(props: {
  part: PatchPart;
  path: string;
  hunks: HunkData[];
  viewType: ViewType;
}) {
  const { part, path, hunks, viewType } = props;
  const tokens = useTokens(hunks, highlightLanguage(part, path));
  const [limit, setLimit] = useState(RENDER_STEP_LINES);
  const shown = useMemo(() => limitHunks(hunks, limit), [hunks, limit]);
  const more = Math.min(shown.hidden, RENDER_STEP_LINES);
  return (
    <>
      <Diff
        viewType={viewType}
        diffType={part.kind}
        hunks={shown.hunks}
        tokens={tokens}
        className="diff-table"
      >
        {(visible) =>
          visible.flatMap((hunk, index) => [
            <Decoration key={`decoration-${index}`}>
              <span className="diff-hunk-header">{hunk.content}</span>
            </Decoration>,
            <Hunk key={`hunk-${index}`} hunk={hunk} />,
          ])
        }
      </Diff>
      {shown.hidden > 0 && (
        <button
          type="button"
          className="diff-show"
          onClick={() => setLimit((current) => current + RENDER_STEP_LINES)}
        >
          {`Show ${more.toLocaleString()} more lines (${shown.hidden.toLocaleString()} not shown)`}
        </button>
      )}
    </>
  );
}
