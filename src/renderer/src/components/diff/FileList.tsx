/**
 * The changed files, one button each: Tab and Enter (or the arrow keys) to pick one, which
 * scrolls its section into view.
 */
import { memo, type KeyboardEvent } from 'react';
import type { DiffFile } from './diffModel';
import { FilePath, LineCounts, ProtectedMark, StatusLetter } from './FileLabel';

interface FileListProps {
  files: DiffFile[];
  /** How many are mounted yet (see useProgressiveCount). */
  shown: number;
  currentKey: string | null;
  onPick: (index: number) => void;
  /** The protected pattern each file matches, by its key (see protectedPatterns). */
  protectedByKey?: ReadonlyMap<string, string>;
}

/** Up and Down move between the buttons, as in any list; Tab still walks them too. */
function moveFocus(event: KeyboardEvent<HTMLOListElement>) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const item = (event.target as HTMLElement).closest('li');
  const next = event.key === 'ArrowDown' ? item?.nextElementSibling : item?.previousElementSibling;
  const button = next?.querySelector('button');
  if (!button) return;
  event.preventDefault();
  button.focus();
}

/** Memoised: each batch of newly mounted files re-renders the list, not the rows already in it. */
const FileRow = memo(function FileRow(props: {
  file: DiffFile;
  index: number;
  current: boolean;
  onPick: (index: number) => void;
  protectedPattern: string | undefined;
}) {
  const { file, index, current, onPick, protectedPattern } = props;
  return (
    <li>
      <button
        type="button"
        className={protectedPattern ? 'is-protected' : undefined}
        aria-current={current ? 'true' : undefined}
        onClick={() => onPick(index)}
      >
        <StatusLetter status={file.status} />
        <FilePath file={file} />
        {protectedPattern && <ProtectedMark pattern={protectedPattern} />}
        <LineCounts additions={file.additions} deletions={file.deletions} />
      </button>
    </li>
  );
});

export const FileList = memo(function FileList({
  files,
  shown,
  currentKey,
  onPick,
  protectedByKey,
}: FileListProps) {
  return (
    <nav className="diff-file-list" aria-label="Changed files">
      <ol onKeyDown={moveFocus}>
        {files.slice(0, shown).map((file, index) => (
          <FileRow
            key={file.key}
            file={file}
            index={index}
            current={file.key === currentKey}
            onPick={onPick}
            protectedPattern={protectedByKey?.get(file.key)}
          />
        ))}
      </ol>
    </nav>
  );
});
