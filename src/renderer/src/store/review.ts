/**
 * The Review view's state: each session's ReviewState as `gates.status` last gave it, what is on
 * its way for it (a gate run, which takes minutes, or one of the decisions), the last error and
 * the last notice, and the one inline form open (promote, reject, send back, sign off).
 *
 * Main is the judge of every rule (what blocks a promotion, when results are stale): this store
 * only shows what it says, and reads `gates.status` again after each call and on `review.changed`
 * for the session on show, so the view never keeps its own idea of the state.
 */
import { create } from 'zustand';
import type {
  GateBinding,
  PromotionMode,
  ReviewState,
  SendBackResult,
} from '../../../shared/gates';
import { api, useConnection } from '../api/connection';
import { errorMessage } from '../format';

/** What a person can ask of a review; `load` is reading `gates.status`. */
export type ReviewAction = 'load' | 'run' | 'promote' | 'reject' | 'sendBack' | 'signOff';
/** The decisions, sent one at a time (a gate run may go on beside them). */
export type ReviewDecision = Exclude<ReviewAction, 'load' | 'run'>;

/** The inline question a decision asks before it is sent. */
export type ReviewForm =
  | { kind: 'promote'; sessionId: string; mode: PromotionMode; removeWorkspace: boolean }
  | { kind: 'reject'; sessionId: string; reason: string; sendBack: boolean }
  | { kind: 'sendBack'; sessionId: string; note: string }
  | { kind: 'signOff'; sessionId: string };
export type ReviewFormKind = ReviewForm['kind'];
type FormOf<K extends ReviewFormKind> = Extract<ReviewForm, { kind: K }>;
/** What the person can change in a form (not which kind it is, nor its session). */
export type FormFields<K extends ReviewFormKind> = Partial<Omit<FormOf<K>, 'kind' | 'sessionId'>>;

export interface ReviewError {
  action: ReviewAction;
  message: string;
}

/** One session's review as this window knows it. */
export interface SessionReview {
  /** Null until the first answer. */
  state: ReviewState | null;
  loading: boolean;
  /** A gate run is in progress (started here); `runStartedAt` says since when, for the clock. */
  running: boolean;
  runStartedAt: number | null;
  /** A decision sent and not answered yet. */
  deciding: ReviewDecision | null;
  error: ReviewError | null;
  /** What the last decision did, when the state alone does not say it (a message sent back). */
  notice: string | null;
}

interface ReviewStore {
  bySession: ReadonlyMap<string, SessionReview>;
  /** The session whose review is on show: `review.changed` for it is read at once. */
  shownId: string | null;
  form: ReviewForm | null;
}

export const EMPTY_REVIEW: SessionReview = {
  state: null,
  loading: false,
  running: false,
  runStartedAt: null,
  deciding: null,
  error: null,
  notice: null,
};

export function emptyReviews(): ReviewStore {
  return { bySession: new Map(), shownId: null, form: null };
}

export const useReview = create<ReviewStore>(emptyReviews);

export function reviewOf(state: Pick<ReviewStore, 'bySession'>, id: string): SessionReview {
  return state.bySession.get(id) ?? EMPTY_REVIEW;
}

function patch(id: string, change: (entry: SessionReview) => Partial<SessionReview>): void {
  useReview.setState((store) => {
    const entry = reviewOf(store, id);
    return { bySession: new Map(store.bySession).set(id, { ...entry, ...change(entry) }) };
  });
}

/* ---- Reading ---- */

/** The latest `gates.status` request per session: an older answer arriving later is dropped. */
const latestLoad = new Map<string, number>();
let loadCounter = 0;

/** Reads the session's review state again. Resolves true when it was read. */
export async function load(id: string): Promise<boolean> {
  const request = ++loadCounter;
  latestLoad.set(id, request);
  patch(id, () => ({ loading: true }));
  try {
    const state = await api.gates.status({ id });
    if (latestLoad.get(id) !== request) return true;
    patch(id, (entry) => ({
      state,
      loading: false,
      // A read that worked clears only its own earlier failure: a refused promotion stays shown.
      error: entry.error?.action === 'load' ? null : entry.error,
    }));
    return true;
  } catch (error) {
    if (latestLoad.get(id) !== request) return false;
    patch(id, () => ({ loading: false, error: { action: 'load', message: errorMessage(error) } }));
    return false;
  }
}

/** The review on show: read it now, and again whenever `review.changed` names it. */
export function showReview(id: string | null): void {
  useReview.setState((store) => ({
    shownId: id,
    // A form belongs to the session it was opened on.
    form: store.form && store.form.sessionId === id ? store.form : null,
  }));
  if (id) void load(id);
}

/**
 * Follows `review.changed` for the session on show, and reads it again when the connection
 * (re)opens (an event may have been missed while it was down). Returns the unsubscribe.
 */
export function followReviews(): () => void {
  const stopTopic = api.on('review.changed', ({ sessionId }) => {
    if (sessionId === useReview.getState().shownId) void load(sessionId);
  });
  const stopConnection = useConnection.subscribe((state, previous) => {
    const { shownId } = useReview.getState();
    if (shownId && state.state === 'open' && previous.state !== 'open') void load(shownId);
  });
  return () => {
    stopTopic();
    stopConnection();
  };
}

/* ---- Gate runs ---- */

/** Runs the gates on what would land now; `running` stays up until the new state is read. */
export async function runGates(id: string): Promise<boolean> {
  if (reviewOf(useReview.getState(), id).running) return false;
  patch(id, () => ({ running: true, runStartedAt: Date.now(), error: null, notice: null }));
  try {
    await api.gates.run({ id });
    await load(id);
    patch(id, () => ({ running: false, runStartedAt: null }));
    return true;
  } catch (error) {
    patch(id, () => ({
      running: false,
      runStartedAt: null,
      error: { action: 'run', message: errorMessage(error) },
    }));
    return false;
  }
}

/* ---- Decisions ---- */

/**
 * Sends one decision. On success the form closes and the state is read again; on failure the
 * error shows and the form stays open with what was typed, so nothing is lost.
 */
async function decide(
  id: string,
  action: ReviewDecision,
  call: () => Promise<string | null>,
): Promise<boolean> {
  if (reviewOf(useReview.getState(), id).deciding) return false;
  patch(id, () => ({ deciding: action, error: null, notice: null }));
  try {
    const notice = await call();
    patch(id, () => ({ deciding: null, notice }));
    useReview.setState((store) => (store.form?.sessionId === id ? { form: null } : {}));
    await load(id);
    return true;
  } catch (error) {
    patch(id, () => ({ deciding: null, error: { action, message: errorMessage(error) } }));
    return false;
  }
}

export function promote(id: string, mode: PromotionMode, removeWorkspace: boolean) {
  return decide(id, 'promote', async () => {
    await api.review.promote({ id, mode, removeWorkspace });
    return null; // The promoted state says it all.
  });
}

export function reject(id: string, reason: string, sendBack: boolean) {
  return decide(id, 'reject', async () => {
    const { sentBack } = await api.review.reject({ id, reason, sendBack });
    return sentBack ? sentBackNotice(sentBack) : null;
  });
}

export function sendBack(id: string, note?: string) {
  const text = note?.trim();
  return decide(id, 'sendBack', async () =>
    sentBackNotice(await api.review.sendBack(text ? { id, note: text } : { id })),
  );
}

export function signOff(id: string) {
  return decide(id, 'signOff', async () => {
    await api.review.signoff({ id });
    return null; // It shows among the sign-offs.
  });
}

/** How the message reached the agent, in words. */
export function sentBackNotice(result: SendBackResult): string {
  return result.delivered === 'restarted'
    ? 'Sent to the agent: it was restarted to receive the message.'
    : 'Sent to the agent: it is typed in when the agent next waits for input.';
}

export function dismissError(id: string): void {
  patch(id, () => ({ error: null }));
}

/* ---- What can be done now ---- */

/**
 * Whether two bindings name the same landing, as main judges it: the same target, tree and diff.
 * The head commit is left out: a new snapshot of unchanged work lands the same change.
 */
export function sameBinding(a: GateBinding, b: GateBinding): boolean {
  return (
    a.targetBranch === b.targetBranch &&
    a.targetCommit === b.targetCommit &&
    a.landingTree === b.landingTree &&
    a.diffHash === b.diffHash
  );
}

/** Why each action cannot be taken now, or null when it can. Main checks again on every call. */
export type Availability = Record<Exclude<ReviewAction, 'load'>, string | null>;

export function availability(review: SessionReview): Availability {
  const { state, running, deciding } = review;
  const busy = deciding ? 'Another decision is on its way.' : null;
  if (!state) {
    const notRead = 'The review has not been read yet.';
    return { run: notRead, promote: notRead, reject: notRead, sendBack: notRead, signOff: notRead };
  }
  if (state.promoted) {
    const done = `Already promoted to ${state.promoted.targetBranch}.`;
    return { run: done, promote: done, reject: done, sendBack: done, signOff: done };
  }
  const current = state.current;
  const signed = current && state.signOffs.some((s) => sameBinding(s.binding, current));
  return {
    run: running ? 'The gates are running.' : null,
    promote:
      (running && 'Wait for the gates to finish.') ||
      (!current && 'Nothing can land until the problem above is solved.') ||
      (state.blockers.length > 0 && 'Promotion is blocked: see why beside the button.') ||
      busy,
    reject: state.rejected ? 'Already rejected.' : busy,
    sendBack: busy,
    // A sign-off is on what the gates checked: main refuses one without current results.
    signOff:
      (!current && 'There is no landing to sign off on.') ||
      (!state.lastRun && 'Run the gates first: a sign-off is on what they checked.') ||
      (state.staleReasons.length > 0 && 'The results are stale: run the gates again first.') ||
      (signed && 'Signed off on this landing already.') ||
      busy,
  };
}

/* ---- The inline forms ---- */

/** Opens a decision's form, with its defaults: squash, keep the workspace, send the reasons. */
export function openForm(kind: ReviewFormKind, sessionId: string): void {
  const form: ReviewForm =
    kind === 'promote'
      ? { kind, sessionId, mode: 'squash', removeWorkspace: false }
      : kind === 'reject'
        ? { kind, sessionId, reason: '', sendBack: true }
        : kind === 'sendBack'
          ? { kind, sessionId, note: '' }
          : { kind, sessionId };
  useReview.setState({ form });
}

export function editForm<K extends ReviewFormKind>(kind: K, fields: FormFields<K>): void {
  useReview.setState((store) =>
    store.form?.kind === kind ? { form: { ...store.form, ...fields } as ReviewForm } : {},
  );
}

export function closeForm(): void {
  useReview.setState({ form: null });
}

/** Enter, or the form's button: sends the open form's decision. */
export async function submitForm(): Promise<boolean> {
  const { form } = useReview.getState();
  if (!form) return false;
  switch (form.kind) {
    case 'promote':
      return promote(form.sessionId, form.mode, form.removeWorkspace);
    case 'reject': {
      const reason = form.reason.trim();
      return reason ? reject(form.sessionId, reason, form.sendBack) : false;
    }
    case 'sendBack':
      return sendBack(form.sessionId, form.note);
    case 'signOff':
      return signOff(form.sessionId);
  }
}
