/**
 * The approval inbox's state, kept for the whole app (the count shows on every screen): requests
 * by id, merged from `approvals.list` and `approvals.changed` (which may overlap or arrive out of
 * order), the focused row, the selection, the decisions on their way, and the inline prompt (a
 * reason to deny, or the confirmation an allow for the whole project needs).
 */
import { create } from 'zustand';
import type { ApprovalRequest, ApprovalScope } from '../../../shared/approvals';
import { api, useConnection } from '../api/connection';
import { errorMessage } from '../format';

/** Decided requests kept and shown: enough to see what just happened, cheap to render. */
export const RECENT_LIMIT = 100;
/** As many pending requests as `approvals.list` returns at most: every one of them shows. */
const PENDING_LIMIT = 1000;

/** A question the inbox asks inline before deciding. */
export type Prompt =
  { kind: 'reason'; ids: string[]; draft: string } | { kind: 'project'; ids: string[] };

interface ApprovalsStore {
  byId: ReadonlyMap<string, ApprovalRequest>;
  loaded: boolean;
  loadError: string | null;
  /** The row j/k moved to; null (or gone) means the first row. */
  focusedId: string | null;
  /** Pending requests chosen for one decision together. */
  selected: ReadonlySet<string>;
  /** Sent to main, answer not back yet: not decided twice. */
  deciding: ReadonlySet<string>;
  /** Rows whose terminal context is shown. */
  contextOpen: ReadonlySet<string>;
  prompt: Prompt | null;
  actionError: string | null;
}

/** A store with nothing loaded: the start, and what tests reset to. */
export function emptyApprovals(): ApprovalsStore {
  return {
    byId: new Map(),
    loaded: false,
    loadError: null,
    focusedId: null,
    selected: new Set(),
    deciding: new Set(),
    contextOpen: new Set(),
    prompt: null,
    actionError: null,
  };
}

export const useApprovals = create<ApprovalsStore>(emptyApprovals);

const isPending = (request: ApprovalRequest | undefined) => request?.state === 'pending';

/** When a decided request was settled, for ordering the recent ones. */
function settledAt(request: ApprovalRequest): string {
  return request.decision?.decidedAt ?? (request.state === 'expired' ? request.expiresAt : '');
}

const newestFirst = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

/**
 * Merges requests in. A decided or expired request never goes back to pending: a list answer
 * that left main before the decision must not undo it. Only the newest decided ones are kept.
 */
export function mergeRequests(
  current: ReadonlyMap<string, ApprovalRequest>,
  incoming: readonly ApprovalRequest[],
): ReadonlyMap<string, ApprovalRequest> {
  const byId = new Map(current);
  for (const request of incoming) {
    const known = byId.get(request.id);
    if (known && !isPending(known) && isPending(request)) continue;
    byId.set(request.id, request);
  }
  const decided = [...byId.values()].filter((request) => !isPending(request));
  if (decided.length > RECENT_LIMIT) {
    decided.sort((a, b) => newestFirst(settledAt(a), settledAt(b)));
    for (const old of decided.slice(RECENT_LIMIT)) byId.delete(old.id);
  }
  return byId;
}

const orderCache = new WeakMap<ReadonlyMap<string, ApprovalRequest>, ApprovalRequest[]>();

/** As the inbox lists them: pending first, newest first; then the recently decided, newest first. */
export function orderedRequests(byId: ReadonlyMap<string, ApprovalRequest>): ApprovalRequest[] {
  const cached = orderCache.get(byId);
  if (cached) return cached;
  const all = [...byId.values()];
  const pending = all
    .filter(isPending)
    .sort((a, b) => newestFirst(a.createdAt, b.createdAt) || newestFirst(a.id, b.id));
  const decided = all
    .filter((request) => !isPending(request))
    .sort(
      (a, b) =>
        newestFirst(settledAt(a), settledAt(b)) ||
        newestFirst(a.createdAt, b.createdAt) ||
        newestFirst(a.id, b.id),
    );
  const ordered = [...pending, ...decided];
  orderCache.set(byId, ordered);
  return ordered;
}

export function pendingCount(state: Pick<ApprovalsStore, 'byId'>): number {
  let count = 0;
  for (const request of state.byId.values()) if (isPending(request)) count++;
  return count;
}

/** The row keys act on: the focused one if it still shows, else the first. */
export function focusedRequest(
  state: Pick<ApprovalsStore, 'byId' | 'focusedId'>,
): ApprovalRequest | undefined {
  const focused = state.focusedId ? state.byId.get(state.focusedId) : undefined;
  return focused ?? orderedRequests(state.byId)[0];
}

/** What a decision applies to: the selection if there is one, else the focused row (if pending). */
export function decisionTargets(
  state: Pick<ApprovalsStore, 'byId' | 'focusedId' | 'selected' | 'deciding'>,
): string[] {
  const open = (request: ApprovalRequest | undefined) =>
    request !== undefined && isPending(request) && !state.deciding.has(request.id);
  const selected = orderedRequests(state.byId).filter(
    (request) => state.selected.has(request.id) && open(request),
  );
  if (selected.length) return selected.map((request) => request.id);
  const focused = focusedRequest(state);
  return open(focused) && focused ? [focused.id] : [];
}

/** Drops ids that are no longer pending from the selection and from an open prompt. */
function withoutSettled(state: ApprovalsStore, byId: ReadonlyMap<string, ApprovalRequest>) {
  const stillPending = (id: string) => isPending(byId.get(id));
  const selected = new Set([...state.selected].filter(stillPending));
  let prompt = state.prompt;
  if (prompt) {
    const ids = prompt.ids.filter(stillPending);
    prompt = ids.length ? { ...prompt, ids } : null;
  }
  return { byId, selected, prompt };
}

export function receiveChanged(request: ApprovalRequest): void {
  useApprovals.setState((state) => withoutSettled(state, mergeRequests(state.byId, [request])));
}

/** Loads pending and recent requests; called at start and after every reconnect, to fill any gap. */
export async function loadApprovals(): Promise<void> {
  // Pending requests known before the call and missing from its answer were settled while this
  // window was away (and are older than the recent ones): they must not stay "pending" here.
  const before = [...useApprovals.getState().byId.values()].filter(isPending).map((r) => r.id);
  try {
    const [pending, recent] = await Promise.all([
      api.approvals.list({ state: 'pending', limit: PENDING_LIMIT }),
      api.approvals.list({ limit: RECENT_LIMIT }),
    ]);
    useApprovals.setState((state) => {
      const byId = new Map(mergeRequests(state.byId, [...recent, ...pending]));
      const answered = new Set([...pending, ...recent].map((request) => request.id));
      for (const id of before) if (!answered.has(id) && isPending(byId.get(id))) byId.delete(id);
      return { ...withoutSettled(state, byId), loaded: true, loadError: null };
    });
  } catch (error) {
    useApprovals.setState({ loadError: errorMessage(error) });
  }
}

/**
 * Follows `approvals.changed` and (re)loads whenever the connection (re)opens. Started once by the
 * App, so the count and the notifications work on every screen.
 */
export function startApprovals(): () => void {
  const stopTopic = api.on('approvals.changed', receiveChanged);
  if (useConnection.getState().state === 'open') void loadApprovals();
  const stopConnection = useConnection.subscribe((state, previous) => {
    if (state.state === 'open' && previous.state !== 'open') void loadApprovals();
  });
  return () => {
    stopTopic();
    stopConnection();
  };
}

/* ---- Focus and selection ---- */

export function focus(id: string | null): void {
  useApprovals.setState({ focusedId: id });
}

/** Moves the focus one row down (1) or up (-1); returns the newly focused id. */
export function moveFocus(step: 1 | -1): string | null {
  const state = useApprovals.getState();
  const rows = orderedRequests(state.byId);
  const at = rows.findIndex((request) => request.id === focusedRequest(state)?.id);
  const next = rows[at === -1 ? 0 : Math.min(Math.max(at + step, 0), rows.length - 1)];
  if (!next) return null;
  useApprovals.setState({ focusedId: next.id });
  return next.id;
}

/** Shift+j/k: takes the focused row and the next one into the selection (pending rows only). */
export function extendSelection(step: 1 | -1): string | null {
  const from = focusedRequest(useApprovals.getState());
  const to = moveFocus(step);
  useApprovals.setState((state) => {
    const selected = new Set(state.selected);
    for (const id of [from?.id, to]) if (id && isPending(state.byId.get(id))) selected.add(id);
    return { selected };
  });
  return to;
}

/** Space or x: the focused row (or `id`) in or out of the selection. */
export function toggleSelected(id?: string): void {
  useApprovals.setState((state) => {
    const target = id ?? focusedRequest(state)?.id;
    if (!target || !isPending(state.byId.get(target))) return {};
    const selected = new Set(state.selected);
    if (!selected.delete(target)) selected.add(target);
    return { selected, focusedId: target };
  });
}

export function selectAllPending(): void {
  useApprovals.setState((state) => ({
    selected: new Set(
      orderedRequests(state.byId)
        .filter(isPending)
        .map((r) => r.id),
    ),
  }));
}

export function clearSelection(): void {
  useApprovals.setState({ selected: new Set() });
}

export function toggleContext(id?: string): void {
  useApprovals.setState((state) => {
    const target = id ?? focusedRequest(state)?.id;
    if (!target) return {};
    const contextOpen = new Set(state.contextOpen);
    if (!contextOpen.delete(target)) contextOpen.add(target);
    return { contextOpen };
  });
}

/* ---- Deciding ---- */

/**
 * After a decision the focus moves on to the next pending row below the decided ones (or the
 * nearest above), as in a mail inbox, so `a a a` works through the list.
 */
function focusAfter(
  decided: readonly string[],
  rowsBefore: readonly ApprovalRequest[],
  byId: ReadonlyMap<string, ApprovalRequest>,
  focusedId: string | null,
): string | null {
  if (!focusedId || !decided.includes(focusedId)) return focusedId;
  const candidates = (rows: readonly ApprovalRequest[]) =>
    rows.find((row) => !decided.includes(row.id) && isPending(byId.get(row.id)));
  const at = rowsBefore.findIndex((row) => row.id === focusedId);
  const next =
    candidates(rowsBefore.slice(at + 1)) ?? candidates(rowsBefore.slice(0, at).reverse());
  return next?.id ?? focusedId;
}

/**
 * Sends one decision for `ids` (those still pending and not already on their way). On success the
 * answered rows stay, showing their outcome; on failure the error shows and nothing is lost: the
 * selection and an open prompt (with its typed reason) stay as they were. Resolves true if sent.
 */
export async function decide(
  ids: readonly string[],
  allow: boolean,
  scope: ApprovalScope = 'once',
  reason?: string,
): Promise<boolean> {
  const start = useApprovals.getState();
  const sending = ids.filter((id) => isPending(start.byId.get(id)) && !start.deciding.has(id));
  if (sending.length === 0) return false;
  const rowsBefore = orderedRequests(start.byId);
  const settle = (deciding: ReadonlySet<string>) =>
    new Set([...deciding].filter((id) => !sending.includes(id)));

  useApprovals.setState((state) => ({
    deciding: new Set([...state.deciding, ...sending]),
    actionError: null,
    // The focus leaves a row as soon as it is answered: the next key press is for the next one.
    focusedId: focusAfter(sending, rowsBefore, state.byId, focusedRequest(state)?.id ?? null),
  }));
  try {
    const decided = await api.approvals.decide({
      ids: sending,
      allow,
      scope: allow ? scope : 'once',
      ...(reason ? { reason } : {}),
    });
    let missed = 0;
    useApprovals.setState((state) => {
      const byId = mergeRequests(state.byId, decided);
      missed = sending.filter((id) => isPending(byId.get(id))).length;
      const next = withoutSettled(state, byId);
      return {
        ...next,
        // The prompt was for this decision: it is done even if one request had already gone.
        prompt:
          state.prompt && state.prompt.ids.every((id) => sending.includes(id)) ? null : next.prompt,
        deciding: settle(state.deciding),
        actionError: missed
          ? `${missed} of ${sending.length} ${sending.length === 1 ? 'request was' : 'requests were'} not answered: already decided or expired elsewhere.`
          : null,
      };
    });
    if (missed) void loadApprovals();
    return true;
  } catch (error) {
    useApprovals.setState((state) => ({
      deciding: settle(state.deciding),
      actionError: `Not answered: ${errorMessage(error)}`,
      // Back to where the person was, so the next key press still means that row.
      focusedId: start.focusedId,
    }));
    return false;
  }
}

/**
 * A review request is one decision about one change (allow promotes it): it is never answered for
 * a whole session or project, so s and p leave it out of what they decide. A request of no project
 * (an operator run's command) cannot be allowed for one: p leaves it out too.
 */
function scopedTargets(scope: ApprovalScope): string[] {
  const state = useApprovals.getState();
  const ids = decisionTargets(state);
  if (scope === 'once') return ids;
  const scoped = ids.filter((id) => {
    const request = state.byId.get(id);
    return request?.kind !== 'review' && (scope !== 'project' || request?.projectPath !== '');
  });
  if (ids.length > 0 && scoped.length === 0)
    useApprovals.setState({
      actionError: ids.some((id) => state.byId.get(id)?.kind === 'review')
        ? 'A review is answered once: a promotes it, d rejects it (or open it with o).'
        : 'An operator run’s command belongs to no project: a allows it once, s for the run.',
    });
  return scoped;
}

/** a, s, d: decide the selection (or the focused row) at once. p and r ask first. */
export function decideTargets(allow: boolean, scope: ApprovalScope = 'once'): Promise<boolean> {
  return decide(
    allow ? scopedTargets(scope) : decisionTargets(useApprovals.getState()),
    allow,
    scope,
  );
}

/**
 * p: allowing for the whole project outlives this session, so it is confirmed first. For the
 * selection (or the focused row), or for `ids` (a row's own button).
 */
export function askAllowProject(ids = scopedTargets('project')): void {
  if (ids.length) useApprovals.setState({ prompt: { kind: 'project', ids }, actionError: null });
}

/** r: deny with a reason, typed in an inline form. */
export function askDenyReason(ids = decisionTargets(useApprovals.getState())): void {
  if (ids.length)
    useApprovals.setState({ prompt: { kind: 'reason', ids, draft: '' }, actionError: null });
}

export function setReasonDraft(draft: string): void {
  useApprovals.setState((state) =>
    state.prompt?.kind === 'reason' ? { prompt: { ...state.prompt, draft } } : {},
  );
}

export function closePrompt(): void {
  useApprovals.setState({ prompt: null });
}

/** Enter in the prompt: confirms the project allow, or sends the reasoned deny. */
export async function answerPrompt(): Promise<boolean> {
  const { prompt } = useApprovals.getState();
  if (!prompt) return false;
  if (prompt.kind === 'project') return decide(prompt.ids, true, 'project');
  const reason = prompt.draft.trim();
  if (!reason) return false;
  return decide(prompt.ids, false, 'once', reason);
}

export function dismissActionError(): void {
  useApprovals.setState({ actionError: null });
}
