/** Above the list: how many wait, the selection and what to do with it, and any error. */
import { useConnection } from '../../api/connection';
import {
  askAllowProject,
  askDenyReason,
  clearSelection,
  decideTargets,
  dismissActionError,
  pendingCount,
  selectAllPending,
  useApprovals,
} from '../../store/approvals';
import { Keys } from '../Keys';

/** Batch actions for the selection: the same as the keys, for the mouse. */
function SelectionActions({ count }: { count: number }) {
  return (
    <div className="inbox-selection" role="group" aria-label="Answer the selected requests">
      <span>
        <strong data-testid="inbox-selected">{count} selected</strong>
        <span className="muted"> · keys act on them</span>
      </span>
      <button type="button" className="button" onClick={() => void decideTargets(true, 'once')}>
        Allow once
      </button>
      <button type="button" className="button" onClick={() => void decideTargets(true, 'session')}>
        For this session
      </button>
      <button type="button" className="button" onClick={() => askAllowProject()}>
        For the project…
      </button>
      <button type="button" className="button" onClick={() => void decideTargets(false)}>
        Deny
      </button>
      <button type="button" className="button" onClick={() => askDenyReason()}>
        Deny with a reason…
      </button>
      <button type="button" className="icon-button" onClick={clearSelection}>
        Clear <Keys keys={['Esc']} />
      </button>
    </div>
  );
}

interface ToolbarViewProps {
  waiting: number;
  selected: number;
  loaded: boolean;
  loadError: string | null;
  actionError: string | null;
  live: boolean;
}

function Caption({ waiting, loaded, loadError, live }: ToolbarViewProps) {
  if (loadError) return <span className="error">Could not load requests: {loadError}</span>;
  if (!loaded) return <span className="muted">Loading…</span>;
  return (
    <span className="muted">
      <span className={`live-dot${live ? '' : ' is-paused'}`} aria-hidden="true" />
      {live ? 'Live' : 'Paused'} · {waiting === 1 ? '1 request waits' : `${waiting} requests wait`}{' '}
      for you
    </span>
  );
}

export function InboxToolbar() {
  const { selected, actionError, loaded, loadError } = useApprovals();
  const waiting = useApprovals(pendingCount);
  const live = useConnection((state) => state.state === 'open');
  return (
    <ToolbarView
      waiting={waiting}
      selected={selected.size}
      loaded={loaded}
      loadError={loadError}
      actionError={actionError}
      live={live}
    />
  );
}

export function ToolbarView(props: ToolbarViewProps) {
  const { waiting, selected, actionError } = props;
  return (
    <>
      <div className="toolbar inbox-toolbar">
        <Caption {...props} />
        {selected === 0 && waiting > 1 && (
          <button type="button" className="button" onClick={selectAllPending}>
            Select all waiting
          </button>
        )}
      </div>
      {selected > 0 && <SelectionActions count={selected} />}
      {actionError && (
        <div className="inbox-error" role="alert">
          <span>{actionError}</span>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss the error"
            onClick={dismissActionError}
          >
            ✕
          </button>
        </div>
      )}
    </>
  );
}
