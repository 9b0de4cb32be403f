/**
 * The Operator screen's state without a host: the connection module is replaced by a fake api
 * whose answers each test sets, and `operator.changed` is fed by hand.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ALLOWED_BY_RULE, operatorRun, operatorStep } from '../components/operator/fixtures';

const fake = vi.hoisted(() => ({
  list: vi.fn(),
  get: vi.fn(),
  start: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
  stop: vi.fn(),
  note: vi.fn(),
}));

vi.mock('../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: { operator: fake, on: () => () => undefined },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const {
  applyChange,
  emptyOperator,
  limitBars,
  loadRuns,
  moveSelection,
  receiveChange,
  selectRun,
  sendNote,
  sortRuns,
  startInput,
  startRun,
  togglePause,
  upsertStep,
  useOperator,
  EMPTY_FORM,
} = await import('./operator');

const run = operatorRun;
const step = operatorStep;
const allowed = ALLOWED_BY_RULE;

/** Lets the promises the store started (a selection's read) settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  for (const fn of Object.values(fake)) fn.mockReset();
  useOperator.setState(emptyOperator());
});

describe('the run list', () => {
  it('lists runs newest first, a run not yet started first of all', () => {
    const runs = sortRuns([
      run({ id: 'ses_00000001', startedAt: '2026-01-01T09:00:00.000Z' }),
      run({ id: 'ses_00000002', startedAt: '' }),
      run({ id: 'ses_00000003', startedAt: '2026-01-01T11:00:00.000Z' }),
    ]);
    expect(runs.map((r) => r.id)).toEqual(['ses_00000002', 'ses_00000003', 'ses_00000001']);
  });

  it('puts a change into the list: a new run is added in its place, a known one replaced', () => {
    const older = run({ id: 'ses_00000001', startedAt: '2026-01-01T09:00:00.000Z' });
    let state = applyChange({ runs: [older], view: null }, { run: run(), step: null });
    expect(state.runs.map((r) => r.id)).toEqual(['ses_0000000a', 'ses_00000001']);
    state = applyChange(state, { run: run({ status: 'paused', turns: 3 }), step: null });
    expect(state.runs).toHaveLength(2);
    expect(state.runs[0]).toMatchObject({ status: 'paused', turns: 3 });
  });
});

describe('the selected run', () => {
  it('takes the run and the changed step from a change, in step order', () => {
    const view = { ...run(), steps: [step(1), step(2)] };
    const decided = step(2, { decision: allowed });
    let state = applyChange({ runs: [run()], view }, { run: run({ turns: 3 }), step: decided });
    expect(state.view?.turns).toBe(3);
    expect(state.view?.steps.map((s) => [s.step, s.decision?.allow ?? null])).toEqual([
      [1, null],
      [2, true],
    ]);
    state = applyChange(state, { run: run({ turns: 3 }), step: step(3) });
    expect(state.view?.steps.map((s) => s.step)).toEqual([1, 2, 3]);
  });

  it('leaves the open run alone for a change to another run', () => {
    const view = { ...run(), steps: [step(1)] };
    const other = run({ id: 'ses_0000000b', status: 'finished' });
    const state = applyChange({ runs: [run()], view }, { run: other, step: step(5) });
    expect(state.view).toBe(view);
    expect(state.runs).toHaveLength(2);
  });

  it('replaces a step by its number, whatever order the changes come in', () => {
    const steps = upsertStep([step(3), step(1)], step(2));
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(upsertStep(steps, step(2, { command: 'pwd' })).map((s) => s.command)).toEqual([
      'ls 1',
      'pwd',
      'ls 3',
    ]);
  });

  it('reads the first run on load, and the run j and k move to', async () => {
    fake.list.mockResolvedValue([
      run({ id: 'ses_00000001', startedAt: '2026-01-01T09:00:00.000Z' }),
      run(),
    ]);
    fake.get.mockImplementation(({ id }: { id: string }) =>
      Promise.resolve({ ...run({ id }), steps: [step(1)] }),
    );
    await loadRuns();
    expect(useOperator.getState()).toMatchObject({ selectedId: 'ses_0000000a', loaded: true });
    expect(useOperator.getState().view?.id).toBe('ses_0000000a');

    expect(moveSelection(1)).toBe('ses_00000001');
    expect(useOperator.getState().view).toBeNull();
    await settle();
    expect(useOperator.getState().view?.id).toBe('ses_00000001');
    expect(moveSelection(1)).toBe('ses_00000001');
    expect(moveSelection(-1)).toBe('ses_0000000a');
  });

  it('drops an answer for a run no longer selected', async () => {
    let answer: (value: unknown) => void = () => undefined;
    fake.get.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    fake.get.mockResolvedValueOnce({ ...run({ id: 'ses_0000000b' }), steps: [] });
    selectRun('ses_0000000a');
    selectRun('ses_0000000b');
    await settle();
    answer({ ...run(), steps: [] });
    await settle();
    expect(useOperator.getState().view?.id).toBe('ses_0000000b');
  });

  it('follows changes to the run once it is read', async () => {
    fake.get.mockResolvedValue({ ...run(), steps: [] });
    selectRun('ses_0000000a');
    await settle();
    receiveChange({ run: run({ status: 'waiting', waitingOn: 'apr_1' }), step: step(1) });
    expect(useOperator.getState().view).toMatchObject({ status: 'waiting', waitingOn: 'apr_1' });
    expect(useOperator.getState().view?.steps).toHaveLength(1);
  });
});

describe('the limit bars', () => {
  const now = Date.parse('2026-01-01T10:06:00.000Z');

  it('measures steps, time and spend against their limits', () => {
    const bars = limitBars(run(), now);
    expect(bars.map((bar) => [bar.id, bar.fraction, bar.state, bar.text])).toEqual([
      ['steps', 0.2, 'ok', '2 of 10'],
      ['time', 0.2, 'ok', '6 min of 30 min'],
      ['budget', 0.25, 'ok', '$0.2500 of $1.00'],
    ]);
  });

  it('turns amber from 80% and red at the limit, and never overfills', () => {
    const bars = limitBars(run({ turns: 8, spentUsd: 1.5 }), Date.parse('2026-01-01T10:45:00Z'));
    expect(bars.map((bar) => [bar.state, bar.fraction])).toEqual([
      ['warn', 0.8],
      ['over', 1],
      ['over', 1],
    ]);
  });

  it('stops the clock when the run ended, and shows spend without a bar when it has no budget', () => {
    const ended = run({
      endedAt: '2026-01-01T10:00:30.000Z',
      limits: { maxSteps: 10, maxMinutes: 1, maxBudgetUsd: null },
    });
    const [, time, budget] = limitBars(ended, now);
    expect(time).toMatchObject({ fraction: 0.5, text: '30 s of 1 min' });
    expect(budget).toMatchObject({ max: null, fraction: 0, text: '$0.2500 (no run budget)' });
  });
});

describe('starting and acting on a run', () => {
  it('sends only the fields given, as numbers', () => {
    expect(startInput({ ...EMPTY_FORM, host: 'staging', goal: 'go' })).toEqual({
      host: 'staging',
      goal: 'go',
      maxSteps: 30,
      maxMinutes: 30,
    });
    const full = { ...EMPTY_FORM, host: 'h', goal: 'g', maxBudgetUsd: '2.5', provider: ' local ' };
    expect(startInput({ ...full, model: 'llama3', maxSteps: '' })).toEqual({
      host: 'h',
      goal: 'g',
      maxMinutes: 30,
      maxBudgetUsd: 2.5,
      provider: 'local',
      model: 'llama3',
    });
  });

  it('starts a run and opens it; main’s error stays on the form as it came', async () => {
    fake.start.mockRejectedValueOnce(
      new Error('No provider is configured: `paddock settings set operator.providers …`'),
    );
    useOperator.setState({ formOpen: true });
    expect(await startRun({ ...EMPTY_FORM, host: 'staging', goal: 'go' })).toBe(false);
    expect(useOperator.getState()).toMatchObject({
      formOpen: true,
      startError: 'No provider is configured: `paddock settings set operator.providers …`',
    });

    fake.start.mockResolvedValueOnce(run({ status: 'starting', startedAt: '' }));
    fake.get.mockResolvedValue({ ...run(), steps: [step(1)] });
    expect(await startRun({ ...EMPTY_FORM, host: 'staging', goal: 'go' })).toBe(true);
    expect(useOperator.getState()).toMatchObject({
      formOpen: false,
      selectedId: 'ses_0000000a',
      startError: null,
    });
    await settle();
    expect(useOperator.getState().view?.steps).toHaveLength(1);
  });

  it('refuses a limit that is not a number before asking main', async () => {
    expect(await startRun({ ...EMPTY_FORM, host: 'h', goal: 'g', maxSteps: 'many' })).toBe(false);
    expect(useOperator.getState().startError).toContain('Max steps is a number');
    expect(fake.start).not.toHaveBeenCalled();
  });

  it('pauses a running run and resumes a paused one; a failure shows', async () => {
    fake.pause.mockResolvedValueOnce(run({ status: 'paused' }));
    await togglePause(run());
    expect(fake.pause).toHaveBeenCalledWith({ id: 'ses_0000000a' });
    expect(useOperator.getState().runs[0]?.status).toBe('paused');
    fake.resume.mockRejectedValueOnce(new Error('The operator run is not running (exited).'));
    await togglePause(run({ status: 'paused' }));
    expect(useOperator.getState().actionError).toBe('The operator run is not running (exited).');
  });

  it('sends a note, and says whether it went', async () => {
    fake.note.mockResolvedValueOnce(run({ notes: ['check the disk first'] }));
    expect(await sendNote('ses_0000000a', 'check the disk first')).toBe(true);
    expect(useOperator.getState().runs[0]?.notes).toEqual(['check the disk first']);
  });
});
