/**
 * What the person can do to a live run: pause or resume, take over the host's terminal, stop
 * (confirmed), and a note for the model.
 */
import type { OperatorRunSummary } from '../../../../shared/operator';
import {
  askStop,
  sendNote,
  stopRun,
  takeOver,
  togglePause,
  useOperator,
} from '../../store/operator';
import { ConfirmBar } from '../ConfirmBar';
import { Keys } from '../Keys';
import { MessageBox } from '../MessageBox';

export const NOTE_FIELD_ID = 'operator-note';

export function PauseStop({ run }: { run: OperatorRunSummary }) {
  return (
    <div className="op-actions">
      <button
        type="button"
        className="button"
        onClick={() => void togglePause(run)}
        disabled={run.takenOverBy !== null}
        title={run.takenOverBy !== null ? 'Hand the terminal back first' : undefined}
      >
        {run.status === 'paused' ? 'Resume' : 'Pause'} <Keys keys={['p']} />
      </button>
      <button
        type="button"
        className="button"
        onClick={() => void takeOver(run.id)}
        disabled={run.takenOverBy !== null}
        title={`A login shell on ${run.host}; the run holds until you hand it back`}
      >
        Take over <Keys keys={['t']} />
      </button>
      <button type="button" className="button" onClick={() => askStop(run.id)}>
        Stop <Keys keys={['x']} />
      </button>
    </div>
  );
}

export function StopConfirm({ run }: { run: OperatorRunSummary }) {
  if (useOperator((state) => state.confirmStop) !== run.id) return null;
  return (
    <ConfirmBar
      label="Stop the run?"
      testId="operator-confirm-stop"
      action="Stop"
      onConfirm={() => void stopRun(run.id)}
      onCancel={() => askStop(null)}
    >
      Stop the run on <strong>{run.host}</strong>? A command running there is ended; the steps so
      far stay on the record.
    </ConfirmBar>
  );
}

export function NoteBox({ run }: { run: OperatorRunSummary }) {
  return (
    <MessageBox
      id={NOTE_FIELD_ID}
      className="queue-box op-note"
      label="Send a note to the model"
      placeholder="Send a note to the model: it reads it from its next turn on"
      send={(text) => sendNote(run.id, text)}
      blurOnEscape
      after={
        run.notes.length > 0 && (
          <span className="muted" data-testid="operator-notes">
            {run.notes.length} sent
          </span>
        )
      }
    >
      Send <Keys keys={['m']} />
    </MessageBox>
  );
}
