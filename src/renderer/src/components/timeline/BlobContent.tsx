/**
 * What an opened entry printed, read when it opens: one blob (a command's output), or a run of
 * terminal chunks read a slice at a time. Escape sequences are left out and every other hidden
 * character shows as a marked escape. Content dropped by retention says so, and when.
 */
import { useEffect, useState } from 'react';
import type { AuditEvent } from '../../../../shared/audit';
import { errorMessage, formatTime } from '../../format';
import { EscapedText } from '../inbox/EscapedText';
import { formatBytes } from '../sessions/network';
import {
  FIRST_READ,
  readableOutput,
  readBlob,
  readChunks,
  WHOLE_READ,
  type BlobRead,
  type ChunkText,
} from './blobs';
import type { ChunkRun } from './entries';

/** Where the content went: the tombstone's reason, time and author, or that none declares it. */
export function DroppedNote({ hash, tombstone }: { hash: string; tombstone: AuditEvent | null }) {
  if (!tombstone)
    return (
      <p className="tl-dropped" role="note">
        The content of blob <span className="mono">{hash.slice(0, 12)}</span> is not in the store,
        and no tombstone declares it dropped: verify the chain on the Audit screen.
      </p>
    );
  const reason = typeof tombstone.payload.reason === 'string' ? tombstone.payload.reason : null;
  return (
    <p className="tl-dropped" role="note" data-testid="timeline-dropped">
      This content (blob <span className="mono">{hash.slice(0, 12)}</span>) was dropped on{' '}
      <time dateTime={tombstone.ts}>{formatTime(tombstone.ts)}</time> by {tombstone.actor}{' '}
      {tombstone.actorId}
      {reason && (
        <>
          : <EscapedText text={reason} />
        </>
      )}{' '}
      <span className="muted">(tombstone #{tombstone.seq})</span>
    </p>
  );
}

type Loading<T> = { status: 'loading' } | { status: 'error'; message: string } | T;

/** One blob's text, the first FIRST_READ bytes, all of it on request. */
export function BlobContent({ hash, label }: { hash: string; label: string }) {
  const [limit, setLimit] = useState(FIRST_READ);
  const [read, setRead] = useState<Loading<BlobRead>>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    readBlob(hash, limit).then(
      (value) => current && setRead(value),
      (error: unknown) => current && setRead({ status: 'error', message: errorMessage(error) }),
    );
    return () => {
      current = false;
    };
  }, [hash, limit]);

  if (read.status === 'loading') return <p className="muted">Reading the {label}…</p>;
  if (read.status === 'error')
    return (
      <p className="error">
        Could not read the {label}: {read.message}
      </p>
    );
  if (read.status === 'dropped') return <DroppedNote hash={hash} tombstone={read.tombstone} />;
  return (
    <div className="tl-blob">
      <pre className="tl-output" aria-label={label} data-testid="timeline-output">
        <EscapedText text={readableOutput(read.text)} crlfAsNewline />
      </pre>
      {!read.text && <p className="muted">(nothing printed)</p>}
      {read.truncated && (
        <p className="muted">
          The first {formatBytes(limit)} of {formatBytes(read.bytes)} shown.{' '}
          <button type="button" className="link-button" onClick={() => setLimit(WHOLE_READ)}>
            Read all
          </button>
        </p>
      )}
    </div>
  );
}

type RunPart = { kind: 'text'; text: string } | { kind: 'gap'; piece: ChunkText };

/** Consecutive chunks joined into one text; a chunk whose content is gone stands as a marked gap. */
function RunText({ texts }: { texts: readonly ChunkText[] }) {
  const parts: RunPart[] = [];
  for (const piece of texts) {
    const last = parts.at(-1);
    if (piece.text === null) parts.push({ kind: 'gap', piece });
    else if (last?.kind === 'text') last.text += piece.text;
    else parts.push({ kind: 'text', text: piece.text });
  }
  return (
    <pre className="tl-output" data-testid="timeline-output">
      {parts.map((part, index) =>
        part.kind === 'gap' ? (
          <span key={index} className="tl-gap">
            [{formatBytes(part.piece.bytes)} of event #{part.piece.seq} not in the store]
          </span>
        ) : (
          <EscapedText key={index} text={readableOutput(part.text)} crlfAsNewline />
        ),
      )}
    </pre>
  );
}

/** A run of terminal chunks, read RUN_READ bytes at a time from its start. */
export function RunContent({ run }: { run: ChunkRun }) {
  const [texts, setTexts] = useState<ChunkText[]>([]);
  const [next, setNext] = useState(0);
  const [state, setState] = useState<Loading<{ status: 'idle' }>>({ status: 'loading' });

  const readFrom = (from: number) => {
    setState({ status: 'loading' });
    return readChunks(run.chunks, from).then(
      (read) => {
        setTexts((current) => [...current, ...read.texts]);
        setNext(read.next);
        setState({ status: 'idle' });
      },
      (error: unknown) => setState({ status: 'error', message: errorMessage(error) }),
    );
  };
  // The first slice as the entry opens (it mounts once per opening); the rest on request.
  useEffect(() => void readFrom(0), []);

  const read = texts.reduce((sum, piece) => sum + piece.bytes, 0);
  const dropped = texts.find((piece) => piece.tombstone);
  const noun = run.kind === 'terminal.output' ? 'output' : 'input';
  return (
    <div className="tl-blob">
      {dropped?.tombstone && (
        <DroppedNote hash={String(dropped.tombstone.payload.hash)} tombstone={dropped.tombstone} />
      )}
      {texts.length > 0 && <RunText texts={texts} />}
      {state.status === 'error' && (
        <p className="error">
          Could not read the {noun}: {state.message}
        </p>
      )}
      <p className="muted">
        {state.status === 'loading'
          ? `Reading the ${noun}…`
          : `${formatBytes(read)} of ${formatBytes(run.bytes)} read (${next.toLocaleString('en-US')} of ${run.chunks.length.toLocaleString('en-US')} chunks).`}{' '}
        {state.status !== 'loading' && next < run.chunks.length && (
          <button type="button" className="link-button" onClick={() => void readFrom(next)}>
            Read more
          </button>
        )}
      </p>
    </div>
  );
}
