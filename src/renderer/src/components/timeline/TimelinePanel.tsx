/**
 * A session's Timeline view: everything recorded for it, oldest first, one entry per event (runs
 * of terminal chunks as one). The first page shows as soon as it is read; the rest load behind it
 * with the progress in the head, then new events follow live. Keys inside the list: j/k or the
 * arrows move, Home/End jump, Enter or Space opens an entry.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, type KeyboardEvent } from 'react';
import type { SessionRecord } from '../../../../shared/sessions';
import { api, useConnection } from '../../api/connection';
import { formatTime } from '../../format';
import {
  loadedFraction,
  loadTimeline,
  moveSelection,
  receiveLive,
  toggleEntry,
  useTimeline,
} from '../../store/timeline';
import { Keys } from '../Keys';
import { entryIndexOf, recordingMsOf, type TimelineEntry } from './entries';
import { TimelineRow } from './TimelineRow';
import { VirtualList, type ScrollTarget } from './VirtualList';
import './timeline.css';

/** A closed entry's height in pixels: timeline.css gives .tl-line this height. */
export const ROW_HEIGHT = 30;

const STEPS: Readonly<Record<string, 1 | -1 | 'first' | 'last'>> = {
  j: 1,
  ArrowDown: 1,
  k: -1,
  ArrowUp: -1,
  Home: 'first',
  End: 'last',
};

/**
 * Reads the session's events while the view is open, again after a reconnect, and live. The
 * first page is asked for in a layout effect, which runs before the passive effects of the same
 * render: the host answers calls one at a time, and the session's spend in the head (a slow call
 * on a long session) would otherwise go first and hold the first rows back.
 */
function useTimelineEvents(sessionId: string) {
  const open = useConnection((state) => state.state === 'open');
  useEffect(() => api.on('audit.appended', receiveLive), []);
  useLayoutEffect(() => {
    if (open) void loadTimeline(sessionId);
  }, [open, sessionId]);
}

/** Keys inside the list. They are taken here, before the screen's own j/k (move between sessions). */
function onListKeyDown(event: KeyboardEvent<HTMLDivElement>) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const step = STEPS[event.key];
  if (step !== undefined) {
    event.preventDefault();
    moveSelection(step);
    return;
  }
  // On a row the button's own click opens it; on the list itself Enter opens the selection.
  const { selectedKey } = useTimeline.getState();
  if (event.key === 'Enter' && event.target === event.currentTarget && selectedKey !== null) {
    event.preventDefault();
    toggleEntry(selectedKey);
  }
}

function focusRow(key: number) {
  document
    .querySelector<HTMLButtonElement>(`[data-testid="timeline-entry"][data-seq="${key}"] > button`)
    ?.focus({ preventScroll: true });
}

function Progress() {
  const state = useTimeline();
  const { loading, error, events, entries } = state;
  const fraction = loadedFraction(state);
  const first = entries[0]?.event.ts;
  return (
    <div className="toolbar tl-head" data-testid="timeline-head">
      {/* While reading, the progress beside it says how many events: the head stays one line. */}
      <span className="tl-counts">
        {entries.length.toLocaleString('en-US')} entries
        {!loading && ` from ${events.toLocaleString('en-US')} events`}
        {first && !loading && <span className="muted"> · from {formatTime(first)}</span>}
      </span>
      {loading && (
        <span className="tl-progress" role="status" data-testid="timeline-progress">
          <progress max={1} value={fraction ?? undefined} aria-label="Reading the timeline" />
          <span className="muted">
            Loaded {events.toLocaleString('en-US')} events
            {fraction !== null && fraction > 0 && fraction < 1
              ? ` (about ${Math.floor(fraction * 100)}%)`
              : ''}
            …
          </span>
        </span>
      )}
      {error && (
        <span className="error" role="alert">
          Stopped reading: {error}{' '}
          <button
            type="button"
            className="button"
            onClick={() => {
              const { sessionId } = useTimeline.getState();
              if (sessionId) void loadTimeline(sessionId);
            }}
          >
            Retry
          </button>
        </span>
      )}
      <span className="tl-keys muted">
        <Keys keys={['j']} /> <Keys keys={['k']} /> move · <Keys keys={['Enter']} /> open
      </span>
    </div>
  );
}

/** Where the list should scroll, from the store's request: by then the entry has been read. */
function useScrollTarget(entries: readonly TimelineEntry[]): ScrollTarget | null {
  const request = useTimeline((state) => state.scrollRequest);
  const selectedKey = useTimeline((state) => state.selectedKey);
  const any = entries.length > 0;
  return useMemo(() => {
    if (!request || !any) return null;
    const key = request.key ?? selectedKey ?? (entries[0] as TimelineEntry).key;
    return {
      index: Math.max(0, entryIndexOf(entries, key)),
      align: request.align,
      nonce: request.nonce,
    };
    // Entries arriving later do not move a request already answered: only a new one counts.
  }, [request, any]);
}

export function TimelinePanel({ session }: { session: SessionRecord }) {
  useTimelineEvents(session.id);
  const { entries, selectedKey, expanded, recordings, done, sessionId, error, loading } =
    useTimeline();
  // Until the store has switched to this session, what it holds is another session's.
  const shown = sessionId === session.id ? entries : [];
  const scrollTo = useScrollTarget(shown);
  const start = shown[0] ? Date.parse(shown[0].event.ts) : 0;

  const keyAt = useCallback((index: number) => (shown[index] as TimelineEntry).key, [shown]);
  const onScrolled = useCallback(
    (index: number) => {
      const request = useTimeline.getState().scrollRequest;
      const entry = shown[index];
      if (request?.focus && entry) focusRow(entry.key);
    },
    [shown],
  );
  const renderRow = (index: number) => {
    const entry = shown[index] as TimelineEntry;
    return (
      <TimelineRow
        entry={entry}
        sessionId={session.id}
        position={index + 1}
        count={shown.length}
        offsetMs={Date.parse(entry.event.ts) - start}
        recordingMs={recordingMsOf(entry, recordings)}
        selected={entry.key === selectedKey}
        expanded={expanded.has(entry.key)}
        tabbable={selectedKey === null ? index === 0 : entry.key === selectedKey}
      />
    );
  };

  return (
    <div
      className="timeline-panel"
      data-testid="timeline"
      data-loaded={done && sessionId === session.id}
    >
      <Progress />
      {shown.length > 0 ? (
        <VirtualList
          className="tl-list"
          label={`Timeline of ${session.id}, oldest first`}
          testId="timeline-list"
          count={shown.length}
          rowHeight={ROW_HEIGHT}
          keyAt={keyAt}
          renderRow={renderRow}
          scrollTo={scrollTo}
          onScrolled={onScrolled}
          onKeyDown={onListKeyDown}
        />
      ) : (
        <p className="empty muted">
          {loading || (!done && !error)
            ? 'Reading the session’s events…'
            : 'No events recorded for this session yet.'}
        </p>
      )}
    </div>
  );
}
