/**
 * A session's Review view: the gates' last run on what would land, the decisions (promote, send
 * back, reject, sign off) with what stops them, the sign-offs the policy asks for and the signed
 * statements given, the way to a reviewer on another machine (export, import), and the diff that
 * would land with its protected paths marked. Everything shown is main's `gates.status`, read
 * again whenever it changes.
 *
 * ReviewPanel wires the store; ReviewView only draws, so tests can render it from fixtures.
 */
import { useEffect, useRef } from 'react';
import type { ReviewState } from '../../../../shared/gates';
import type { SessionRecord } from '../../../../shared/sessions';
import {
  availability,
  dismissError,
  followReviews,
  load,
  reviewOf,
  runGates,
  showReview,
  useReview,
  type ReviewForm,
  type SessionReview,
  type SigningIdentity,
} from '../../store/review';
import { isLive } from '../../store/sessions';
import { DiffView } from '../diff/DiffView';
import { EscapedText } from '../inbox/EscapedText';
import { Keys } from '../Keys';
import { plural, shortCommit } from './format';
import { GateList } from './GateList';
import { ReviewActions } from './ReviewActions';
import { RemoteReview } from './RemoteReview';
import { ReviewFormView } from './ReviewForms';
import {
  MergedNote,
  ProblemBanner,
  PromotedBanner,
  RejectedBanner,
  ReviewMessages,
  StaleBanner,
} from './ReviewStatus';
import { SignoffRejectedBanner, SignoffSection } from './Signoffs';
import './review.css';

function NoRunYet() {
  return (
    <p className="review-empty" data-testid="gates-not-run">
      The gates have not run on this work yet. Run them <Keys keys={['r']} />: they check exactly
      what would land, in the sandbox.
    </p>
  );
}

/** Listed on their own too: in a diff of hundreds of files a mark is easy to scroll past. */
function ProtectedList({ state }: { state: ReviewState }) {
  const changes = state.protectedChanges;
  if (changes.length === 0) return null;
  return (
    <section
      className="review-protected"
      aria-labelledby="protected-title"
      data-testid="protected-paths"
    >
      <h3 id="protected-title">
        <span aria-hidden="true">⚑ </span>
        {plural(changes.length, 'protected path changes', 'protected paths change')}
      </h3>
      <p className="muted">
        They run or are trusted outside the sandbox later (CI, package scripts, hooks): read them
        yourself, whatever the gates say.
      </p>
      <ul>
        {changes.map((change) => (
          <li key={change.path}>
            {/* The agent names its files: a bidi control must not disguise a workflow's path. */}
            <code dir="ltr">
              <EscapedText text={change.path} />
            </code>{' '}
            <span className="muted">matches</span> <code dir="ltr">{change.pattern}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

function LandingDiff({ state }: { state: ReviewState }) {
  const { promoted } = state;
  // Once landed nothing more would: say where the change is rather than "No diff to show".
  if (promoted)
    return (
      <section className="review-diff" aria-labelledby="landing-title">
        <h3 id="landing-title">What landed</h3>
        <p className="review-empty muted" data-testid="review-landed">
          The change is on <span className="mono">{promoted.targetBranch}</span> now, in commit{' '}
          <code title={promoted.after}>{shortCommit(promoted.after)}</code>:{' '}
          <code>git show {shortCommit(promoted.after)}</code> in the repository shows it.
        </p>
      </section>
    );
  const target = state.current?.targetBranch;
  return (
    <section className="review-diff" aria-labelledby="landing-title">
      <h3 id="landing-title">
        What would land
        {target && (
          <>
            {' '}
            on <span className="mono">{target}</span>
          </>
        )}
      </h3>
      {state.diff ? (
        <div className="review-diff-box">
          <DiffView diff={state.diff} protectedPaths={state.protectedChanges} />
        </div>
      ) : (
        <p className="review-empty muted">
          {state.problem ? 'No diff: see the problem above.' : 'No diff to show.'}
        </p>
      )}
    </section>
  );
}

function ReviewBody(props: {
  sessionId: string;
  state: ReviewState;
  review: SessionReview;
  identity: SigningIdentity;
}) {
  const { sessionId, state, review, identity } = props;
  const stale = state.staleReasons.length > 0;
  return (
    <div className="review-body">
      <PromotedBanner state={state} />
      <RejectedBanner state={state} />
      <SignoffRejectedBanner state={state} />
      <ProblemBanner state={state} />
      <StaleBanner state={state} onRun={() => void runGates(sessionId)} />
      <MergedNote state={state} />
      <SignoffSection state={state} identity={identity} />
      {!state.promoted && (
        <RemoteReview
          sessionId={sessionId}
          review={review}
          exportBlocked={availability(review, identity).export}
        />
      )}
      {state.lastRun ? (
        <GateList
          run={state.lastRun}
          stale={stale}
          signedOff={state.signoff.met && !state.signoff.rejected}
        />
      ) : (
        <NoRunYet />
      )}
      <ProtectedList state={state} />
      <LandingDiff state={state} />
    </div>
  );
}

export interface ReviewViewProps {
  sessionId: string;
  review: SessionReview;
  form: ReviewForm | null;
  identity: SigningIdentity;
  /** The agent still works: what it changes next makes any result stale. */
  live: boolean;
}

export function ReviewView({ sessionId, review, form, identity, live }: ReviewViewProps) {
  const { state } = review;
  return (
    <section className="review-panel" aria-label="Review" data-testid="review-panel">
      <ReviewActions sessionId={sessionId} review={review} identity={identity} />
      <ReviewFormView
        form={form?.sessionId === sessionId ? form : null}
        state={state}
        identity={identity}
        deciding={review.deciding}
      />
      <ReviewMessages review={review} onDismiss={() => dismissError(sessionId)} />
      {live && !state?.promoted && (
        <p className="review-note">
          The agent is still running: the gates check a snapshot of its work, and what it changes
          next makes their results stale.
        </p>
      )}
      {state ? (
        <ReviewBody sessionId={sessionId} state={state} review={review} identity={identity} />
      ) : (
        review.loading && <p className="review-empty muted">Reading the review…</p>
      )}
    </section>
  );
}

/** An ending (or restarting) agent changes the work: read the review again when its state moves. */
function useReloadOnStateChange(session: SessionRecord) {
  // Keyed by session too: opening another session is showReview's load, not a second one here.
  const seen = useRef(`${session.id}:${session.state}`);
  useEffect(() => {
    const now = `${session.id}:${session.state}`;
    const sameSession = seen.current.startsWith(`${session.id}:`);
    if (seen.current === now) return;
    seen.current = now;
    if (sameSession) void load(session.id);
  }, [session.id, session.state]);
}

export function ReviewPanel({ session }: { session: SessionRecord }) {
  const review = useReview((store) => reviewOf(store, session.id));
  const form = useReview((store) => store.form);
  const identity = useReview((store) => store.identity);

  useEffect(followReviews, []);
  useEffect(() => {
    showReview(session.id);
    return () => showReview(null);
  }, [session.id]);
  useReloadOnStateChange(session);

  return (
    <ReviewView
      sessionId={session.id}
      review={review}
      form={form}
      identity={identity}
      live={isLive(session)}
    />
  );
}
