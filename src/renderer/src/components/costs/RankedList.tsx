/** A breakdown (projects, agents, models) as a ranked list with a small bar a row. */
import type { CostGroup } from '../../../../shared/costs';
import { escapeText } from '../../escape-text';
import { EscapedText } from '../inbox/EscapedText';
import { formatCalls, formatCount, formatSpend } from './format';
import { rankedRows, type RankedRow } from './report';

const SHOWN = 8;

/** A row's label (its key beneath, when asked and different), figures and bar. */
export function RankedRowBody({ row, showKey }: { row: RankedRow; showKey: boolean }) {
  return (
    <>
      <span className="costs-ranked-label" title={escapeText(row.key)}>
        <EscapedText text={row.label} />
        {showKey && row.key !== row.label && (
          <span className="costs-ranked-key mono">
            <EscapedText text={row.key} />
          </span>
        )}
      </span>
      <strong className="costs-figure costs-ranked-cost">
        {formatSpend(row.costUsd, row.calls, row.unpricedCalls)}
      </strong>
      <span className="costs-meter" aria-hidden="true">
        <span style={{ width: `${row.bar * 100}%` }} />
      </span>
      <span className="costs-ranked-calls muted">
        {formatCalls(row.calls)}
        {row.unpricedCalls > 0 && (
          <span className="costs-unknown"> · {formatCount(row.unpricedCalls)} unpriced</span>
        )}
      </span>
    </>
  );
}

interface RankedListProps {
  title: string;
  groups: readonly CostGroup[];
  testId: string;
  /** Shows the key (a project's path) under the label when they differ. */
  showKey?: boolean;
}

export function RankedList({ title, groups, testId, showKey = false }: RankedListProps) {
  const { rows, more } = rankedRows(groups, SHOWN);
  const id = `${testId}-title`;
  return (
    <section className="costs-panel" aria-labelledby={id} data-testid={testId}>
      <h2 id={id}>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">No calls.</p>
      ) : (
        <ol className="costs-ranked">
          {rows.map((row) => (
            <li key={row.key} data-key={escapeText(row.key)}>
              <RankedRowBody row={row} showKey={showKey} />
            </li>
          ))}
        </ol>
      )}
      {more > 0 && <p className="muted">and {formatCount(more)} more (all of them in the CSV)</p>}
    </section>
  );
}
