/**
 * One audit event: a single dense line that expands to the full record, and for a session's
 * event a link into that session's timeline at it. Memoised, because a live event re-renders the
 * list and up to MAX_ROWS rows would otherwise re-render with it.
 */
import { memo } from 'react';
import type { AuditEvent } from '../../../shared/audit';
import { formatTime, summarizePayload } from '../format';
import { select, toggleExpanded } from '../store/audit';
import { openTimelineAt } from '../store/timeline';

interface AuditRowProps {
  event: AuditEvent;
  selected: boolean;
  expanded: boolean;
  /** Arrived live after the screen opened: highlighted once. */
  fresh: boolean;
}

function EventDetail({ event }: { event: AuditEvent }) {
  const fields: Array<[string, string]> = [
    ['id', event.id],
    ['time', event.ts],
    ['hash', event.hash],
    ['prev hash', event.prevHash],
  ];
  if (event.sessionPrevHash) fields.push(['session prev hash', event.sessionPrevHash]);
  for (const blob of event.blobs) fields.push(['blob', blob]);
  return (
    <div className="event-detail">
      <dl>
        {fields.map(([name, value], index) => (
          <div key={index}>
            <dt>{name}</dt>
            <dd className="mono">{value}</dd>
          </div>
        ))}
      </dl>
      <pre className="payload" aria-label={`Payload of event ${event.seq}`}>
        {JSON.stringify(event.payload, null, 2)}
      </pre>
    </div>
  );
}

export const AuditRow = memo(function AuditRow(props: AuditRowProps) {
  const { event, selected, expanded, fresh } = props;
  const className = [
    'audit-row',
    selected && 'is-selected',
    fresh && 'is-fresh',
    event.sessionId && 'has-timeline',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <li className={className} data-testid="audit-row" data-kind={event.kind} data-seq={event.seq}>
      <button
        type="button"
        className="audit-line"
        aria-expanded={expanded}
        onClick={() => toggleExpanded(event.seq)}
        // Selection follows focus, so Tab and j/k agree on where they are.
        onFocus={() => select(event.seq)}
      >
        <span className="seq mono">#{event.seq}</span>
        <time className="time mono" dateTime={event.ts} title={event.ts}>
          {formatTime(event.ts)}
        </time>
        <span className="kind">{event.kind}</span>
        <span className="actor" title={`${event.actor}:${event.actorId}`}>
          <span className="muted">{event.actor}:</span>
          {event.actorId}
        </span>
        <span className="summary">
          {event.actor === 'agent' && (
            <span
              className="tag tag--agent"
              title="The agent said so; Paddock did not observe it. Never trusted for a decision."
            >
              reported by agent
            </span>
          )}
          {event.sessionId && (
            <span className="tag tag--session mono" title={`Session ${event.sessionId}`}>
              {event.sessionId}
            </span>
          )}
          <span className="mono">{summarizePayload(event.payload)}</span>
        </span>
      </button>
      {event.sessionId && (
        <button
          type="button"
          className="link-button audit-timeline-link"
          data-testid="audit-open-timeline"
          title={`Open ${event.sessionId}’s timeline at event #${event.seq} (o)`}
          onClick={() => openTimelineAt(event.sessionId as string, event.seq)}
          onFocus={() => select(event.seq)}
        >
          Timeline
        </button>
      )}
      {expanded && <EventDetail event={event} />}
    </li>
  );
});
