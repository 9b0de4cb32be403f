/**
 * Sessions: the list on the left (filters, search), the open session on the right (terminal, diff,
 * network, review or timeline), and a form to start one. Keys: n new, j/k move, Enter open, p
 * pause or resume, x stop, t/d/w/v/l terminal/diff/network/review/timeline, r refused connections
 * only (in the network view). In the review view r, p, b, x, s and e are the review's (see
 * components/review/keys.ts); inside the timeline's list, j/k move through its entries. y shows
 * the replay, where Space, ←/→, −/+, [/] and Home/End play it (components/replay/keys.ts).
 */
import { useEffect } from 'react';
import { api, useConnection } from '../api/connection';
import { Keys } from '../components/Keys';
import { Segmented, type SegmentedOption } from '../components/Segmented';
import { replayScreenKeys } from '../components/replay/keys';
import { reviewKey } from '../components/review/keys';
import { NewSessionForm } from '../components/sessions/NewSessionForm';
import { SessionDetail } from '../components/sessions/SessionDetail';
import { SessionList } from '../components/sessions/SessionList';
import { useScreenKeys, type KeyHandler } from '../keyboard';
import { closeForm } from '../store/review';
import { focusTimeline } from '../store/timeline';
import {
  askStop,
  isLive,
  loadSessions,
  noteSetUp,
  openSession,
  receiveChanged,
  select,
  setNewOpen,
  toggleNetworkFilter,
  togglePause,
  useSessions,
  visibleSessions,
  type DetailView,
  type StateFilter,
} from '../store/sessions';
import './sessions.css';

/** Follows session changes and set-up commands while the screen is open; reloads on reconnect. */
function useLiveSessions() {
  const open = useConnection((state) => state.state === 'open');
  useEffect(() => {
    const stopChanges = api.on('session.changed', receiveChanged);
    const stopAudit = api.on('audit.appended', (events) => {
      for (const event of events) {
        if (!event.sessionId) continue;
        if (event.kind === 'workspace.setup.started') noteSetUp(event.sessionId, true);
        if (event.kind === 'workspace.setup.finished') noteSetUp(event.sessionId, false);
      }
    });
    return () => {
      stopChanges();
      stopAudit();
    };
  }, []);
  useEffect(() => {
    if (open) void loadSessions();
  }, [open]);
}

function useSessionKeys(ids: string[]) {
  const move = (step: 1 | -1) => {
    const { selectedId } = useSessions.getState();
    const at = ids.indexOf(selectedId ?? '');
    const next = ids[at === -1 ? 0 : Math.min(Math.max(at + step, 0), ids.length - 1)];
    if (!next) return;
    select(next);
    document
      .querySelector(`[data-testid="session-row"][data-id="${next}"] button`)
      ?.scrollIntoView({
        block: 'nearest',
      });
  };
  const selected = () => {
    const { sessions, selectedId } = useSessions.getState();
    return sessions.find((session) => session.id === selectedId);
  };
  /** Opens the selected session (like p and x, the keys act on the selection) in one view. */
  const showView = (view: DetailView) => {
    const { openId, newOpen } = useSessions.getState();
    const id = selected()?.id ?? openId;
    if (id && !newOpen) openSession(id, view);
  };
  /** The session whose review is on show, if the review view is: its keys come first. */
  const reviewing = () => {
    const { openId, view, newOpen } = useSessions.getState();
    return !newOpen && view === 'review' ? openId : null;
  };
  /** A key that means one thing in the review view and `otherwise` elsewhere. */
  const orReview =
    (key: string, otherwise?: KeyHandler): KeyHandler =>
    (event) => {
      const id = reviewing();
      if (id) reviewKey(key, id, event);
      else otherwise?.(event);
    };
  useScreenKeys({
    n: (event) => {
      event.preventDefault();
      setNewOpen(true);
    },
    j: () => move(1),
    k: () => move(-1),
    Enter: (event) => {
      if (event.target instanceof HTMLButtonElement) return; // the focused row opens itself
      const session = selected();
      if (session) openSession(session.id);
    },
    p: orReview('p', () => {
      const session = selected();
      if (session && isLive(session)) void togglePause(session);
    }),
    t: () => showView('terminal'),
    d: () => showView('diff'),
    w: () => showView('network'),
    v: () => showView('review'),
    l: () => {
      showView('timeline');
      focusTimeline();
    },
    y: () => showView('replay'),
    ...replayScreenKeys(() => {
      const { openId, view, newOpen } = useSessions.getState();
      return Boolean(openId) && !newOpen && view === 'replay';
    }),
    r: orReview('r', () => {
      const { openId, view } = useSessions.getState();
      if (openId && view === 'network') toggleNetworkFilter();
    }),
    x: orReview('x', () => {
      const session = selected();
      if (session && isLive(session)) {
        openSession(session.id);
        askStop(session.id);
      }
    }),
    b: orReview('b'),
    s: orReview('s'),
    e: orReview('e'),
    Escape: () => {
      askStop(null);
      closeForm();
    },
  });
}

const FILTERS: ReadonlyArray<SegmentedOption<StateFilter>> = [
  { value: 'all', label: 'All' },
  { value: 'live', label: 'Running' },
  { value: 'ended', label: 'Ended' },
];

function Toolbar() {
  const { filter, text } = useSessions();
  return (
    <div className="toolbar sessions-toolbar">
      <button type="button" className="button button--primary" onClick={() => setNewOpen(true)}>
        New session <Keys keys={['n']} />
      </button>
      <Segmented
        label="Show sessions"
        options={FILTERS}
        value={filter}
        onChange={(value) => useSessions.setState({ filter: value })}
      />
      <input
        type="search"
        className="sessions-search"
        placeholder="Filter by task, agent, project"
        aria-label="Filter sessions"
        value={text}
        onChange={(event) => useSessions.setState({ text: event.target.value })}
      />
    </div>
  );
}

function EmptyState() {
  const { loaded, loadError } = useSessions();
  if (loadError) return <p className="empty error">Could not load sessions: {loadError}</p>;
  if (!loaded) return <p className="empty muted">Loading…</p>;
  return (
    <p className="empty">
      No sessions yet. Press <Keys keys={['n']} /> to start an agent in a workspace of its own, or
      run <code>paddock session start --project DIR --agent claude</code>.
    </p>
  );
}

export function SessionsScreen() {
  const state = useSessions();
  const shown = visibleSessions(state);
  const open = state.sessions.find((session) => session.id === state.openId);

  useLiveSessions();
  useSessionKeys(shown.map((session) => session.id));

  return (
    <div className="sessions">
      <div className="sessions-side">
        <Toolbar />
        {shown.length > 0 ? (
          <SessionList sessions={shown} projects={state.projects} />
        ) : (
          <EmptyState />
        )}
      </div>
      <div className="sessions-main">
        {state.newOpen ? (
          <NewSessionForm />
        ) : open ? (
          <SessionDetail session={open} />
        ) : (
          <p className="empty muted">
            Open a session (<Keys keys={['j']} /> <Keys keys={['k']} /> then{' '}
            <Keys keys={['Enter']} />) to see its terminal.
          </p>
        )}
      </div>
    </div>
  );
}
