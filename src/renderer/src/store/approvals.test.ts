/**
 * The inbox's state without a host: the connection module is replaced by a fake api whose
 * answers each test sets, and a connection store the test opens and closes.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApprovalRequest } from '../../../shared/approvals';
import { approvalRequest } from '../test-support';

const fake = vi.hoisted(() => ({
  list: vi.fn(),
  decide: vi.fn(),
  listeners: new Map<string, (payload: unknown) => void>(),
}));

vi.mock('../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: {
      approvals: { list: fake.list, decide: fake.decide },
      on: (topic: string, listener: (payload: unknown) => void) => {
        fake.listeners.set(topic, listener);
        return () => fake.listeners.delete(topic);
      },
    },
    useConnection: create(() => ({ state: 'connecting', detail: null, transport: 'websocket' })),
  };
});

const { useConnection } = await import('../api/connection');
const store = await import('./approvals');
const {
  askAllowProject,
  askDenyReason,
  answerPrompt,
  decide,
  decideTargets,
  decisionTargets,
  extendSelection,
  focusedRequest,
  loadApprovals,
  mergeRequests,
  moveFocus,
  orderedRequests,
  pendingCount,
  receiveChanged,
  setReasonDraft,
  startApprovals,
  toggleSelected,
  useApprovals,
  emptyApprovals,
} = store;

let seq = 0;
function request(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  seq++;
  return approvalRequest({
    id: `apr_${seq.toString(16).padStart(12, '0')}`,
    subject: `Bash(step ${seq})`,
    input: `{"command":"step ${seq}"}`,
    reason: 'no rule allows it',
    context: '',
    createdAt: `2026-01-01T10:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    ...overrides,
  });
}

function decided(
  r: ApprovalRequest,
  allow: boolean,
  scope: 'once' | 'session' | 'project' = 'once',
) {
  return {
    ...r,
    state: allow ? 'allowed' : 'denied',
    decision: {
      allow,
      scope,
      by: 'ada',
      reason: null,
      decidedAt: '2026-01-01T10:05:00.000Z',
      waitedMs: 1000,
    },
  } satisfies ApprovalRequest;
}

const ids = () => orderedRequests(useApprovals.getState().byId).map((r) => r.id);

/** Puts requests in the store as if they had arrived. */
function have(...requests: ApprovalRequest[]) {
  for (const r of requests) receiveChanged(r);
}

beforeEach(() => {
  seq = 0;
  fake.list.mockReset();
  fake.decide.mockReset();
  useApprovals.setState(emptyApprovals(), true);
});

describe('merging and order', () => {
  it('lists pending first, newest first, then the decided, most recently decided first', () => {
    const a = request();
    const b = request();
    const c = request();
    const d = request();
    have(a, b, c, d, decided(a, true), {
      ...decided(b, false),
      decision: { ...decided(b, false).decision, decidedAt: '2026-01-01T10:06:00.000Z' },
    });
    expect(ids()).toEqual([d.id, c.id, b.id, a.id]);
    expect(pendingCount(useApprovals.getState())).toBe(2);
  });

  it('never turns a decided request back to pending (an older list answer)', () => {
    const a = request();
    const byId = mergeRequests(new Map(), [decided(a, true)]);
    expect(mergeRequests(byId, [a]).get(a.id)?.state).toBe('allowed');
  });

  it('keeps every pending request but only the newest decided ones', () => {
    const many = Array.from({ length: store.RECENT_LIMIT + 20 }, () => request());
    const byId = mergeRequests(
      new Map(),
      many.map((r, index) =>
        index < 10
          ? r
          : {
              ...decided(r, true),
              decision: { ...decided(r, true).decision, decidedAt: r.createdAt },
            },
      ),
    );
    const values = [...byId.values()];
    expect(values.filter((r) => r.state === 'pending')).toHaveLength(10);
    expect(values.filter((r) => r.state !== 'pending')).toHaveLength(store.RECENT_LIMIT);
  });
});

describe('loading', () => {
  it('loads pending and recent requests, and forgets pending ones settled while away', async () => {
    const stale = request();
    const fresh = request();
    const recent = decided(request(), true);
    have(stale);
    fake.list.mockImplementation(async ({ state }: { state?: string }) =>
      state === 'pending' ? [fresh] : [recent, fresh],
    );
    await loadApprovals();
    expect(fake.list).toHaveBeenCalledWith({ state: 'pending', limit: 1000 });
    expect(ids()).toEqual([fresh.id, recent.id]);
    expect(useApprovals.getState().loaded).toBe(true);
  });

  it('keeps a request that arrived while the list was on its way', async () => {
    const arriving = request();
    fake.list.mockImplementation(async () => {
      receiveChanged(arriving);
      return [];
    });
    await loadApprovals();
    expect(ids()).toEqual([arriving.id]);
  });

  it('says why it could not load', async () => {
    fake.list.mockRejectedValue(new Error('host gone'));
    await loadApprovals();
    expect(useApprovals.getState().loadError).toBe('host gone');
  });

  it('follows approvals.changed and reloads each time the connection opens', async () => {
    fake.list.mockResolvedValue([]);
    const stop = startApprovals();
    expect(fake.list).not.toHaveBeenCalled();
    useConnection.setState({ state: 'open' });
    expect(fake.list).toHaveBeenCalledTimes(2);
    useConnection.setState({ state: 'reconnecting' });
    useConnection.setState({ state: 'open' });
    expect(fake.list).toHaveBeenCalledTimes(4);
    const arriving = request();
    fake.listeners.get('approvals.changed')?.(arriving);
    expect(ids()).toEqual([arriving.id]);
    stop();
    expect(fake.listeners.has('approvals.changed')).toBe(false);
    useConnection.setState({ state: 'closed' });
  });
});

describe('focus and selection', () => {
  it('focuses the first row until j/k move, and stays in bounds', () => {
    const [c, b, a] = [request(), request(), request()]; // a is the newest
    have(c, b, a);
    expect(focusedRequest(useApprovals.getState())?.id).toBe(a.id);
    expect(moveFocus(-1)).toBe(a.id);
    expect(moveFocus(1)).toBe(b.id);
    expect(moveFocus(1)).toBe(c.id);
    expect(moveFocus(1)).toBe(c.id);
  });

  it('toggles and extends the selection, pending rows only', () => {
    const [old, mid, top] = [request(), request(), request()];
    have(old, mid, top, decided(old, true));
    toggleSelected();
    expect([...useApprovals.getState().selected]).toEqual([top.id]);
    toggleSelected();
    expect(useApprovals.getState().selected.size).toBe(0);
    extendSelection(1); // top and mid
    extendSelection(1); // old is decided: not selectable
    expect([...useApprovals.getState().selected].sort()).toEqual([mid.id, top.id].sort());
    expect(focusedRequest(useApprovals.getState())?.id).toBe(old.id);
  });

  it('decides the selection if any, else the focused row, never a decided or sending one', () => {
    const [a, b, c] = [request(), request(), request()];
    have(a, b, c);
    expect(decisionTargets(useApprovals.getState())).toEqual([c.id]);
    toggleSelected(a.id);
    toggleSelected(b.id);
    // In list order, whatever order they were chosen in.
    expect(decisionTargets(useApprovals.getState())).toEqual([b.id, a.id]);
    useApprovals.setState({ deciding: new Set([b.id]) });
    expect(decisionTargets(useApprovals.getState())).toEqual([a.id]);
  });

  it('drops a request from the selection once main settles it', () => {
    const a = request();
    have(a);
    toggleSelected(a.id);
    receiveChanged({ ...a, state: 'expired' });
    expect(useApprovals.getState().selected.size).toBe(0);
  });
});

describe('deciding', () => {
  it('allows the focused row once, keeps it visible with its outcome, and moves on', async () => {
    const [a, b] = [request(), request()];
    have(a, b);
    fake.decide.mockImplementation(async ({ ids: sent }: { ids: string[] }) =>
      sent.map((id) => decided(id === a.id ? a : b, true)),
    );
    const sending = decideTargets(true, 'once');
    // The focus moves on at once, so the next key is for the next request.
    expect(focusedRequest(useApprovals.getState())?.id).toBe(a.id);
    expect(useApprovals.getState().deciding.has(b.id)).toBe(true);
    expect(await sending).toBe(true);
    expect(fake.decide).toHaveBeenCalledWith({ ids: [b.id], allow: true, scope: 'once' });
    expect(useApprovals.getState().byId.get(b.id)?.state).toBe('allowed');
    expect(ids()).toEqual([a.id, b.id]);
    expect(useApprovals.getState().deciding.size).toBe(0);
  });

  it('sends several at once in one call', async () => {
    const [a, b, c] = [request(), request(), request()];
    have(a, b, c);
    toggleSelected(a.id);
    toggleSelected(c.id);
    fake.decide.mockResolvedValue([decided(c, false), decided(a, false)]);
    await decideTargets(false);
    expect(fake.decide).toHaveBeenCalledWith({ ids: [c.id, a.id], allow: false, scope: 'once' });
    expect(useApprovals.getState().selected.size).toBe(0);
    expect(pendingCount(useApprovals.getState())).toBe(1);
  });

  it('shows an error and loses nothing when the call fails', async () => {
    const [a, b] = [request(), request()];
    have(a, b);
    toggleSelected(a.id);
    toggleSelected(b.id);
    fake.decide.mockRejectedValue(new Error('connection lost'));
    expect(await decideTargets(true, 'session')).toBe(false);
    const state = useApprovals.getState();
    expect(state.actionError).toBe('Not answered: connection lost');
    expect(state.selected.size).toBe(2);
    expect(state.deciding.size).toBe(0);
    expect(pendingCount(state)).toBe(2);
  });

  it('says which requests were not answered (already gone) and reloads', async () => {
    const [a, b] = [request(), request()];
    have(a, b);
    toggleSelected(a.id);
    toggleSelected(b.id);
    fake.decide.mockResolvedValue([decided(a, true)]);
    fake.list.mockResolvedValue([]);
    await decideTargets(true);
    expect(useApprovals.getState().actionError).toBe(
      '1 of 2 requests were not answered: already decided or expired elsewhere.',
    );
    expect(fake.list).toHaveBeenCalled();
  });

  it('does not send what is not pending', async () => {
    const a = request();
    have(decided(a, true));
    expect(await decide([a.id], true)).toBe(false);
    expect(fake.decide).not.toHaveBeenCalled();
  });

  it('asks before allowing for the project, then sends with that scope', async () => {
    const a = request();
    have(a);
    askAllowProject();
    expect(useApprovals.getState().prompt).toEqual({ kind: 'project', ids: [a.id] });
    fake.decide.mockResolvedValue([decided(a, true, 'project')]);
    expect(await answerPrompt()).toBe(true);
    expect(fake.decide).toHaveBeenCalledWith({ ids: [a.id], allow: true, scope: 'project' });
    expect(useApprovals.getState().prompt).toBeNull();
  });

  it('denies with the typed reason; keeps the reason if sending fails', async () => {
    const a = request();
    have(a);
    askDenyReason();
    expect(await answerPrompt()).toBe(false); // nothing typed yet
    setReasonDraft('  not on this machine  ');
    fake.decide.mockRejectedValueOnce(new Error('timeout'));
    expect(await answerPrompt()).toBe(false);
    expect(useApprovals.getState().prompt).toEqual({
      kind: 'reason',
      ids: [a.id],
      draft: '  not on this machine  ',
    });
    fake.decide.mockResolvedValue([decided(a, false)]);
    expect(await answerPrompt()).toBe(true);
    expect(fake.decide).toHaveBeenLastCalledWith({
      ids: [a.id],
      allow: false,
      scope: 'once',
      reason: 'not on this machine',
    });
    expect(useApprovals.getState().prompt).toBeNull();
  });

  it('answers a review request once only: s and p leave it out', async () => {
    const [command, review] = [request(), request({ kind: 'review' })];
    have(command, review);
    toggleSelected(command.id);
    toggleSelected(review.id);
    fake.decide.mockResolvedValue([decided(command, true, 'session')]);
    await decideTargets(true, 'session');
    expect(fake.decide).toHaveBeenCalledWith({ ids: [command.id], allow: true, scope: 'session' });
    // Alone, it is not offered for the project either; allowed once, it goes (allow = promote).
    askAllowProject();
    expect(useApprovals.getState().prompt).toBeNull();
    expect(useApprovals.getState().actionError).toMatch(/^A review is answered once/);
    fake.decide.mockResolvedValue([decided(review, true)]);
    await decideTargets(true, 'once');
    expect(fake.decide).toHaveBeenLastCalledWith({ ids: [review.id], allow: true, scope: 'once' });
  });

  it('closes a prompt whose requests all expire meanwhile', () => {
    const a = request();
    have(a);
    askAllowProject();
    receiveChanged({ ...a, state: 'expired' });
    expect(useApprovals.getState().prompt).toBeNull();
  });
});
