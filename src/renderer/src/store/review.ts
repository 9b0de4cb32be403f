/**
 * The Review view's state: each session's ReviewState as `gates.status` last gave it, what is on
 * its way for it (a gate run, which takes minutes, one of the decisions, or a review bundle or
 * statement going out or coming in), the last error and the last notice, the one inline form open
 * (promote, reject, send back, sign off), and the person's signing identity (`identity.show`).
 *
 * Main is the judge of every rule (what blocks a promotion, when results are stale): this store
 * only shows what it says, and reads `gates.status` again after each call and on `review.changed`
 * for the session on show, so the view never keeps its own idea of the state.
 */
import { create } from 'zustand';
import type { ReviewImport } from '../../../shared/contract';
import type { PromotionMode, ReviewState, SendBackResult } from '../../../shared/gates';
import type { IdentityInfo, SignoffStatus, StatementCheck } from '../../../shared/signoff';
import { api, useConnection } from '../api/connection';
import { saveTextFile } from '../download';
import { errorMessage, formatTime } from '../format';

/**
 * What a person can ask of a review; `load` is reading `gates.status`, `export` and `import` carry
 * a review to a reviewer on another machine and their signed statement back.
 */
export type ReviewAction =
  'load' | 'run' | 'promote' | 'reject' | 'sendBack' | 'signOff' | 'export' | 'import';
/** The decisions, sent one at a time (a gate run may go on beside them). */
export type ReviewDecision = Exclude<ReviewAction, 'load' | 'run' | 'export' | 'import'>;
/** A review bundle going out, or a statement (or bundle) coming in. */
export type ReviewExchange = Extract<ReviewAction, 'export' | 'import'>;

/** The inline question a decision asks before it is sent. */
export type ReviewForm =
  | { kind: 'promote'; sessionId: string; mode: PromotionMode; removeWorkspace: boolean }
  | { kind: 'reject'; sessionId: string; reason: string; sendBack: boolean; sign: boolean }
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
  /** A bundle being exported, or a file being imported. */
  exchanging: ReviewExchange | null;
  /** What the last import took in (a statement and how it counts, or a bundle to sign). */
  imported: ReviewImport | null;
}

/**
 * The person's signing identity: undefined until `identity.show` answers (or when it failed: main
 * then judges a signing call itself), null when they have none.
 */
export type SigningIdentity = IdentityInfo | null | undefined;

interface ReviewStore {
  bySession: ReadonlyMap<string, SessionReview>;
  /** The session whose review is on show: `review.changed` for it is read at once. */
  shownId: string | null;
  form: ReviewForm | null;
  identity: SigningIdentity;
}

export const EMPTY_REVIEW: SessionReview = {
  state: null,
  loading: false,
  running: false,
  runStartedAt: null,
  deciding: null,
  error: null,
  notice: null,
  exchanging: null,
  imported: null,
};

export function emptyReviews(): ReviewStore {
  return { bySession: new Map(), shownId: null, form: null, identity: undefined };
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

/**
 * Reads the person's signing identity: it decides whether they can sign, and which statements are
 * their own. Read with the review, not on every change: it is made in a terminal, rarely.
 */
export async function loadIdentity(): Promise<void> {
  try {
    useReview.setState({ identity: await api.identity.show({}) });
  } catch {
    // Unknown, not "none": signing stays offered and main answers whether it can be done.
    useReview.setState({ identity: undefined });
  }
}

/** The review on show: read it (and the identity) now, and again whenever `review.changed` names it. */
export function showReview(id: string | null): void {
  useReview.setState((store) => ({
    shownId: id,
    // A form belongs to the session it was opened on.
    form: store.form && store.form.sessionId === id ? store.form : null,
  }));
  if (id) void Promise.all([load(id), loadIdentity()]);
}

/** The Refresh button: the review, and the identity (it may have been made since). */
export async function refresh(id: string): Promise<void> {
  await Promise.all([load(id), loadIdentity()]);
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
    if (shownId && state.state === 'open' && previous.state !== 'open') void refresh(shownId);
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

/**
 * Rejects; with `sign`, also signs the rejection with the person's identity. The signing comes
 * first: it is about the change as it is now, before a send-back lets the agent change it, and a
 * refusal (no identity) then leaves nothing half done.
 */
export function reject(id: string, reason: string, sendBack: boolean, sign = false) {
  return decide(id, 'reject', async () => {
    const signed = sign ? await api.review.sign({ id, decision: 'reject', reason }) : null;
    // Signed once is enough: if the rejection fails now, sending the form again only rejects.
    if (signed) editForm('reject', { sign: false });
    let sentBack: SendBackResult | null;
    try {
      ({ sentBack } = await api.review.reject({ id, reason, sendBack }));
    } catch (error) {
      if (!signed) throw error;
      throw new Error(
        `your signed rejection was recorded, but the rejection itself was not: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    const notices = [signed && signedNotice(signed.check), sentBack && sentBackNotice(sentBack)];
    return notices.filter(Boolean).join(' ') || null;
  });
}

export function sendBack(id: string, note?: string) {
  const text = note?.trim();
  return decide(id, 'sendBack', async () =>
    sentBackNotice(await api.review.sendBack(text ? { id, note: text } : { id })),
  );
}

/** Signs an approval of the change as it is now, with the person's identity. */
export function signOff(id: string) {
  return decide(id, 'signOff', async () => {
    const { check } = await api.review.sign({ id, decision: 'approve' });
    return signedNotice(check);
  });
}

/** Whether what was just signed counts here, in words (it also shows among the sign-offs). */
export function signedNotice(check: StatementCheck): string {
  const what = check.decision === 'approve' ? 'Signed your approval' : 'Signed your rejection';
  return check.counts
    ? `${what}: it counts.`
    : `${what}, but it does not count here: ${check.why}.`;
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

/* ---- A reviewer on another machine ---- */

/** The file a bundle is saved as: `paddock review import FILE` on the reviewer's machine. */
export function bundleFileName(sessionId: string): string {
  return `${sessionId}.paddock-review`;
}

/** Runs a bundle's export or a file's import, one at a time per session. */
async function exchange(
  id: string,
  action: ReviewExchange,
  call: () => Promise<Partial<SessionReview>>,
): Promise<boolean> {
  if (reviewOf(useReview.getState(), id).exchanging) return false;
  // A new import's answer replaces the last one's; an export leaves it in view.
  const cleared = action === 'import' ? { imported: null } : {};
  patch(id, () => ({ exchanging: action, error: null, notice: null, ...cleared }));
  try {
    const result = await call();
    patch(id, () => ({ exchanging: null, ...result }));
    return true;
  } catch (error) {
    patch(id, () => ({ exchanging: null, error: { action, message: errorMessage(error) } }));
    return false;
  }
}

/** Exports the change as a review bundle and offers it as a download. */
export function exportForReview(id: string) {
  return exchange(id, 'export', async () => {
    const { bundle, sessionId } = await api.review.export({ id });
    const name = bundleFileName(sessionId);
    saveTextFile(name, bundle, 'application/json');
    return { notice: `Saved ${name}: send it to the reviewer.` };
  });
}

/**
 * Takes in a file (a signed statement coming back, or a bundle), then reads the review again. The
 * file is read here, so a file that cannot be read shows as this import's error too.
 */
export function importReviewFile(id: string, source: string | Blob) {
  return exchange(id, 'import', async () => {
    const text = typeof source === 'string' ? source : await source.text();
    const imported = await api.review.import({ text });
    // It shows among the sign-offs at once (review.changed would say so too, a moment later).
    if (imported.kind === 'statement' && imported.sessionId === id) await load(id);
    return { imported };
  });
}

/* ---- What can be done now ---- */

/** Why each action cannot be taken now, or null when it can. Main checks again on every call. */
export type Availability = Record<Exclude<ReviewAction, 'load' | 'import'>, string | null>;

/** What the sign-off button says when there is no key to sign with. */
export const NO_IDENTITY = 'Make a signing identity first: paddock identity create NAME';

/** Main's words for a statement about something other than the change as it is now. */
const ABOUT_ANOTHER = /^about another /;

/**
 * The person's own approval of this change, if their latest genuine statement about it is one: a
 * later rejection of theirs supersedes it, and they may then approve again.
 */
export function ownApproval(
  signoff: SignoffStatus,
  identity: SigningIdentity,
): StatementCheck | null {
  if (!identity) return null;
  const own = signoff.statements.filter(
    (check) =>
      check.genuine &&
      check.signer.fingerprint === identity.fingerprint &&
      !ABOUT_ANOTHER.test(check.why),
  );
  const latest = own.reduce<StatementCheck | null>(
    (held, check) =>
      !held || Date.parse(check.signedAt) >= Date.parse(held.signedAt) ? check : held,
    null,
  );
  return latest?.decision === 'approve' ? latest : null;
}

export function availability(review: SessionReview, identity: SigningIdentity): Availability {
  const { state, running, deciding, exchanging } = review;
  const busy = deciding ? 'Another decision is on its way.' : null;
  if (!state) {
    const notRead = 'The review has not been read yet.';
    return {
      run: notRead,
      promote: notRead,
      reject: notRead,
      sendBack: notRead,
      signOff: notRead,
      export: notRead,
    };
  }
  if (state.promoted) {
    const done = `Already promoted to ${state.promoted.targetBranch}.`;
    return { run: done, promote: done, reject: done, sendBack: done, signOff: done, export: done };
  }
  const current = state.current;
  const approved = ownApproval(state.signoff, identity);
  return {
    run: running ? 'The gates are running.' : null,
    promote:
      (running && 'Wait for the gates to finish.') ||
      (!current && 'Nothing can land until the problem above is solved.') ||
      (state.blockers.length > 0 && 'Promotion is blocked: see why beside the button.') ||
      busy,
    reject: state.rejected ? 'Already rejected.' : busy,
    sendBack: busy,
    // An approval is of what the gates checked: main refuses one without current results.
    signOff:
      (!current && 'There is no landing to sign off on.') ||
      (identity === null && NO_IDENTITY) ||
      (!state.lastRun && 'Run the gates first: a sign-off is on what they checked.') ||
      (state.staleReasons.length > 0 && 'The results are stale: run the gates again first.') ||
      (approved && `You approved this change already (${formatTime(approved.signedAt)}).`) ||
      busy,
    export:
      (!current && 'There is no landing to export: see the problem above.') ||
      (exchanging && 'An export or import is on its way.') ||
      null,
  };
}

/* ---- The inline forms ---- */

/**
 * Opens a decision's form, with its defaults: squash, keep the workspace, send the reasons, and
 * sign a rejection when the person has an identity to sign with.
 */
export function openForm(kind: ReviewFormKind, sessionId: string): void {
  const form: ReviewForm =
    kind === 'promote'
      ? { kind, sessionId, mode: 'squash', removeWorkspace: false }
      : kind === 'reject'
        ? { kind, sessionId, reason: '', sendBack: true, sign: !!useReview.getState().identity }
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
      return reason ? reject(form.sessionId, reason, form.sendBack, form.sign) : false;
    }
    case 'sendBack':
      return sendBack(form.sessionId, form.note);
    case 'signOff':
      return signOff(form.sessionId);
  }
}
