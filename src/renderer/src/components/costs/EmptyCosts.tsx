/** No model call in the range: say so, and how usage gets on the record at all. */
import { Keys } from '../Keys';
import { rangeInfo, type CostRange } from './report';

export function EmptyCosts({ range, onAllTime }: { range: CostRange; onAllTime: () => void }) {
  const info = rangeInfo(range);
  return (
    <div className="costs-empty" data-testid="costs-empty">
      <p className="costs-empty-lead">
        {range === 'all'
          ? 'No model call is on the record yet.'
          : `No model call in ${info.phrase}.`}
      </p>
      {range !== 'all' && (
        <p>
          <button type="button" className="button" onClick={onAllTime}>
            Show all time <Keys keys={['4']} />
          </button>
        </p>
      )}
      <p>Usage arrives two ways:</p>
      <ul>
        <li>
          <strong>Brokered sessions.</strong> Every model call a Paddock session makes through its
          broker is metered and priced as it happens, and shows here at once.
        </li>
        <li>
          <strong>Imports.</strong> Calls an agent made outside the broker are read from its own
          files: <code>paddock costs import</code> reads <code>~/.claude/projects</code>,{' '}
          <code>~/.codex/sessions</code> and every Paddock session’s agent home (or name a
          directory: <code>--claude DIR</code>, <code>--codex DIR</code>). Importing again adds only
          the calls not recorded yet.
        </li>
      </ul>
    </div>
  );
}
