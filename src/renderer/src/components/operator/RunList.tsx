/**
 * The runs, newest first: status, host, goal, steps used of the maximum, and what they cost. Drawn
 * as the session list is (its styles), since a run is a session.
 */
import type { OperatorRunSummary } from '../../../../shared/operator';
import { selectRun, useOperator } from '../../store/operator';
import { formatUsd } from '../costs/format';
import { EscapedText } from '../inbox/EscapedText';
import { age, useNow } from '../sessions/SessionList';
import { StatusBadge } from './StatusBadge';

function RunRow({
  run,
  selected,
  now,
}: {
  run: OperatorRunSummary;
  selected: boolean;
  now: number;
}) {
  return (
    <li
      className={`session-row op-run${selected ? ' is-selected is-open' : ''}`}
      data-testid="operator-run"
      data-id={run.id}
      data-status={run.status}
    >
      <button
        type="button"
        onClick={() => selectRun(run.id)}
        aria-current={selected ? 'true' : undefined}
      >
        <StatusBadge run={run} />
        <span className="session-row-main">
          {/* The goal is the person's, but it goes to a model and back: shown escaped all the same. */}
          <span className="session-row-title">
            <EscapedText text={run.goal} />
          </span>
          <span className="session-row-meta muted">
            {run.host} · {run.turns}/{run.limits.maxSteps} steps · {formatUsd(run.spentUsd)}
          </span>
        </span>
        <span className="session-row-age muted" title={run.startedAt}>
          {run.startedAt ? age(run.startedAt, now) : ''}
        </span>
      </button>
    </li>
  );
}

export function RunList() {
  const runs = useOperator((state) => state.runs);
  const selectedId = useOperator((state) => state.selectedId);
  const now = useNow(15_000);
  return (
    <ol className="session-list" aria-label="Operator runs, newest first">
      {runs.map((run) => (
        <RunRow key={run.id} run={run} selected={run.id === selectedId} now={now} />
      ))}
    </ol>
  );
}
