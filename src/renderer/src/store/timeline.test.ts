/**
 * The timeline's loader without a host: a fake `audit.list` whose pages each test releases one
 * at a time, to see the first page on show before the rest is read, the progress, live events
 * held until reading ends, a search result selected once its page arrives, and the replay seek.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../../shared/audit';
import { proxyEvent } from '../test-support';

const fake = vi.hoisted(() => ({ list: vi.fn() }));

vi.mock('../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: { audit: { list: fake.list }, on: () => () => undefined },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const {
  PAGE,
  focusTimeline,
  loadTimeline,
  loadedFraction,
  moveSelection,
  openTimelineAt,
  receiveLive,
  seekReplayTo,
  toggleEntry,
  useTimeline,
} = await import('./timeline');
const { useSessions } = await import('./sessions');
const { useScreen } = await import('./screen');

const SESSION = 'ses_1234abcd';

/** Seqs `from`..`to` of the session: every tenth an approval, the rest output chunks. */
function events(from: number, to: number, sessionId = SESSION): AuditEvent[] {
  const list: AuditEvent[] = [];
  for (let seq = from; seq <= to; seq++)
    list.push(
      proxyEvent(
        seq,
        seq % 10 === 0 ? 'approval.requested' : 'terminal.output',
        { bytes: 10 },
        sessionId,
      ),
    );
  return list;
}

interface ListInput {
  sessionId: string;
  afterSeq?: number;
  limit?: number;
  order?: 'asc' | 'desc';
}

/** A store of `total` events; each asc page waits until the test releases it. */
function pagedStore(total: number) {
  const waiting: Array<() => void> = [];
  fake.list.mockImplementation((input: ListInput) => {
    if (input.order === 'desc') return Promise.resolve(events(total, total));
    const from = (input.afterSeq ?? 0) + 1;
    const page = events(from, Math.min(total, from + (input.limit ?? PAGE) - 1));
    return new Promise<AuditEvent[]>((resolve) => waiting.push(() => resolve(page)));
  });
  return {
    /** Lets the oldest waiting page through and waits for the loader to take it. */
    async release() {
      await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0));
      waiting.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

beforeEach(() => {
  fake.list.mockReset();
  useTimeline.setState(useTimeline.getInitialState());
});

describe('loadTimeline', () => {
  it('shows the first page at once and reads the rest behind it, 1000 at a time', async () => {
    const store = pagedStore(2500);
    const loading = loadTimeline(SESSION);
    await store.release();

    let state = useTimeline.getState();
    expect(state.loading).toBe(true);
    expect(state.events).toBe(1000);
    expect(state.lastSeq).toBe(1000);
    // Nine output chunks then an approval, a hundred times: 200 entries, not 1000 rows.
    expect(state.entries).toHaveLength(200);
    expect(loadedFraction(state)).toBeCloseTo(999 / 2499, 3);

    await store.release();
    await store.release();
    await loading;
    state = useTimeline.getState();
    expect(state.done).toBe(true);
    expect(state.loading).toBe(false);
    expect(state.events).toBe(2500);
    expect(loadedFraction(state)).toBe(1);
    const asc = fake.list.mock.calls
      .map(([input]) => input as ListInput)
      .filter((input) => input.order === 'asc');
    expect(asc.map((input) => input.afterSeq)).toEqual([0, 1000, 2000]);
    expect(asc.every((input) => input.limit === 1000 && input.sessionId === SESSION)).toBe(true);
  });

  it('holds live events while pages are read, then adds those not already read', async () => {
    const store = pagedStore(1500);
    const loading = loadTimeline(SESSION);
    await store.release();
    receiveLive([...events(1400, 1401), ...events(1501, 1502), ...events(9000, 9000, 'ses_other')]);
    expect(useTimeline.getState().lastSeq).toBe(1000);
    await store.release();
    await loading;
    const state = useTimeline.getState();
    expect(state.lastSeq).toBe(1502);
    expect(state.events).toBe(1502);
    // Once everything is read, live events go straight in.
    receiveLive(events(1503, 1503));
    expect(useTimeline.getState().lastSeq).toBe(1503);
  });

  it('reads only what was missed when called again for the same session', async () => {
    const store = pagedStore(10);
    const first = loadTimeline(SESSION);
    await store.release();
    await first;
    const again = loadTimeline(SESSION);
    await store.release();
    await again;
    const last = fake.list.mock.calls.at(-1)?.[0] as ListInput;
    expect(last.afterSeq).toBe(10);
    expect(useTimeline.getState().events).toBe(10);
  });

  it('stops reading a session once another one is opened', async () => {
    const store = pagedStore(3000);
    const first = loadTimeline(SESSION);
    await store.release();
    const other = loadTimeline('ses_other');
    await store.release(); // the first session's second page: dropped
    await first;
    expect(useTimeline.getState().sessionId).toBe('ses_other');
    expect(useTimeline.getState().events).toBe(0);
    await store.release();
    expect(useTimeline.getState().events).toBe(1000);
    void other;
  });

  it('says where reading stopped, and carries on from there on retry', async () => {
    fake.list.mockImplementation((input: ListInput) =>
      input.order === 'desc'
        ? Promise.resolve(events(1200, 1200))
        : (input.afterSeq ?? 0) === 0
          ? Promise.resolve(events(1, 1000))
          : Promise.reject(new Error('connection lost')),
    );
    await loadTimeline(SESSION);
    expect(useTimeline.getState().error).toBe('connection lost');
    expect(useTimeline.getState().events).toBe(1000);
    fake.list.mockImplementation((input: ListInput) =>
      Promise.resolve(input.order === 'desc' ? [] : events((input.afterSeq ?? 0) + 1, 1200)),
    );
    await loadTimeline(SESSION);
    expect(useTimeline.getState()).toMatchObject({ error: null, done: true, events: 1200 });
  });
});

describe('openTimelineAt', () => {
  it('opens the session’s timeline and selects and opens the entry once its page has been read', async () => {
    const store = pagedStore(2500);
    openTimelineAt(SESSION, 1733);
    expect(useScreen.getState().screen).toBe('sessions');
    expect(useSessions.getState()).toMatchObject({ openId: SESSION, view: 'timeline' });
    const loading = loadTimeline(SESSION);
    await store.release();
    expect(useTimeline.getState().selectedKey).toBeNull();
    await store.release();
    // 1733 is an output chunk: the run it is in starts at 1731.
    expect(useTimeline.getState().selectedKey).toBe(1731);
    expect(useTimeline.getState().scrollRequest).toMatchObject({ key: 1731, align: 'center' });
    expect(useTimeline.getState().expanded.has(1731)).toBe(true);
    await store.release();
    await loading;
  });
});

describe('focusTimeline', () => {
  it('survives the switch to the session it was asked for', async () => {
    fake.list.mockImplementation((input: ListInput) =>
      Promise.resolve(input.order === 'desc' || input.afterSeq ? [] : events(1, 3)),
    );
    focusTimeline();
    await loadTimeline(SESSION);
    expect(useTimeline.getState().scrollRequest).toMatchObject({ key: null, focus: true });
  });
});

describe('selection', () => {
  it('moves with j/k and the ends, and opens and closes entries', async () => {
    fake.list.mockImplementation((input: ListInput) =>
      Promise.resolve(input.order === 'desc' ? [] : (input.afterSeq ?? 0) ? [] : events(1, 30)),
    );
    await loadTimeline(SESSION);
    const keys = useTimeline.getState().entries.map((entry) => entry.key);
    expect(keys).toEqual([1, 10, 11, 20, 21, 30]);
    moveSelection(1);
    expect(useTimeline.getState().selectedKey).toBe(1);
    moveSelection(1);
    expect(useTimeline.getState().selectedKey).toBe(10);
    moveSelection('last');
    expect(useTimeline.getState().selectedKey).toBe(30);
    moveSelection(1);
    expect(useTimeline.getState().selectedKey).toBe(30);
    moveSelection(-1);
    expect(useTimeline.getState().selectedKey).toBe(21);
    toggleEntry(21);
    expect(useTimeline.getState().expanded.has(21)).toBe(true);
    toggleEntry(21);
    expect(useTimeline.getState().expanded.has(21)).toBe(false);
  });
});

describe('seekReplayTo', () => {
  it('leaves the request for the replay, a new one each time', () => {
    seekReplayTo(SESSION, '2026-01-01T10:00:05.000Z', { recordingMs: 5000, seq: 12 });
    const first = useTimeline.getState().replaySeek;
    expect(first).toMatchObject({
      sessionId: SESSION,
      at: '2026-01-01T10:00:05.000Z',
      recordingMs: 5000,
      seq: 12,
    });
    seekReplayTo(SESSION, '2026-01-01T10:00:05.000Z');
    const second = useTimeline.getState().replaySeek;
    expect(second?.recordingMs).toBeNull();
    expect(second?.nonce).not.toBe(first?.nonce);
  });
});
