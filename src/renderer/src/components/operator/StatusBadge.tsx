/** A run's status in words, coloured by what it means for the person (live, waiting, ended how). */
import type { OperatorStatus } from '../../../../shared/operator';
import { STATUS_INFO } from '../../store/operator';

export function StatusBadge({ status }: { status: OperatorStatus }) {
  const { words, tone } = STATUS_INFO[status];
  return (
    <span
      className={`state-badge op-status op-status--${tone}`}
      data-testid="operator-status"
      data-status={status}
    >
      {words}
    </span>
  );
}
