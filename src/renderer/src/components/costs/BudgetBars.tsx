/**
 * Each limit that is set, as a bar of what it has used: amber from 80%, red past 100% (the bar
 * then runs past the limit's mark). On today's day limit a mark shows where today ends up by
 * midnight at the rate so far.
 */
import type { CostReport } from '../../../../shared/costs';
import { EscapedText } from '../inbox/EscapedText';
import { formatUsd } from './format';
import { budgetBars, localDayKey, type BudgetBar, type BudgetState } from './report';

const SCOPE_TITLES: Readonly<Record<BudgetBar['scope'], string>> = {
  day: 'Day',
  project: 'Project',
  session: 'Session',
};

const STATE_WORDS: Readonly<Record<BudgetState, string>> = {
  ok: '',
  warn: ' — nearing the limit',
  over: ' — past the limit',
};

const percent = (fraction: number) => `${Math.min(100, Math.max(0, fraction * 100))}%`;

function Bar({ bar }: { bar: BudgetBar }) {
  const used = Number.isFinite(bar.used) ? `${Math.round(bar.used * 100)}%` : 'no limit';
  return (
    <li
      className={`costs-budget costs-budget--${bar.state}`}
      data-testid="costs-budget"
      data-scope={bar.scope}
      data-state={bar.state}
    >
      <div className="costs-budget-head">
        <span>
          <span className="tag">{SCOPE_TITLES[bar.scope]}</span>
          <EscapedText text={bar.label} />
        </span>
        <span>
          <strong className="costs-figure">{formatUsd(bar.spentUsd)}</strong>
          <span className="muted"> of {formatUsd(bar.limitUsd)}</span>{' '}
          <span className="costs-budget-used">
            {used}
            {STATE_WORDS[bar.state]}
          </span>
        </span>
      </div>
      <div
        className="costs-budget-track"
        role="meter"
        aria-label={`${SCOPE_TITLES[bar.scope]} budget used`}
        aria-valuemin={0}
        aria-valuemax={bar.limitUsd}
        aria-valuenow={bar.spentUsd}
        aria-valuetext={`${formatUsd(bar.spentUsd)} of ${formatUsd(bar.limitUsd)}`}
      >
        <span className="costs-budget-spent" style={{ width: percent(bar.spentAt) }} />
        {bar.forecast && bar.forecast.usd > bar.spentUsd && (
          <span
            className={`costs-budget-forecast costs-budget-forecast--${bar.forecast.state}`}
            data-testid="costs-budget-forecast"
            style={{ left: percent(bar.spentAt), width: percent(bar.forecast.at - bar.spentAt) }}
          />
        )}
        <span className="costs-budget-limit" style={{ left: percent(bar.limitAt) }} />
      </div>
      {bar.forecast && (
        <p className="muted costs-budget-note">
          Forecast by midnight: {formatUsd(bar.forecast.usd)}
          {bar.forecast.state === 'over' && (
            <span className="costs-over"> — past the limit at today’s rate</span>
          )}
        </p>
      )}
    </li>
  );
}

export function BudgetBars({ report }: { report: CostReport }) {
  const bars = budgetBars(report.budgets, report.today, localDayKey(new Date(report.generatedAt)));
  return (
    <section className="costs-panel" aria-labelledby="costs-budgets-title">
      <h2 id="costs-budgets-title">Budgets</h2>
      {bars.length === 0 ? (
        <p className="muted">
          No limit is set. Set one with{' '}
          <code>paddock settings set costs.budgets {`'{"day": 20}'`}</code> (session, project or
          day, in US dollars), or in a policy’s budgets section.
        </p>
      ) : (
        <ul className="costs-budgets">
          {bars.map((bar) => (
            <Bar key={`${bar.scope}:${bar.subject}`} bar={bar} />
          ))}
        </ul>
      )}
    </section>
  );
}
