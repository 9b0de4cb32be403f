/**
 * The head of the dashboard: what the range cost, how many calls, today so far with its forecast,
 * where the figures came from (metered, reported, estimated) and the tokens by kind.
 */
import type { CostReport } from '../../../../shared/costs';
import { formatCalls, formatCount, formatSpend, formatUsd } from './format';
import { sourceSlices, tokenSlices } from './report';
import { StackedBar } from './StackedBar';

export function CostSummary({ report }: { report: CostReport }) {
  const { totals, today } = report;
  const tokens = tokenSlices(totals.tokens);
  const tokenTotal = tokens.reduce((sum, slice) => sum + slice.value, 0);
  return (
    <div className="costs-summary">
      <section className="costs-card costs-total" aria-labelledby="costs-total-title">
        <h2 id="costs-total-title">Spend</h2>
        <p className="costs-big" data-testid="costs-total">
          {formatSpend(totals.costUsd, totals.calls, totals.unpricedCalls)}
        </p>
        <p className="muted">
          <span data-testid="costs-calls">{formatCalls(totals.calls)}</span>
          {totals.unpricedCalls > 0 && (
            <span className="costs-unknown"> · {formatCount(totals.unpricedCalls)} unpriced</span>
          )}
        </p>
      </section>
      <section className="costs-card" aria-labelledby="costs-today-title">
        <h2 id="costs-today-title">Today</h2>
        <p className="costs-big" data-testid="costs-today">
          {formatUsd(today.spentUsd)}
        </p>
        <p className="muted" data-testid="costs-forecast">
          {formatUsd(today.forecastUsd)} by midnight at today’s rate
        </p>
      </section>
      <section className="costs-card costs-card--wide" aria-labelledby="costs-sources-title">
        <h2 id="costs-sources-title">Where the figures come from</h2>
        <StackedBar
          label="Spend by source"
          slices={sourceSlices(report)}
          format={formatUsd}
          extra={(slice) => (
            <span className="muted">
              {formatCalls(totals.bySource[slice.kind as keyof typeof totals.bySource].calls)}
            </span>
          )}
          testId="costs-sources"
        />
      </section>
      <section className="costs-card costs-card--wide" aria-labelledby="costs-tokens-title">
        <h2 id="costs-tokens-title">
          Tokens <span className="muted">{formatCount(tokenTotal)}</span>
        </h2>
        <StackedBar
          label="Tokens by kind"
          slices={tokens}
          format={formatCount}
          testId="costs-tokens"
        />
      </section>
    </div>
  );
}
