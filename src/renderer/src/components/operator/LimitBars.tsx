/** Progress against the run's limits as small bars: steps, time, money (amber from 80%). */
import type { OperatorRunSummary } from '../../../../shared/operator';
import { isLiveRun, limitBars } from '../../store/operator';
import { useNow } from '../sessions/SessionList';

export function LimitBars({ run }: { run: OperatorRunSummary }) {
  // Only a live run's clock moves; an ended one is drawn once.
  const now = useNow(isLiveRun(run) ? 1000 : 3_600_000);
  return (
    <ul className="op-limits" aria-label="Progress against the limits">
      {limitBars(run, now).map((bar) => (
        <li
          key={bar.id}
          className={`op-limit op-limit--${bar.state}`}
          data-testid={`limit-${bar.id}`}
        >
          <span className="op-limit-label">{bar.label}</span>
          {bar.max === null ? (
            // No limit of the run's own: a bar would have nothing to fill towards.
            <span />
          ) : (
            <span
              className="op-limit-track"
              role="meter"
              aria-label={bar.label}
              aria-valuemin={0}
              aria-valuemax={bar.max}
              aria-valuenow={bar.used}
              aria-valuetext={bar.text}
            >
              <span className="op-limit-fill" style={{ width: `${bar.fraction * 100}%` }} />
            </span>
          )}
          <span className="op-limit-text">{bar.text}</span>
        </li>
      ))}
    </ul>
  );
}
