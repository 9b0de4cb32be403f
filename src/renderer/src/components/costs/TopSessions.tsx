/** The ten most expensive sessions of the range; a click opens the session. */
import type { CostGroup } from '../../../../shared/costs';
import { escapeText } from '../../escape-text';
import { useScreen } from '../../store/screen';
import { openSession } from '../../store/sessions';
import { RankedRowBody } from './RankedList';
import { rankedRows } from './report';

const TOP = 10;
/** A Paddock session's id; usage imported from outside Paddock has none to open. */
const SESSION_ID = /^ses_[0-9a-f]{8}$/;

function open(id: string) {
  useScreen.getState().goTo('sessions');
  openSession(id);
}

export function TopSessions({ sessions }: { sessions: readonly CostGroup[] }) {
  const { rows } = rankedRows(sessions, TOP);
  return (
    <section className="costs-panel costs-sessions" aria-labelledby="costs-sessions-title">
      <h2 id="costs-sessions-title">Most expensive sessions</h2>
      {rows.length === 0 ? (
        <p className="muted">No Paddock session made a model call in this range.</p>
      ) : (
        <ol className="costs-ranked" data-testid="costs-top-sessions">
          {rows.map((row) => (
            <li key={row.key} data-key={escapeText(row.key)} data-testid="costs-session">
              {SESSION_ID.test(row.key) ? (
                <button
                  type="button"
                  className="costs-row-button"
                  title="Open the session"
                  onClick={() => open(row.key)}
                >
                  <RankedRowBody row={row} showKey />
                </button>
              ) : (
                <div className="costs-row-button">
                  <RankedRowBody row={row} showKey />
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
