/**
 * The run's host taken over: a login shell there in the session's terminal, while the run holds.
 * Everything typed is recorded with the run. Handing back (the button, Ctrl-] in the terminal, or
 * `exit` in the shell) lets the run go on, and the model is told what the terminal showed last.
 */
import type { OperatorRunSummary } from '../../../../shared/operator';
import { handBack } from '../../store/operator';
import { Keys } from '../Keys';
import { TerminalPane } from '../sessions/TerminalPane';

export function TakeoverPanel({ run }: { run: OperatorRunSummary }) {
  if (run.takenOverBy === null) return null;
  const giveBack = () => void handBack(run.id);
  return (
    <section
      className="op-takeover"
      aria-label={`Terminal on ${run.host}`}
      data-testid="operator-takeover"
    >
      <header className="op-takeover-head">
        <p>
          <strong>{run.takenOverBy}</strong> has the terminal on <strong>{run.host}</strong>. The
          run holds; what you type here is recorded with it.
        </p>
        <button type="button" className="button button--primary" onClick={giveBack}>
          Hand back <Keys keys={['Ctrl', ']']} />
        </button>
      </header>
      <TerminalPane
        sessionId={run.id}
        live
        onLeaveKey={giveBack}
        label={`Terminal on ${run.host}: keys go to the host's shell`}
      />
    </section>
  );
}
