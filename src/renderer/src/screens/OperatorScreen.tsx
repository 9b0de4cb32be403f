/**
 * Operator: a model working on an SSH host, one command at a time, under the same policy, inbox
 * and audit as the local agents. The runs on the left, the selected one on the right with its
 * steps followed live. Keys: n new run (focus on the goal), j/k move, p pause or resume, t take
 * over the host's terminal, x stop (asks first), m the note box, Esc cancel.
 */
import { useEffect } from 'react';
import { api, useConnection } from '../api/connection';
import { Keys } from '../components/Keys';
import { GOAL_FIELD_ID, NewRunForm } from '../components/operator/NewRunForm';
import { NOTE_FIELD_ID } from '../components/operator/RunActions';
import { RunDetail } from '../components/operator/RunDetail';
import { RunList } from '../components/operator/RunList';
import { useScreenKeys } from '../keyboard';
import {
  askStop,
  isLiveRun,
  loadRuns,
  moveSelection,
  receiveChange,
  setFormOpen,
  takeOver,
  togglePause,
  useOperator,
} from '../store/operator';
import { useLiveSshHosts } from '../store/ssh';
import './operator.css';

/** Follows `operator.changed` while the screen shows; reads the runs on every (re)open. */
function useLiveRuns() {
  const open = useConnection((state) => state.state === 'open');
  useEffect(() => api.on('operator.changed', receiveChange), []);
  useEffect(() => {
    if (!open) return;
    void loadRuns();
  }, [open]);
  useLiveSshHosts();
}

function scrollToRun(id: string | null) {
  if (!id) return;
  document
    .querySelector(`[data-testid="operator-run"][data-id="${CSS.escape(id)}"] button`)
    ?.scrollIntoView({ block: 'nearest' });
}

function useOperatorKeys() {
  const liveSelected = () => {
    const { view, formOpen } = useOperator.getState();
    return view && !formOpen && isLiveRun(view) ? view : null;
  };
  // preventDefault: otherwise the key would be typed into the field it focuses.
  const focusField = (id: string, event: KeyboardEvent) => {
    event.preventDefault();
    // After the render that shows the field (the form may also be open already: no autoFocus then).
    requestAnimationFrame(() => document.getElementById(id)?.focus());
  };
  useScreenKeys({
    n: (event) => {
      setFormOpen(true);
      focusField(GOAL_FIELD_ID, event);
    },
    j: () => scrollToRun(moveSelection(1)),
    k: () => scrollToRun(moveSelection(-1)),
    p: () => {
      const run = liveSelected();
      if (run) void togglePause(run);
    },
    t: (event) => {
      const run = liveSelected();
      if (!run || run.takenOverBy !== null) return;
      // The key must not reach the terminal that opens and takes the focus.
      event.preventDefault();
      void takeOver(run.id);
    },
    x: () => {
      const run = liveSelected();
      if (run) askStop(run.id);
    },
    m: (event) => {
      if (liveSelected()) focusField(NOTE_FIELD_ID, event);
    },
    Escape: () => {
      askStop(null);
      setFormOpen(false);
    },
  });
}

function EmptyList() {
  const { loaded, loadError } = useOperator();
  if (loadError) return <p className="empty error">Could not read the runs: {loadError}</p>;
  if (!loaded) return <p className="empty muted">Loading…</p>;
  return (
    <p className="empty" data-testid="operator-empty">
      No run yet. Press <Keys keys={['n']} /> to give a model a goal on one of your SSH hosts, or
      run <code>paddock operator run --host NAME --goal TEXT</code>.
    </p>
  );
}

function Main() {
  const { formOpen, view, viewError, selectedId } = useOperator();
  if (formOpen) return <NewRunForm />;
  if (view && view.id === selectedId) return <RunDetail run={view} />;
  if (viewError) return <p className="empty error">Could not read the run: {viewError}</p>;
  return (
    <p className="empty muted">
      {selectedId ? 'Reading the run…' : 'Start a run, or pick one on the left.'}
    </p>
  );
}

export function OperatorScreen() {
  const count = useOperator((state) => state.runs.length);
  useLiveRuns();
  useOperatorKeys();
  return (
    <div className="operator" data-testid="operator">
      <div className="operator-side">
        <div className="toolbar">
          <button
            type="button"
            className="button button--primary"
            onClick={() => setFormOpen(true)}
            data-testid="operator-new"
          >
            New run <Keys keys={['n']} />
          </button>
        </div>
        {count > 0 ? <RunList /> : <EmptyList />}
      </div>
      <div className="operator-main">
        <Main />
      </div>
    </div>
  );
}
