/**
 * Costs: what the agents cost, at a glance, for a time range (keys 1-4: 7, 30, 90 days, all):
 * the totals and where they come from, spend by day or week (d, w), the breakdowns, the budgets
 * and the most expensive sessions; e saves the view as CSV, r reads it again. Live: a recorded
 * model call (or a change to the cost settings) re-reads the report, at most once a second.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { USAGE_EVENT } from '../../../shared/costs';
import { api, useConnection } from '../api/connection';
import { CostDashboard, loadSpendChart } from '../components/costs/CostDashboard';
import { EmptyCosts } from '../components/costs/EmptyCosts';
import {
  RANGES,
  rangeInfo,
  spendSeries,
  type CostRange,
  type SpendPoint,
} from '../components/costs/report';
import { throttle } from '../components/costs/throttle';
import { Keys } from '../components/Keys';
import { Segmented } from '../components/Segmented';
import { formatTime } from '../format';
import { useScreenKeys } from '../keyboard';
import { exportCsv, loadReport, setGranularity, setRange, useCosts } from '../store/costs';
import './costs.css';

const NO_SERIES: SpendPoint[] = [];

/** Model calls finish in bursts: one re-read a second at most. */
const REREAD_MS = 1000;

/** Reads on open and on every reconnect; re-reads when a call is recorded or a cost setting changes. */
function useLiveReport() {
  const open = useConnection((state) => state.state === 'open');
  // The chart's code loads while the report is read, not after.
  useEffect(() => void loadSpendChart(), []);
  useEffect(() => {
    if (open) void loadReport();
  }, [open]);
  useEffect(() => {
    const reread = throttle(() => void loadReport(), REREAD_MS);
    const stop = api.on('audit.appended', (events) => {
      const touched = events.some(
        (event) =>
          event.kind === USAGE_EVENT ||
          (event.kind === 'settings.changed' &&
            typeof event.payload.key === 'string' &&
            event.payload.key.startsWith('costs.')),
      );
      if (touched) reread.request();
    });
    return () => {
      reread.cancel();
      stop();
    };
  }, []);
}

function useCostsKeys() {
  const keys: Record<string, () => void> = {
    d: () => setGranularity('day'),
    w: () => setGranularity('week'),
    e: exportCsv,
    r: () => void loadReport(),
  };
  for (const range of RANGES) keys[range.key] = () => setRange(range.value);
  useScreenKeys(keys);
}

/**
 * True once the report read since the screen opened is on the page with its chart drawn: the
 * end-to-end tests and the benchmark wait for it (`data-ready`), and the page marks it
 * (`costs:ready`) for timing.
 */
function useReady(series: SpendPoint[] | null) {
  const [openedAt] = useState(() => {
    performance.mark('costs:open');
    return useCosts.getState().reads;
  });
  const { loading, reads, range, reportRange, report } = useCosts();
  const [drawn, setDrawn] = useState<SpendPoint[] | null>(null);
  const onDrawn = useCallback(() => setDrawn(series), [series]);
  const ready =
    reads > openedAt &&
    !loading &&
    range === reportRange &&
    (report?.totals.calls === 0 || (series !== null && drawn === series));
  useEffect(() => {
    if (ready) performance.mark('costs:ready');
  }, [ready]);
  return { ready, onDrawn };
}

/** What the figures cover, said once above them. */
function rangeNote(range: CostRange): string {
  const { days } = rangeInfo(range);
  const covers =
    days === null
      ? 'Every call on the record'
      : `The last ${days} days (today and the ${days - 1} before it, local time)`;
  return `${covers}. Dollars at the price table’s rates for the priced calls.`;
}

function Toolbar() {
  const { range, report, loading, error } = useCosts();
  const open = useConnection((state) => state.state === 'open');
  return (
    <div className="toolbar costs-toolbar">
      <Segmented
        label="Time range"
        options={RANGES.map((info) => ({ value: info.value, label: info.label }))}
        value={range}
        onChange={setRange}
      />
      <span className="muted">
        <Keys keys={['1']} />–<Keys keys={['4']} />
      </span>
      <span className="costs-status" role="status" data-testid="costs-status">
        {error ? (
          <span className="error">Could not read the costs: {error}</span>
        ) : loading ? (
          <span className="muted">Loading…</span>
        ) : report ? (
          <span className="muted">
            <span className={`live-dot${open ? '' : ' is-paused'}`} aria-hidden="true" />
            {open ? 'Live' : 'Paused'} · read {formatTime(report.generatedAt)}
          </span>
        ) : null}
      </span>
      <button
        type="button"
        className="button"
        onClick={exportCsv}
        disabled={!report}
        data-testid="costs-export"
      >
        Export CSV <Keys keys={['e']} />
      </button>
    </div>
  );
}

export function CostsScreen() {
  useLiveReport();
  useCostsKeys();
  const { report, reportRange, granularity, error } = useCosts();
  const series = useMemo(
    () => (report ? spendSeries(report, granularity) : null),
    [report, granularity],
  );
  const { ready, onDrawn } = useReady(series);
  return (
    <div className="costs" data-testid="costs" data-ready={ready}>
      <Toolbar />
      {!report ? (
        <p className={error ? 'costs-note error' : 'costs-note muted'}>
          {error ? 'The figures could not be read: r tries again.' : 'Reading the costs…'}
        </p>
      ) : report.totals.calls === 0 ? (
        <EmptyCosts range={reportRange ?? 'all'} onAllTime={() => setRange('all')} />
      ) : (
        <>
          <p className="costs-note muted">{rangeNote(reportRange ?? 'all')}</p>
          <CostDashboard
            report={report}
            series={series ?? NO_SERIES}
            granularity={granularity}
            onGranularity={setGranularity}
            onDrawn={onDrawn}
          />
        </>
      )}
    </div>
  );
}
