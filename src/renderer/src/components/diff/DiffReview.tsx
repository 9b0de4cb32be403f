/**
 * A session's changes for review (DiffView.tsx loads this on demand): a summary with the view
 * controls, the list of changed files, and each file's hunks (unified or split, syntax
 * highlighted). Built for big diffs: the patch is cut once, sections mount in batches, hunks
 * render only near view, and big files start collapsed.
 *
 * It fills its container's height and scrolls inside (the file list and the files each on their
 * own), so give it a container with a definite height, such as a flex item with `min-height: 0`.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ViewType } from 'react-diff-view';
import 'react-diff-view/style/index.css';
import type { SessionDiff } from '../../../../shared/sessions';
import {
  diffFiles,
  diffTotals,
  protectedPatterns,
  shortHash,
  startsCollapsed,
  type DiffFile,
  type PathMark,
} from './diffModel';
import { LineCounts } from './FileLabel';
import { FileList } from './FileList';
import { FileSection } from './FileSection';
import { NearViewport, NearViewportContext, useProgressiveCount } from './lazy';
import './diff.css';
import { Segmented } from '../Segmented';

const VIEW_TYPE_KEY = 'paddock.diff.viewType';

function rememberedViewType(): ViewType {
  try {
    return localStorage.getItem(VIEW_TYPE_KEY) === 'split' ? 'split' : 'unified';
  } catch {
    // No storage (a test without a DOM, storage disabled): the default will do.
    return 'unified';
  }
}

function useViewType(): [ViewType, (viewType: ViewType) => void] {
  const [viewType, setViewType] = useState(rememberedViewType);
  const choose = useCallback((next: ViewType) => {
    setViewType(next);
    try {
      localStorage.setItem(VIEW_TYPE_KEY, next);
    } catch {
      // Remembering is a nicety; the choice still applies now.
    }
  }, []);
  return [viewType, choose];
}

type AllOpen = 'by size' | 'all open' | 'all closed';

/**
 * Which files are expanded: each file's own choice if it made one, else the last "Expand all" or
 * "Collapse all", else its size decides.
 */
function useOpenFiles() {
  const [all, setAll] = useState<AllOpen>('by size');
  const [chosen, setChosen] = useState<ReadonlyMap<string, boolean>>(new Map());
  const isOpen = (file: DiffFile) =>
    chosen.get(file.key) ?? (all === 'by size' ? !startsCollapsed(file) : all === 'all open');
  const toggle = useCallback((key: string, open: boolean) => {
    setChosen((current) => new Map(current).set(key, open));
  }, []);
  const setEvery = (next: AllOpen) => {
    setAll(next);
    setChosen(new Map());
  };
  return {
    isOpen,
    toggle,
    openAll: () => setEvery('all open'),
    closeAll: () => setEvery('all closed'),
  };
}

/** Scrolls to a file, mounting it first if its batch has not come yet. */
function useJumpToFile(sectionId: (index: number) => string, mounted: number) {
  const pending = useRef<number | null>(null);
  const [request, setRequest] = useState(0);
  useEffect(() => {
    if (pending.current === null) return;
    const section = document.getElementById(sectionId(pending.current));
    if (!section) return;
    pending.current = null;
    section.scrollIntoView({ block: 'start' });
    // Keyboard users land on the file they picked, not back at the top of the list.
    section.querySelector<HTMLElement>('.diff-file-toggle')?.focus({ preventScroll: true });
  }, [request, mounted, sectionId]);
  return useCallback((index: number) => {
    pending.current = index;
    setRequest((count) => count + 1);
  }, []);
}

const LAYOUTS = [
  { value: 'unified', label: 'Unified' },
  { value: 'split', label: 'Split' },
] as const;

function ViewToggle({
  viewType,
  onChange,
}: {
  viewType: ViewType;
  onChange: (v: ViewType) => void;
}) {
  return (
    <Segmented
      className="diff-toggle"
      label="Diff layout"
      options={LAYOUTS}
      value={viewType}
      onChange={onChange}
    />
  );
}

const NO_MARKS: readonly PathMark[] = [];

interface DiffReviewProps {
  diff: SessionDiff;
  /** Paths to mark as protected (they run outside the sandbox later), in the list and headings. */
  protectedPaths?: readonly PathMark[];
}

export default function DiffReview({ diff, protectedPaths = NO_MARKS }: DiffReviewProps) {
  const files = useMemo(() => diffFiles(diff), [diff]);
  const protectedByKey = useMemo(
    () => protectedPatterns(files, protectedPaths),
    [files, protectedPaths],
  );
  const totals = useMemo(() => diffTotals(files), [files]);
  const [viewType, setViewType] = useViewType();
  const { isOpen, toggle, openAll, closeAll } = useOpenFiles();
  const [mounted, mountAtLeast] = useProgressiveCount(files.length);
  const [currentKey, setCurrentKey] = useState<string | null>(null);

  const filesPane = useRef<HTMLDivElement>(null);
  const nearViewport = useMemo(() => new NearViewport(() => filesPane.current), []);
  useEffect(() => () => nearViewport.disconnect(), [nearViewport]);

  const idBase = useId();
  const sectionId = useCallback((index: number) => `${idBase}file-${index}`, [idBase]);
  const jumpTo = useJumpToFile(sectionId, mounted);
  const pick = useCallback(
    (index: number) => {
      setCurrentKey(files[index]?.key ?? null);
      mountAtLeast(index + 1);
      jumpTo(index);
    },
    [files, mountAtLeast, jumpTo],
  );

  const base = shortHash(diff.baseCommit);
  if (files.length === 0) {
    return (
      <div className="diff-view diff-view--empty" data-testid="diff-view">
        <p className="diff-empty">
          No changes yet against <code title={diff.baseCommit}>{base}</code>.
        </p>
      </div>
    );
  }

  return (
    <div className="diff-view" data-testid="diff-view">
      <div className="diff-summary">
        <h3>
          {totals.files === 1 ? '1 file changed' : `${totals.files.toLocaleString()} files changed`}
        </h3>
        <LineCounts additions={totals.additions} deletions={totals.deletions} />
        <span className="muted">
          against <code title={diff.baseCommit}>{base}</code>
        </span>
        <span className="diff-summary-actions">
          <ViewToggle viewType={viewType} onChange={setViewType} />
          <button type="button" className="button" onClick={openAll}>
            Expand all
          </button>
          <button type="button" className="button" onClick={closeAll}>
            Collapse all
          </button>
        </span>
      </div>
      <div className="diff-body">
        <FileList
          files={files}
          shown={mounted}
          currentKey={currentKey}
          onPick={pick}
          protectedByKey={protectedByKey}
        />
        <div className="diff-files" ref={filesPane}>
          <NearViewportContext.Provider value={nearViewport}>
            {files.slice(0, mounted).map((file, index) => (
              <FileSection
                key={file.key}
                file={file}
                id={sectionId(index)}
                open={isOpen(file)}
                viewType={viewType}
                onToggle={toggle}
                protectedPattern={protectedByKey.get(file.key)}
              />
            ))}
          </NearViewportContext.Provider>
        </div>
      </div>
    </div>
  );
}
