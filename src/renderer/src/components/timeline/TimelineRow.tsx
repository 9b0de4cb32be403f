/**
 * One timeline entry: its category in words, the time (and how far into the session), who, a
 * mark when the agent only reported it, and one line of what happened; opened, its detail.
 * Memoised: pages arriving in the background re-render the list, not the rows already shown.
 */
import { memo, useMemo } from 'react';
import { escapeText } from '../../escape-text';
import { formatTime } from '../../format';
import { selectEntry, toggleEntry } from '../../store/timeline';
import { CATEGORY_INFO, describeEntry, formatOffset, type TimelineEntry } from './entries';
import { EntryDetail } from './EntryDetail';

interface TimelineRowProps {
  entry: TimelineEntry;
  sessionId: string;
  /** 1-based position and count, for assistive technology: only a window of rows is in the DOM. */
  position: number;
  count: number;
  /** Milliseconds since the session's first event. */
  offsetMs: number;
  recordingMs: number | null;
  selected: boolean;
  expanded: boolean;
  /** Holds the list's one tab stop. */
  tabbable: boolean;
}

const pad = (value: number) => String(value).padStart(2, '0');
/** `10:02:13` local: the date is in the timeline's head and in the tooltip. */
function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export const TimelineRow = memo(function TimelineRow(props: TimelineRowProps) {
  const { entry, selected, expanded } = props;
  const info = CATEGORY_INFO[entry.category];
  const { event } = entry;
  // Untrusted text (a prompt, a command) on one line: hidden characters shown as escapes.
  const line = useMemo(() => escapeText(describeEntry(entry)), [entry]);
  const className = ['tl-entry', selected && 'is-selected', expanded && 'is-expanded']
    .filter(Boolean)
    .join(' ');
  return (
    <div
      role="listitem"
      className={className}
      aria-setsize={props.count}
      aria-posinset={props.position}
      data-testid="timeline-entry"
      data-seq={entry.key}
      data-kind={event.kind}
      data-category={entry.category}
      data-reported={entry.reported || undefined}
    >
      <button
        type="button"
        className="tl-line"
        aria-expanded={expanded}
        tabIndex={props.tabbable ? 0 : -1}
        onClick={() => toggleEntry(entry.key)}
        // Selection follows focus, so Tab, clicks and j/k agree on where they are.
        onFocus={() => selectEntry(entry.key)}
      >
        <span className={`tl-category tl-category--${entry.category}`}>
          <span className="tl-glyph" aria-hidden="true">
            {info.glyph}
          </span>
          {info.label}
        </span>
        <time className="tl-time mono" dateTime={event.ts} title={formatTime(event.ts)}>
          {clock(event.ts)}
        </time>
        <span className="tl-offset mono" title="Since the session’s first event">
          {formatOffset(props.offsetMs)}
        </span>
        <span className="tl-actor" title={`${event.actor}: ${event.actorId}`}>
          <span className="muted">{event.actor}:</span> {event.actorId}
        </span>
        <span className="tl-summary">
          {entry.reported && (
            <span
              className="tag tag--agent"
              title="The agent said so; Paddock did not observe it. Never trusted for a decision."
            >
              reported by the agent
            </span>
          )}
          <span className="tl-text" title={line}>
            {line}
          </span>
        </span>
      </button>
      {expanded && (
        <EntryDetail entry={entry} sessionId={props.sessionId} recordingMs={props.recordingMs} />
      )}
    </div>
  );
});
