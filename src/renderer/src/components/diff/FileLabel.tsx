/** The pieces that name a file, in the file list and on its section alike. */
import type { DiffFile } from './diffModel';

const STATUS_NAMES: Record<DiffFile['status'], string> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  T: 'type changed',
};

export function StatusLetter({ status }: { status: DiffFile['status'] }) {
  const name = STATUS_NAMES[status];
  return (
    <span className={`diff-status diff-status--${status}`} title={name}>
      <span aria-hidden="true">{status}</span>
      <span className="visually-hidden">{name}</span>
    </span>
  );
}

/** `path`, or `old → new` for a rename. */
export function FilePath({ file }: { file: DiffFile }) {
  const title = file.oldPath ? `${file.oldPath} → ${file.path}` : file.path;
  return (
    <span className="diff-path mono" title={title}>
      {file.oldPath && (
        <>
          <span className="diff-path-old">{file.oldPath}</span>
          <span aria-hidden="true"> → </span>
          <span className="visually-hidden"> renamed to </span>
        </>
      )}
      {file.path}
    </span>
  );
}

/** `+12 −3`; nothing for a binary file, which git does not count in lines. */
export function LineCounts({
  additions,
  deletions,
}: {
  additions: number | null;
  deletions: number | null;
}) {
  if (additions === null || deletions === null) return null;
  return (
    <span className="diff-counts mono">
      <span className="diff-add">
        +{additions.toLocaleString()}
        <span className="visually-hidden"> added,</span>
      </span>{' '}
      <span className="diff-del">
        −{deletions.toLocaleString()}
        <span className="visually-hidden"> deleted</span>
      </span>
    </span>
  );
}

/**
 * A path of the change that runs or is trusted outside the sandbox later (CI workflows, package
 * scripts, hooks): whatever the gates say, a person should read it. The word is the mark, not
 * only a colour; why (and the pattern) is in the tooltip and for screen readers, so a long path
 * keeps its room in a narrow pane.
 */
export function ProtectedMark({ pattern }: { pattern: string }) {
  const why = `runs outside the sandbox later (matches ${pattern})`;
  return (
    <span
      className="diff-badge diff-badge--protected"
      title={`Protected path: ${why}`}
      data-testid="protected-mark"
      data-pattern={pattern}
    >
      <span aria-hidden="true">⚑ </span>protected
      <span className="visually-hidden">: {why}</span>
    </span>
  );
}
