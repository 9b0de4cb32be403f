/**
 * What the review says about itself, above the gates: how it ended (promoted, rejected), why
 * nothing can land (a problem), that the gates ran on a merge, that their results are stale, and
 * the answer to the last thing the person did. The sign-offs have their own section (Signoffs).
 */
import type { ReviewState } from '../../../../shared/gates';
import { formatTime } from '../../format';
import type { ReviewAction, SessionReview } from '../../store/review';
import { EscapedText } from '../inbox/EscapedText';
import { Keys } from '../Keys';
import { shortCommit } from './format';

export function PromotedBanner({ state }: { state: ReviewState }) {
  const { promoted } = state;
  if (!promoted) return null;
  return (
    <div className="banner review-banner review-banner--ok" data-testid="review-promoted">
      <strong>
        Promoted to <span className="mono">{promoted.targetBranch}</span>
      </strong>{' '}
      ({promoted.mode === 'squash' ? 'squashed into one commit' : 'merged'}):{' '}
      <code title={promoted.before}>{shortCommit(promoted.before)}</code> →{' '}
      <code title={promoted.after}>{shortCommit(promoted.after)}</code>, {formatTime(promoted.at)}.
      <p>
        {promoted.checkoutUpdated
          ? `Your checkout was on ${promoted.targetBranch} and clean: it was fast-forwarded.`
          : `Your checkout was left alone (not on ${promoted.targetBranch}, or not clean): update it when you are ready.`}{' '}
        {promoted.workspaceRemoved
          ? 'The session’s workspace was removed.'
          : 'The session’s workspace is kept.'}
      </p>
    </div>
  );
}

export function RejectedBanner({ state }: { state: ReviewState }) {
  const { rejected } = state;
  if (!rejected) return null;
  return (
    <div className="banner banner--bad review-banner" data-testid="review-rejected">
      <strong>Rejected</strong> by {rejected.by}, {formatTime(rejected.at)}:{' '}
      <EscapedText text={rejected.reason} />
    </div>
  );
}

/** The landing cannot be computed (a merge conflict, a missing branch): nothing can land. */
export function ProblemBanner({ state }: { state: ReviewState }) {
  if (!state.problem) return null;
  return (
    <div className="banner banner--bad review-banner" role="alert" data-testid="review-problem">
      <strong>Nothing can land as it is:</strong> <EscapedText text={state.problem} />
      <p>
        Send it back to the agent <Keys keys={['b']} /> to bring its work up to date with the target
        branch (or fix it in the workspace yourself), then run the gates again <Keys keys={['r']} />
        .
      </p>
    </div>
  );
}

/** The target moved since the session began: what was checked is the merge, not the branch. */
export function MergedNote({ state }: { state: ReviewState }) {
  const ranOnMerge = state.lastRun?.merged ?? false;
  if (!ranOnMerge && !state.merged) return null;
  const target = state.current?.targetBranch ?? state.lastRun?.binding.targetBranch ?? 'target';
  return (
    <p className="review-note" data-testid="review-merged">
      <strong>The target moved:</strong> <span className="mono">{target}</span> has commits the
      session did not start from, so{' '}
      {ranOnMerge
        ? 'the gates ran on the merge of the work with it: that merge is what would land.'
        : 'the gates will run on the merge of the work with it: that merge is what would land.'}
    </p>
  );
}

export function StaleBanner({ state, onRun }: { state: ReviewState; onRun: () => void }) {
  if (!state.lastRun || state.staleReasons.length === 0) return null;
  return (
    <div className="banner banner--pending review-banner" role="alert" data-testid="review-stale">
      {/* Reasons may name the agent's files: shown escaped like everything from the work. */}
      <strong>These results are stale:</strong> <EscapedText text={state.staleReasons.join('; ')} />
      . Run the gates again.{' '}
      <button type="button" className="button" onClick={onRun}>
        Run the gates again <Keys keys={['r']} />
      </button>
    </div>
  );
}

/** What failed, and what to do next; the call's own message is shown whole. */
const FAILURES: Record<ReviewAction, { what: string; next: string }> = {
  load: { what: 'Could not read the review', next: 'Refresh to try again.' },
  run: {
    what: 'The gates could not run',
    next: 'Fix what the message names, then run the gates again (r).',
  },
  promote: {
    what: 'Not promoted',
    next: 'Nothing landed. Check the blockers, run the gates again if they are stale, then promote again.',
  },
  reject: { what: 'Not rejected', next: 'Your reason is kept in the form: send it again.' },
  sendBack: {
    what: 'Not sent to the agent',
    next: 'Check that the session can take a message (restart it if it ended), then send again.',
  },
  signOff: {
    what: 'Not signed off',
    next: 'Nothing was signed. Read the review again (Refresh) and sign off on what would land now.',
  },
  export: {
    what: 'Not exported',
    next: 'Nothing was saved. Fix what the message names, then export again (e).',
  },
  import: {
    what: 'Not taken in',
    next: 'Nothing was recorded. Choose the file the reviewer sent back (from paddock review sign --out FILE).',
  },
};

export function ReviewMessages({
  review,
  onDismiss,
}: {
  review: SessionReview;
  onDismiss: () => void;
}) {
  const { error, notice } = review;
  return (
    <>
      {error && (
        <div className="review-error" role="alert" data-testid="review-error">
          <span>
            <strong>{FAILURES[error.action].what}:</strong> <EscapedText text={error.message} />{' '}
            {FAILURES[error.action].next}
          </span>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
            ✕
          </button>
        </div>
      )}
      {/* Always in the page, so a screen reader hears a notice when it arrives. */}
      <p className="review-notice" role="status" data-testid="review-notice">
        {notice}
      </p>
    </>
  );
}
