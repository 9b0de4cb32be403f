/**
 * An opened timeline entry: where it is in the record (seqs, time, who), whether the agent only
 * reported it, its payload as escaped JSON, and its content (output, chunks) read on opening.
 */
import { escapeText } from '../../escape-text';
import { setView } from '../../store/sessions';
import { seekReplayTo } from '../../store/timeline';
import { EscapedText } from '../inbox/EscapedText';
import { formatBytes } from '../sessions/network';
import { BlobContent, RunContent } from './BlobContent';
import { describeEntry, formatOffset, type TimelineEntry } from './entries';

interface EntryDetailProps {
  entry: TimelineEntry;
  sessionId: string;
  /** Where the entry is in the session's recording; null when it has none there. */
  recordingMs: number | null;
}

function Fields({ entry }: { entry: TimelineEntry }) {
  const { event, run } = entry;
  const fields: Array<[string, string]> = [
    ['kind', event.kind],
    [
      run && run.chunks.length > 1 ? 'events' : 'event',
      run && run.chunks.length > 1
        ? `#${entry.key} to #${run.lastSeq} (${run.chunks.length.toLocaleString('en-US')} chunks)`
        : `#${event.seq}`,
    ],
    ['time', run && run.lastTs !== event.ts ? `${event.ts} to ${run.lastTs}` : event.ts],
    ['by', `${event.actor}: ${event.actorId}`],
  ];
  if (run)
    fields.push(['bytes', `${formatBytes(run.bytes)} (${run.bytes.toLocaleString('en-US')})`]);
  if (!run) for (const blob of event.blobs) fields.push(['blob', blob]);
  fields.push(['hash', event.hash]);
  return (
    <dl>
      {fields.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd className="mono">
            <EscapedText text={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Seeks the session's replay to this entry and shows it (components/replay reads the seek). */
function PlayFromHere({ entry, sessionId, recordingMs }: EntryDetailProps) {
  if (recordingMs === null) return null;
  return (
    <p className="tl-actions">
      <button
        type="button"
        className="button"
        data-testid="timeline-play"
        onClick={() => {
          seekReplayTo(sessionId, entry.event.ts, { recordingMs, seq: entry.key });
          setView('replay');
        }}
      >
        ▶ Play from here <span className="muted mono">{formatOffset(recordingMs)}</span>
      </button>
    </p>
  );
}

export function EntryDetail(props: EntryDetailProps) {
  const { entry } = props;
  const { event, run } = entry;
  const outputLabel = event.kind === 'session.exec' ? 'command’s output' : 'content';
  return (
    <div className="tl-detail event-detail" data-testid="timeline-detail">
      {entry.reported && (
        <p className="tl-reported-note" role="note">
          Reported by the agent: Paddock did not observe this, and never trusts it for a decision.
        </p>
      )}
      {/* The row cuts this line to fit: here it is whole. */}
      <p className="tl-what">{escapeText(describeEntry(entry))}</p>
      <Fields entry={entry} />
      <PlayFromHere {...props} />
      {run ? (
        <RunContent run={run} />
      ) : (
        event.blobs.map((hash) => <BlobContent key={hash} hash={hash} label={outputLabel} />)
      )}
      {!run && (
        <pre className="payload" aria-label={`Payload of event ${event.seq}`}>
          <EscapedText text={JSON.stringify(event.payload, null, 2)} />
        </pre>
      )}
    </div>
  );
}
