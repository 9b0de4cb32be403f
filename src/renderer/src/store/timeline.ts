/**
 * One session's timeline: its events read page by page (oldest first) and turned into entries as
 * they arrive, so the first page is on screen while the rest loads; then followed live. Also the
 * selection, which entries are open, an event to bring into view once read (a search result),
 * and where the terminal replay should play from.
 *
 * The replay (components/replay) reads `replaySeek` from here and nothing else of the timeline:
 * `seekReplayTo` is the whole interface between the two.
 */
import { create } from 'zustand';
import type { AuditEvent } from '../../../shared/audit';
import { api } from '../api/connection';
import {
  appendEntries,
  entryIndexOf,
  lastSeqOf,
  type RecordingStart,
  type TimelineEntry,
} from '../components/timeline/entries';
import { errorMessage } from '../format';
import { useScreen } from './screen';
import { openSession, useSessions } from './sessions';

/** Events per `audit.list` call: the contract's most. */
export const PAGE = 1000;

/** Where the replay should play from: set by a timeline entry's "Play from here". */
export interface ReplaySeek {
  sessionId: string;
  /** The entry's time (ISO 8601). */
  at: string;
  /** Milliseconds into the recording, when the timeline knows it; else seek by `at`. */
  recordingMs: number | null;
  /** The entry's first event. */
  seq: number | null;
  /** Counts requests: seeking to the same place twice is two requests. */
  nonce: number;
}

/** A request to bring an entry into view (and, from the keyboard, to focus it). */
export interface ScrollRequest {
  /** null: the selection, else the first entry. */
  key: number | null;
  focus: boolean;
  /** `center` for an entry jumped to from elsewhere; `nearest` for a step through the list. */
  align: 'nearest' | 'center';
  nonce: number;
}

export interface TimelineState {
  sessionId: string | null;
  entries: TimelineEntry[];
  /** Events read so far, and the highest seq among them (0 before the first page). */
  events: number;
  lastSeq: number;
  firstSeq: number | null;
  /** The session's newest event when reading began: how far along reading is. */
  head: { seq: number; ts: string } | null;
  recordings: RecordingStart[];
  loading: boolean;
  /** Every page read; from here on, live events are appended as they arrive. */
  done: boolean;
  error: string | null;
  selectedKey: number | null;
  expanded: ReadonlySet<number>;
  /** An event to select once the page holding it has been read. */
  target: number | null;
  scrollRequest: ScrollRequest | null;
  replaySeek: ReplaySeek | null;
}

const emptySession = (sessionId: string | null) => ({
  sessionId,
  entries: [],
  events: 0,
  lastSeq: 0,
  firstSeq: null,
  head: null,
  recordings: [],
  loading: false,
  done: false,
  error: null,
  selectedKey: null,
  expanded: new Set<number>(),
  target: null,
  scrollRequest: null,
});

export const useTimeline = create<TimelineState>(() => ({
  ...emptySession(null),
  replaySeek: null,
}));

let nonce = 0;
/** Counts loads: a newer load (another session, a reconnect) makes an older one stop. */
let generation = 0;
/** Live events that arrived while pages were still being read: merged once reading ends. */
let heldLive: AuditEvent[] = [];

/** About how much of the session has been read, 0..1 (seqs are global, so an estimate); null before the head is known. */
export function loadedFraction(state: TimelineState): number | null {
  if (state.done) return 1;
  if (!state.head || state.firstSeq === null) return null;
  const span = state.head.seq - state.firstSeq;
  if (span <= 0) return state.lastSeq >= state.head.seq ? 1 : 0;
  return Math.min(1, Math.max(0, (state.lastSeq - state.firstSeq) / span));
}

function addEvents(events: readonly AuditEvent[]): void {
  if (events.length === 0) return;
  useTimeline.setState((state) => {
    const fresh = events.filter((event) => event.seq > state.lastSeq);
    if (fresh.length === 0) return {};
    const recordings = fresh
      .filter((event) => event.kind === 'terminal.started')
      .map((event) => ({ seq: event.seq, ts: event.ts }));
    const entries = appendEntries(state.entries, fresh);
    return {
      entries,
      events: state.events + fresh.length,
      lastSeq: lastSeqOf(entries.at(-1) as TimelineEntry),
      firstSeq: state.firstSeq ?? (fresh[0] as AuditEvent).seq,
      recordings: recordings.length ? [...state.recordings, ...recordings] : state.recordings,
    };
  });
  resolveTarget();
}

/**
 * Selects and opens the target once it has been read (or, reading ended without it, the nearest
 * entry before it).
 */
function resolveTarget(): void {
  const state = useTimeline.getState();
  if (state.target === null || (state.lastSeq < state.target && !state.done)) return;
  const index = entryIndexOf(state.entries, state.target);
  const entry = state.entries[Math.max(index, 0)];
  // Opened too: what the search matched is in its detail.
  const expanded = new Set(state.expanded);
  if (entry) expanded.add(entry.key);
  useTimeline.setState({
    target: null,
    expanded,
    selectedKey: entry?.key ?? null,
    scrollRequest: entry ? { key: entry.key, focus: true, align: 'center', nonce: ++nonce } : null,
  });
}

/**
 * Reads the session's events from where reading stopped (from the start for a session not read
 * yet) to the end, page by page. Safe to call again: on a reconnect it reads what was missed.
 */
export async function loadTimeline(sessionId: string): Promise<void> {
  const current = useTimeline.getState();
  if (current.sessionId !== sessionId) {
    heldLive = [];
    // A request to focus the list (the key l) may have come just before: it holds for any session.
    const { scrollRequest } = current;
    useTimeline.setState({
      ...emptySession(sessionId),
      scrollRequest: scrollRequest?.key === null ? scrollRequest : null,
    });
  } else if (current.loading) return;
  const load = ++generation;
  useTimeline.setState({ loading: true, error: null, done: false });
  try {
    for (;;) {
      const afterSeq = useTimeline.getState().lastSeq;
      // The first page's round trip, marked for the timeline benchmark (bench/timeline-ui).
      if (afterSeq === 0) performance.mark('timeline:requested');
      const page = await api.audit.list({ sessionId, afterSeq, limit: PAGE, order: 'asc' });
      if (afterSeq === 0) performance.mark('timeline:received');
      if (load !== generation) return;
      addEvents(page);
      // Asked after the first page, not before it: the host answers calls one at a time.
      if (!useTimeline.getState().head) void readHead(sessionId, load);
      if (page.length < PAGE) break;
    }
    useTimeline.setState({ loading: false, done: true });
    const held = heldLive;
    heldLive = [];
    addEvents(held);
    resolveTarget();
  } catch (error) {
    if (load === generation) useTimeline.setState({ loading: false, error: errorMessage(error) });
  }
}

/** The session's newest event: what the progress is measured against. */
async function readHead(sessionId: string, load: number): Promise<void> {
  const [newest] = await api.audit
    .list({ sessionId, limit: 1, order: 'desc' })
    .catch(() => [] as AuditEvent[]);
  if (newest && load === generation)
    useTimeline.setState({ head: { seq: newest.seq, ts: newest.ts } });
}

/** Events from `audit.appended`: this session's are appended (held while pages are being read). */
export function receiveLive(events: readonly AuditEvent[]): void {
  const { sessionId, done } = useTimeline.getState();
  const mine = events.filter((event) => event.sessionId === sessionId);
  if (mine.length === 0) return;
  if (done) addEvents(mine);
  else heldLive.push(...mine);
}

export function selectEntry(key: number | null): void {
  useTimeline.setState({ selectedKey: key });
}

export function toggleEntry(key: number): void {
  useTimeline.setState((state) => {
    const expanded = new Set(state.expanded);
    if (!expanded.delete(key)) expanded.add(key);
    return { expanded, selectedKey: key };
  });
}

/** j/k, arrows, Home/End: the selection moves and the list follows it, keeping focus on it. */
export function moveSelection(to: 1 | -1 | 'first' | 'last'): void {
  const { entries, selectedKey } = useTimeline.getState();
  if (entries.length === 0) return;
  const at = selectedKey === null ? -1 : entryIndexOf(entries, selectedKey);
  const index =
    to === 'first'
      ? 0
      : to === 'last'
        ? entries.length - 1
        : at === -1
          ? 0
          : Math.min(Math.max(at + to, 0), entries.length - 1);
  const key = (entries[index] as TimelineEntry).key;
  useTimeline.setState({
    selectedKey: key,
    scrollRequest: { key, focus: true, align: 'nearest', nonce: ++nonce },
  });
}

/** Puts the keyboard in the list: on the selection, or the first entry. */
export function focusTimeline(): void {
  useTimeline.setState({
    scrollRequest: { key: null, focus: true, align: 'nearest', nonce: ++nonce },
  });
}

/**
 * From a search result: the Sessions screen, this session's timeline, and the entry holding
 * `seq` selected and brought into view once its page has been read.
 */
export function openTimelineAt(sessionId: string, seq: number): void {
  const state = useTimeline.getState();
  if (state.sessionId !== sessionId) {
    heldLive = [];
    generation++; // a load of another session stops
    useTimeline.setState(emptySession(sessionId));
  }
  // A seq past what was read is still to come: reading resumes when the timeline shows.
  useTimeline.setState((current) => ({
    target: seq,
    done: current.done && seq <= current.lastSeq,
  }));
  resolveTarget();
  useSessions.setState({ newOpen: false });
  openSession(sessionId, 'timeline');
  useScreen.getState().goTo('sessions');
}

/** Asks the replay to play `sessionId`'s recording from `at` (see ReplaySeek). */
export function seekReplayTo(
  sessionId: string,
  at: string,
  details: { recordingMs?: number | null; seq?: number | null } = {},
): void {
  useTimeline.setState({
    replaySeek: {
      sessionId,
      at,
      recordingMs: details.recordingMs ?? null,
      seq: details.seq ?? null,
      nonce: ++nonce,
    },
  });
}

/** The replay has taken the request (or the person left): nothing waits to be played. */
export function clearReplaySeek(): void {
  useTimeline.setState({ replaySeek: null });
}
