/**
 * The selected run: where and with which model it works, how it stands and why it ended, the
 * model's summary, its progress against the limits and the actions, then its steps.
 */
import type { OperatorRunView } from '../../../../shared/operator';
import { formatTime } from '../../format';
import { isLiveRun, useOperator } from '../../store/operator';
import { EscapedText } from '../inbox/EscapedText';
import { LimitBars } from './LimitBars';
import { NoteBox, PauseStop, StopConfirm } from './RunActions';
import { StatusBadge } from './StatusBadge';
import { StepTimeline } from './StepTimeline';
import { TakeoverPanel } from './TakeoverPanel';

function Header({ run }: { run: OperatorRunView }) {
  return (
    <header className="op-head">
      <div className="op-head-main">
        <h2 id="operator-run-title" className="op-goal">
          <EscapedText text={run.goal} />
        </h2>
        <p className="muted op-head-meta">
          <StatusBadge run={run} /> on <strong>{run.host}</strong> · {run.provider} · {run.model} ·{' '}
          {run.id}
          {run.startedAt && <> · started {formatTime(run.startedAt)}</>}
        </p>
        {run.reason && (
          <p className="op-reason" data-testid="operator-reason">
            <EscapedText text={run.reason} />
          </p>
        )}
        {run.notes.length > 0 && (
          <div className="op-notes" data-testid="operator-sent-notes">
            <span className="approval-label">Your notes to the model</span>
            <ol>
              {run.notes.map((note, index) => (
                <li key={index}>
                  <EscapedText text={note} />
                </li>
              ))}
            </ol>
          </div>
        )}
        {run.summary !== null && (
          <blockquote className="op-summary" data-testid="operator-summary">
            <span className="approval-label">The model’s summary</span>
            <EscapedText text={run.summary} />
          </blockquote>
        )}
      </div>
      <div className="op-head-side">
        <LimitBars run={run} />
        {isLiveRun(run) && <PauseStop run={run} />}
      </div>
    </header>
  );
}

export function RunDetail({ run }: { run: OperatorRunView }) {
  const actionError = useOperator((state) => state.actionError);
  return (
    <section
      className="op-detail"
      aria-labelledby="operator-run-title"
      data-testid="operator-detail"
      data-status={run.status}
    >
      <Header run={run} />
      <StopConfirm run={run} />
      {actionError && (
        <p className="error op-action-error" role="alert">
          {actionError}
        </p>
      )}
      {isLiveRun(run) && <TakeoverPanel run={run} />}
      <StepTimeline run={run} />
      {isLiveRun(run) && <NoteBox run={run} />}
    </section>
  );
}
