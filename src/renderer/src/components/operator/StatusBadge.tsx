/**
 * A run's status in words, coloured by what it means for the person (live, waiting, ended how);
 * while a person has the host's terminal, that is what the run waits for.
 */
import type { OperatorRunSummary } from '../../../../shared/operator';
import { STATUS_INFO } from '../../store/operator';

export function StatusBadge({ run }: { run: Pick<OperatorRunSummary, 'status' | 'takenOverBy'> }) {
  const { words, tone } = STATUS_INFO[run.status];
  const takenOver = run.takenOverBy !== null;
  return (
    <span
      className={`state-badge op-status op-status--${takenOver ? 'wait' : tone}`}
      data-testid="operator-status"
      data-status={run.status}
      data-taken-over={takenOver || undefined}
    >
      {takenOver ? `${run.takenOverBy} has the terminal` : words}
    </span>
  );
}
