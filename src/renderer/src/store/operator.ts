/**
 * The Operator screen's state: every run (from `operator.list`, kept live by `operator.changed`),
 * the selected run with its steps (`operator.get`, then the same topic), the New run form's start,
 * and the actions on a run (pause or resume, stop after a confirmation, a note for the model).
 */
import { create } from 'zustand';
import type { CallInput } from '../../../shared/contract';
import {
  LIVE_OPERATOR_STATUSES,
  type OperatorChange,
  type OperatorRunSummary,
  type OperatorRunView,
  type OperatorStatus,
  type OperatorStep,
} from '../../../shared/operator';
import { api } from '../api/connection';
import { formatUsd } from '../components/costs/format';
import { formatDuration } from '../components/inbox/time';
import { errorMessage } from '../format';
import { useScreen } from './screen';

/** The New run form as typed: numbers stay text until the start, so a field can be emptied. */
export interface RunForm {
  host: string;
  goal: string;
  maxSteps: string;
  maxMinutes: string;
  /** Empty: no limit of the run's own (the budgets in settings and policy still hold). */
  maxBudgetUsd: string;
  /** Empty: the operator.defaultModel setting's. */
  provider: string;
  model: string;
}

/** main's defaults (core/operator), shown filled in so the person sees what a run gets. */
export const EMPTY_FORM: RunForm = {
  host: '',
  goal: '',
  maxSteps: '30',
  maxMinutes: '30',
  maxBudgetUsd: '',
  provider: '',
  model: '',
};

export interface OperatorStore {
  runs: OperatorRunSummary[];
  loaded: boolean;
  loadError: string | null;
  selectedId: string | null;
  /** The selected run with its steps, once read; null while it is read. */
  view: OperatorRunView | null;
  viewError: string | null;
  formOpen: boolean;
  starting: boolean;
  startError: string | null;
  confirmStop: string | null;
  actionError: string | null;
}

export function emptyOperator(): OperatorStore {
  return {
    runs: [],
    loaded: false,
    loadError: null,
    selectedId: null,
    view: null,
    viewError: null,
    formOpen: false,
    starting: false,
    startError: null,
    confirmStop: null,
    actionError: null,
  };
}

export const useOperator = create<OperatorStore>(emptyOperator);

export function isLiveRun(run: Pick<OperatorRunSummary, 'status'>): boolean {
  return LIVE_OPERATOR_STATUSES.includes(run.status);
}

/* ---- Status, in words and a tone the badge is coloured by ---- */

export type StatusTone = 'live' | 'wait' | 'good' | 'limit' | 'bad' | 'neutral';

export const STATUS_INFO: Readonly<Record<OperatorStatus, { words: string; tone: StatusTone }>> = {
  starting: { words: 'starting', tone: 'wait' },
  running: { words: 'running', tone: 'live' },
  paused: { words: 'paused', tone: 'wait' },
  waiting: { words: 'waiting for you', tone: 'wait' },
  finished: { words: 'finished', tone: 'good' },
  'step-limit': { words: 'step limit reached', tone: 'limit' },
  'time-limit': { words: 'time limit reached', tone: 'limit' },
  budget: { words: 'budget reached', tone: 'limit' },
  stopped: { words: 'stopped', tone: 'neutral' },
  failed: { words: 'failed', tone: 'bad' },
  interrupted: { words: 'interrupted', tone: 'bad' },
};

/* ---- Merging what main sends ---- */

/** Newest first, as `operator.list` gives them; a run not started yet (no time) first of all. */
export function sortRuns(runs: readonly OperatorRunSummary[]): OperatorRunSummary[] {
  return [...runs].sort(
    (a, b) =>
      (b.startedAt || '\uffff').localeCompare(a.startedAt || '\uffff') || b.id.localeCompare(a.id),
  );
}

export function upsertRun(
  runs: readonly OperatorRunSummary[],
  run: OperatorRunSummary,
): OperatorRunSummary[] {
  return sortRuns([run, ...runs.filter((known) => known.id !== run.id)]);
}

/** A step replaces the one of its number (each change carries the whole step); oldest first. */
export function upsertStep(steps: readonly OperatorStep[], step: OperatorStep): OperatorStep[] {
  return [...steps.filter((known) => known.step !== step.step), step].sort(
    (a, b) => a.step - b.step,
  );
}

/**
 * One `operator.changed` applied to the list and to the open run. Changes and call answers come
 * over one ordered connection, so a change that arrives after `operator.get`'s answer is newer
 * than it; one for a run still being read is dropped (the answer, on its way, is newer still).
 */
export function applyChange(
  state: Pick<OperatorStore, 'runs' | 'view'>,
  change: OperatorChange,
): Pick<OperatorStore, 'runs' | 'view'> {
  const runs = upsertRun(state.runs, change.run);
  const view = state.view;
  if (!view || view.id !== change.run.id) return { runs, view };
  const steps = change.step ? upsertStep(view.steps, change.step) : view.steps;
  return { runs, view: { ...change.run, steps } };
}

/* ---- Progress against the limits ---- */

export type BarState = 'ok' | 'warn' | 'over';

export interface LimitBar {
  id: 'steps' | 'time' | 'budget';
  label: string;
  used: number;
  /** Null: no limit of the run's own. */
  max: number | null;
  /** How much of the bar is filled, 0 to 1. */
  fraction: number;
  state: BarState;
  text: string;
}

/** Amber from 80%, red once the limit is reached (as the cost dashboard's budget bars). */
const WARN_AT = 0.8;

function bar(id: LimitBar['id'], label: string, used: number, max: number | null, text: string) {
  const ratio = max && max > 0 ? used / max : 0;
  const state: BarState = ratio >= 1 ? 'over' : ratio >= WARN_AT ? 'warn' : 'ok';
  return { id, label, used, max, fraction: Math.min(1, Math.max(0, ratio)), state, text };
}

/** Milliseconds from the start to the end (or to `now`, while it runs). */
export function elapsedMs(run: OperatorRunSummary, now: number): number {
  const start = Date.parse(run.startedAt);
  if (!Number.isFinite(start)) return 0;
  const end = run.endedAt ? Date.parse(run.endedAt) : now;
  return Math.max(0, end - start);
}

/** Steps used of the maximum, time used of the maximum, spend of the run's budget. */
export function limitBars(run: OperatorRunSummary, now: number): LimitBar[] {
  const { maxSteps, maxMinutes, maxBudgetUsd } = run.limits;
  const elapsed = elapsedMs(run, now);
  return [
    bar('steps', 'Steps', run.turns, maxSteps, `${run.turns} of ${maxSteps}`),
    bar(
      'time',
      'Time',
      elapsed / 60_000,
      maxMinutes,
      `${formatDuration(elapsed)} of ${maxMinutes} min`,
    ),
    bar(
      'budget',
      'Spent',
      run.spentUsd,
      maxBudgetUsd,
      maxBudgetUsd === null
        ? `${formatUsd(run.spentUsd)} (no run budget)`
        : `${formatUsd(run.spentUsd)} of ${formatUsd(maxBudgetUsd)}`,
    ),
  ];
}

/* ---- The New run form ---- */

/** A number field: empty means "not given"; anything else must be a number. */
function numberField(text: string, what: string): number | undefined {
  if (!text.trim()) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${what} is a number: “${text}” is not.`);
  return value;
}

/** The form as `operator.start` takes it; main checks the ranges and says what is wrong. */
export function startInput(form: RunForm): CallInput<'operator.start'> {
  const maxSteps = numberField(form.maxSteps, 'Max steps');
  const maxMinutes = numberField(form.maxMinutes, 'Max minutes');
  const maxBudgetUsd = numberField(form.maxBudgetUsd, 'Max budget');
  return {
    host: form.host,
    goal: form.goal,
    ...(maxSteps === undefined ? {} : { maxSteps }),
    ...(maxMinutes === undefined ? {} : { maxMinutes }),
    ...(maxBudgetUsd === undefined ? {} : { maxBudgetUsd }),
    ...(form.provider.trim() ? { provider: form.provider.trim() } : {}),
    ...(form.model.trim() ? { model: form.model.trim() } : {}),
  };
}

/* ---- Loading and following ---- */

export async function loadRuns(): Promise<void> {
  try {
    const runs = sortRuns(await api.operator.list({}));
    const selectedId = useOperator.getState().selectedId ?? runs[0]?.id ?? null;
    useOperator.setState({ runs, loaded: true, loadError: null, selectedId });
    if (selectedId) await loadView(selectedId);
  } catch (error) {
    useOperator.setState({ loadError: errorMessage(error) });
  }
}

async function loadView(id: string): Promise<void> {
  try {
    const view = await api.operator.get({ id });
    // Another run may have been selected while this one was read.
    if (useOperator.getState().selectedId === id) useOperator.setState({ view, viewError: null });
  } catch (error) {
    if (useOperator.getState().selectedId === id)
      useOperator.setState({ viewError: errorMessage(error) });
  }
}

export function receiveChange(change: OperatorChange): void {
  useOperator.setState((state) => applyChange(state, change));
}

/** From anywhere (the run's session on the Sessions screen): the Operator screen, on this run. */
export function openRun(id: string): void {
  selectRun(id);
  useScreen.getState().goTo('operator');
}

export function selectRun(id: string): void {
  const state = useOperator.getState();
  if (state.selectedId === id && state.view?.id === id) return;
  useOperator.setState({
    selectedId: id,
    view: null,
    viewError: null,
    formOpen: false,
    confirmStop: null,
    actionError: null,
  });
  void loadView(id);
}

/** j/k: the next (1) or previous (-1) run in the list; returns its id. */
export function moveSelection(step: 1 | -1): string | null {
  const { runs, selectedId } = useOperator.getState();
  const at = runs.findIndex((run) => run.id === selectedId);
  const next = runs[at === -1 ? 0 : Math.min(Math.max(at + step, 0), runs.length - 1)];
  if (next) selectRun(next.id);
  return next?.id ?? null;
}

export function setFormOpen(formOpen: boolean): void {
  useOperator.setState(formOpen ? { formOpen, startError: null } : { formOpen });
}

/** Starts a run and opens it; an error (no provider, an unpinned host) stays on the form. */
export async function startRun(form: RunForm): Promise<boolean> {
  useOperator.setState({ starting: true, startError: null });
  try {
    const run = await api.operator.start(startInput(form));
    useOperator.setState((state) => ({
      // The run's first changes may have come before this answer, and are newer than it.
      runs: state.runs.some((known) => known.id === run.id)
        ? state.runs
        : upsertRun(state.runs, run),
      starting: false,
      formOpen: false,
      selectedId: run.id,
      view: { ...run, steps: [] },
      viewError: null,
    }));
    void loadView(run.id);
    return true;
  } catch (error) {
    useOperator.setState({ starting: false, startError: errorMessage(error) });
    return false;
  }
}

async function act(call: () => Promise<OperatorRunSummary>): Promise<boolean> {
  try {
    const run = await call();
    useOperator.setState((state) => ({
      ...applyChange(state, { run, step: null }),
      actionError: null,
    }));
    return true;
  } catch (error) {
    useOperator.setState({ actionError: errorMessage(error) });
    return false;
  }
}

export function togglePause(run: OperatorRunSummary): Promise<boolean> {
  return act(() =>
    run.status === 'paused'
      ? api.operator.resume({ id: run.id })
      : api.operator.pause({ id: run.id }),
  );
}

export function askStop(id: string | null): void {
  useOperator.setState({ confirmStop: id });
}

export function stopRun(id: string): Promise<boolean> {
  useOperator.setState({ confirmStop: null });
  return act(() => api.operator.stop({ id }));
}

/**
 * A login shell on the run's host in the session's terminal; the run holds meanwhile. The size is
 * a start: the terminal pane fits itself to its box and sends its own.
 */
export function takeOver(id: string): Promise<boolean> {
  return act(() => api.operator.takeover({ id, cols: 100, rows: 30 }));
}

export function handBack(id: string): Promise<boolean> {
  return act(() => api.operator.handback({ id }));
}

export function sendNote(id: string, text: string): Promise<boolean> {
  return act(() => api.operator.note({ id, text }));
}
