/**
 * The review's buttons, each with its key: run the gates (r), promote (p), send back (b), reject
 * (x), sign off (s: a signed approval). A button says when its call is on its way; a disabled one
 * says why in its tooltip, and Promote lists the blockers beside itself. Only running the gates
 * acts at once: every decision opens a form first (see ReviewForms). Export (e) sits with the
 * import in its own section (RemoteReview), beside what it is for.
 */
import { useEffect, useState } from 'react';
import type { ReviewState } from '../../../../shared/gates';
import {
  availability,
  NO_IDENTITY,
  openForm,
  refresh,
  runGates,
  type ReviewFormKind,
  type SessionReview,
  type SigningIdentity,
} from '../../store/review';
import { EscapedText } from '../inbox/EscapedText';
import { Keys } from '../Keys';
import { formatClock } from './format';

/** Re-renders every second while mounted: the clock of a gate run. */
function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** A gate run takes minutes: the bar moves and the clock ticks, so it plainly has not hung. */
function RunProgress({ startedAt }: { startedAt: number | null }) {
  const now = useNow();
  return (
    <span className="review-progress" role="status" data-testid="gates-running">
      <progress aria-label="Running the gates" />
      Running the gates{startedAt !== null && ` · ${formatClock(now - startedAt)}`}
    </span>
  );
}

function FormButton(props: {
  sessionId: string;
  kind: ReviewFormKind;
  label: string;
  sending: string;
  keyName: string;
  blockedBecause: string | null;
  busy: boolean;
  className?: string;
  describedBy?: string;
}) {
  const { sessionId, kind, label, sending, keyName, blockedBecause, busy } = props;
  return (
    <button
      type="button"
      className={props.className ? `button ${props.className}` : 'button'}
      disabled={blockedBecause !== null}
      title={blockedBecause ?? undefined}
      aria-describedby={props.describedBy}
      aria-busy={busy || undefined}
      data-testid={`review-${kind}`}
      onClick={() => openForm(kind, sessionId)}
    >
      {busy ? sending : label} <Keys keys={[keyName]} />
    </button>
  );
}

/** Why promotion refuses now, next to the (disabled) button. */
function Blockers({ state }: { state: ReviewState }) {
  if (state.blockers.length === 0) return null;
  return (
    <div className="review-blockers" id="review-blockers" data-testid="review-blockers">
      <strong>Cannot promote yet:</strong>
      <ul>
        {state.blockers.map((blocker, index) => (
          <li key={index}>
            <EscapedText text={blocker} />
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ReviewActions(props: {
  sessionId: string;
  review: SessionReview;
  identity: SigningIdentity;
}) {
  const { sessionId, review, identity } = props;
  const why = availability(review, identity);
  const { state, running, deciding, loading } = review;
  const blocked = state !== null && state.blockers.length > 0;
  return (
    <div className="review-actions" role="group" aria-label="Review actions">
      <div className="toolbar review-toolbar">
        <button
          type="button"
          className="button"
          disabled={why.run !== null}
          title={why.run ?? undefined}
          aria-busy={running || undefined}
          data-testid="review-run"
          onClick={() => void runGates(sessionId)}
        >
          {running ? 'Running…' : state?.lastRun ? 'Run the gates again' : 'Run the gates'}{' '}
          <Keys keys={['r']} />
        </button>
        {running && <RunProgress startedAt={review.runStartedAt} />}
        <span className="review-toolbar-gap" />
        <FormButton
          sessionId={sessionId}
          kind="sendBack"
          label="Send back…"
          sending="Sending…"
          keyName="b"
          blockedBecause={why.sendBack}
          busy={deciding === 'sendBack'}
        />
        <FormButton
          sessionId={sessionId}
          kind="reject"
          label="Reject…"
          sending="Rejecting…"
          keyName="x"
          blockedBecause={why.reject}
          busy={deciding === 'reject'}
        />
        <FormButton
          sessionId={sessionId}
          kind="signOff"
          label="Sign off…"
          sending="Signing…"
          keyName="s"
          blockedBecause={why.signOff}
          busy={deciding === 'signOff'}
          // Without an identity the tooltip is not enough: the Sign-offs section says what to run.
          describedBy={why.signOff === NO_IDENTITY ? 'signoff-identity-note' : undefined}
        />
        <button
          type="button"
          className="button"
          disabled={loading}
          onClick={() => void refresh(sessionId)}
        >
          {loading ? 'Reading…' : 'Refresh'}
        </button>
      </div>
      {!state?.promoted && (
        <div className="review-promote">
          <FormButton
            sessionId={sessionId}
            kind="promote"
            label="Promote…"
            sending="Promoting…"
            keyName="p"
            blockedBecause={why.promote}
            busy={deciding === 'promote'}
            className="button--primary"
            describedBy={blocked ? 'review-blockers' : undefined}
          />
          {state && <Blockers state={state} />}
          {state && !blocked && why.promote === null && state.current && (
            <span className="muted" data-testid="review-ready">
              Ready to land on <span className="mono">{state.current.targetBranch}</span>.
            </span>
          )}
        </div>
      )}
    </div>
  );
}
