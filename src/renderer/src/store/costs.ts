/**
 * The Costs screen's state: the time range and the day/week toggle, the report for that range (the
 * last one stays on show while the next loads), and whether loading it failed. A reply that comes
 * back after a newer request was sent is dropped, so a quick 1-2-3 ends on range 3.
 */
import { create } from 'zustand';
import type { CostReport } from '../../../shared/costs';
import { api } from '../api/connection';
import { costsCsvRows, csvFileName, csvText } from '../components/costs/csv';
import { rangeSince, type CostRange, type Granularity } from '../components/costs/report';
import { errorMessage } from '../format';

interface CostsStore {
  range: CostRange;
  granularity: Granularity;
  report: CostReport | null;
  /** The range the report on show was read for. */
  reportRange: CostRange | null;
  loading: boolean;
  error: string | null;
  /** Counts the reports read: a screen that opens knows when one newer than it has come. */
  reads: number;
}

export const useCosts = create<CostsStore>(() => ({
  range: '30d',
  granularity: 'day',
  report: null,
  reportRange: null,
  loading: false,
  error: null,
  reads: 0,
}));

let latestRequest = 0;

/** Reads the report for the chosen range (again). */
export async function loadReport(): Promise<void> {
  const request = ++latestRequest;
  const { range } = useCosts.getState();
  useCosts.setState({ loading: true });
  try {
    const since = rangeSince(range, new Date());
    // Marks for the benchmark: how much of opening the screen is the host's reply.
    performance.mark('costs:requested');
    const report = await api.costs.report(since ? { since } : {});
    performance.mark('costs:received');
    if (request !== latestRequest) return;
    useCosts.setState((state) => ({
      report,
      reportRange: range,
      loading: false,
      error: null,
      reads: state.reads + 1,
    }));
  } catch (error) {
    if (request !== latestRequest) return;
    useCosts.setState({ loading: false, error: errorMessage(error) });
  }
}

export function setRange(range: CostRange): void {
  if (range === useCosts.getState().range && useCosts.getState().reportRange === range) return;
  useCosts.setState({ range });
  void loadReport();
}

export function setGranularity(granularity: Granularity): void {
  useCosts.setState({ granularity });
}

/** Saves what the screen shows as a CSV file (built here; the download never leaves the page). */
export function exportCsv(): void {
  const { report, reportRange, granularity } = useCosts.getState();
  if (!report || !reportRange) return;
  const view = { range: reportRange, granularity };
  const url = URL.createObjectURL(
    new Blob([csvText(costsCsvRows(report, view))], { type: 'text/csv;charset=utf-8' }),
  );
  const link = document.createElement('a');
  link.href = url;
  link.download = csvFileName(report, view);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
