/**
 * The dashboard for one report: unpriced calls called out first, the totals, spend over time (by
 * day or week), the breakdowns by project, agent and model, the budgets and the most expensive
 * sessions. Pure presentation: the screen owns loading, keys and the live re-reads.
 */
import { memo, useEffect, useState } from 'react';
import { USAGE_SOURCES, type CostReport } from '../../../../shared/costs';
import { Keys } from '../Keys';
import { Segmented, type SegmentedOption } from '../Segmented';
import { BudgetBars } from './BudgetBars';
import { CostSummary } from './CostSummary';
import { RankedList } from './RankedList';
import { SOURCE_LABELS, type Granularity, type SpendPoint } from './report';
import { TopSessions } from './TopSessions';
import { UnpricedWarning } from './UnpricedWarning';

type SpendChartComponent = (typeof import('./SpendChart'))['default'];
let spendChart: SpendChartComponent | null = null;

/**
 * The chart's code (Recharts) arrives apart, out of the app's first bundle: the screen asks for it
 * as it opens, while the report is read. Not React.lazy: a Suspense boundary holds back what it
 * reveals for up to 300 ms, and the chart would wait for that after both had arrived.
 */
export function loadSpendChart(): Promise<SpendChartComponent> {
  return import('./SpendChart').then((module) => (spendChart = module.default));
}

function useSpendChart(): SpendChartComponent | null {
  const [component, setComponent] = useState(() => spendChart);
  useEffect(() => {
    if (component) return;
    let current = true;
    void loadSpendChart().then((loaded) => current && setComponent(() => loaded));
    return () => {
      current = false;
    };
  }, [component]);
  return component;
}

const GRANULARITIES: ReadonlyArray<SegmentedOption<Granularity>> = [
  { value: 'day', label: 'By day' },
  { value: 'week', label: 'By week' },
];

interface CostDashboardProps {
  report: CostReport;
  series: SpendPoint[];
  granularity: Granularity;
  onGranularity: (granularity: Granularity) => void;
  onDrawn: () => void;
}

/** Memoized: the screen re-renders as a re-read starts and ends, the dashboard only for new figures. */
export const CostDashboard = memo(function CostDashboard({
  report,
  series,
  granularity,
  onGranularity,
  onDrawn,
}: CostDashboardProps) {
  const SpendChart = useSpendChart();
  return (
    <div className="costs-dashboard">
      <UnpricedWarning report={report} />
      <CostSummary report={report} />
      <section className="costs-panel costs-over-time" aria-labelledby="costs-time-title">
        <div className="costs-panel-head">
          <h2 id="costs-time-title">Spend over time</h2>
          <ul className="costs-chart-legend" aria-label="Colours">
            {USAGE_SOURCES.map((source) => (
              <li key={source}>
                <span className={`costs-swatch costs-fill--${source}`} aria-hidden="true" />
                {SOURCE_LABELS[source]}
              </li>
            ))}
          </ul>
          <Segmented
            label="Spend over time"
            options={GRANULARITIES}
            value={granularity}
            onChange={onGranularity}
          />
          <span className="muted">
            <Keys keys={['d']} /> <Keys keys={['w']} />
          </span>
        </div>
        {SpendChart ? (
          <SpendChart series={series} granularity={granularity} onDrawn={onDrawn} />
        ) : (
          <div className="costs-chart costs-chart--loading">Drawing…</div>
        )}
      </section>
      <div className="costs-columns">
        <RankedList title="By project" groups={report.byProject} testId="costs-projects" showKey />
        <RankedList title="By agent" groups={report.byAgent} testId="costs-agents" />
        <RankedList title="By model" groups={report.byModel} testId="costs-models" />
      </div>
      <div className="costs-columns costs-columns--two">
        <BudgetBars report={report} />
        <TopSessions sessions={report.bySession} />
      </div>
    </div>
  );
});
