/**
 * The sign-offs: what the policy asks for (in main's words), whether it is met and what is
 * missing, and every signed statement given, with whether it counts and, when not, why. A
 * statement may come from another machine: its signer's name and reason are shown escaped.
 */
import type { ReviewState } from '../../../../shared/gates';
import type { SignoffStatus, StatementCheck } from '../../../../shared/signoff';
import { formatTime } from '../../format';
import type { SigningIdentity } from '../../store/review';
import { EscapedText } from '../inbox/EscapedText';
import { shortFingerprint } from './format';

/** A statement's weight here: a counting rejection stops promotion, so it stands out most. */
type StatementTone = 'approves' | 'rejects' | 'void';

function toneOf(check: StatementCheck): StatementTone {
  if (!check.counts) return 'void';
  return check.decision === 'approve' ? 'approves' : 'rejects';
}

/** `Ada (lead)`: a signer as the policy knows them. */
function Signer({ signer }: { signer: StatementCheck['signer'] }) {
  return (
    <>
      <strong>
        <EscapedText text={signer.name} />
      </strong>
      {signer.role && (
        <span className="muted">
          {' '}
          (role <EscapedText text={signer.role} />)
        </span>
      )}{' '}
      {signer.fingerprint && (
        <code dir="ltr" title={signer.fingerprint}>
          {shortFingerprint(signer.fingerprint)}
        </code>
      )}
    </>
  );
}

function Decision({ check }: { check: StatementCheck }) {
  const approve = check.decision === 'approve';
  return (
    <span className={`signoff-decision signoff-decision--${check.decision}`}>
      <span aria-hidden="true">{approve ? '✓ ' : '✗ '}</span>
      {approve ? 'Approved' : 'Rejected'}
    </span>
  );
}

/** Whether it counts, in words: the colour only repeats it. */
function Counts({ check }: { check: StatementCheck }) {
  if (check.counts)
    return (
      <span className="signoff-counts signoff-counts--yes" data-testid="statement-counts">
        counts
      </span>
    );
  return (
    <span className="signoff-counts signoff-counts--no" data-testid="statement-counts">
      does not count: <EscapedText text={check.why} />
    </span>
  );
}

function Statement({ check, own }: { check: StatementCheck; own: boolean }) {
  const tone = toneOf(check);
  return (
    <li
      className={`signoff-statement signoff-statement--${tone}`}
      data-testid="signoff-statement"
      data-counts={check.counts}
    >
      <div className="signoff-line">
        <Decision check={check} /> by <Signer signer={check.signer} />
        {own && <span className="tag">you</span>}
        {check.signedAt && <span className="muted">, {formatTime(check.signedAt)}</span>}
      </div>
      {check.reason && (
        <p className="signoff-reason">
          Reason: <EscapedText text={check.reason} />
        </p>
      )}
      <p className="signoff-verdict">
        <Counts check={check} />
        {check.seq !== null && <span className="muted"> · audit event #{check.seq}</span>}
      </p>
    </li>
  );
}

/** What the policy asks, and what is still missing. */
function Requirements({ signoff, landing }: { signoff: SignoffStatus; landing: boolean }) {
  // Without a landing main checks nothing, and says so with an empty status: not "none asked".
  if (!landing && signoff.requirements.length === 0)
    return <p className="muted">Sign-offs are checked against what would land: see above.</p>;
  if (signoff.requirements.length === 0)
    return <p className="muted">The policy asks for no sign-off.</p>;
  return (
    <>
      <p className="signoff-asked">The policy asks for:</p>
      <ul data-testid="signoff-requirements">
        {signoff.requirements.map((requirement, index) => (
          <li key={index}>
            <EscapedText text={requirement} />
          </li>
        ))}
      </ul>
      {signoff.missing.length > 0 && (
        <>
          <p className="signoff-asked">Still missing:</p>
          <ul className="signoff-missing" data-testid="signoff-missing">
            {signoff.missing.map((missing, index) => (
              <li key={index}>
                <EscapedText text={missing} />
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function MetBadge({ signoff }: { signoff: SignoffStatus }) {
  if (signoff.requirements.length === 0 && signoff.missing.length === 0) return null;
  return (
    <span
      className={`signoff-met signoff-met--${signoff.met ? 'yes' : 'no'}`}
      data-testid="signoff-met"
    >
      <span aria-hidden="true">{signoff.met ? '✓ ' : '✗ '}</span>
      {signoff.met ? 'met' : 'not met'}
    </span>
  );
}

/** Who the person signs as, or how to become someone who can sign (the buttons point here). */
function IdentityNote({ identity }: { identity: SigningIdentity }) {
  if (identity === undefined) return null;
  if (identity === null)
    return (
      <p className="signoff-identity" id="signoff-identity-note" data-testid="no-identity">
        You have no signing identity, so you cannot sign off or sign a rejection: run{' '}
        <code>paddock identity create NAME</code> in a terminal, then Refresh.
      </p>
    );
  return (
    <p className="signoff-identity muted" id="signoff-identity-note">
      You sign as <EscapedText text={identity.name} />{' '}
      <code dir="ltr" title={identity.fingerprint}>
        {shortFingerprint(identity.fingerprint)}
      </code>
      .
    </p>
  );
}

export function SignoffSection({
  state,
  identity,
}: {
  state: ReviewState;
  identity: SigningIdentity;
}) {
  const { signoff } = state;
  const mine = identity?.fingerprint;
  // Once landed, main no longer checks sign-offs: the promotion banner says what happened.
  if (state.promoted) return null;
  return (
    <section className="review-signoffs" aria-labelledby="signoffs-title" data-testid="signoffs">
      <h3 id="signoffs-title">
        Sign-offs <MetBadge signoff={signoff} />
      </h3>
      <Requirements signoff={signoff} landing={state.current !== null} />
      <IdentityNote identity={identity} />
      {signoff.statements.length === 0 ? (
        <p className="muted">No signed statements yet.</p>
      ) : (
        <ul className="signoff-statements" aria-label="Signed statements">
          {signoff.statements.map((check, index) => (
            <Statement
              key={check.seq ?? `unrecorded-${index}`}
              check={check}
              own={mine !== undefined && check.signer.fingerprint === mine}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

/** A counting rejection stops promotion: shown at the top, not only in the list. */
export function SignoffRejectedBanner({ state }: { state: ReviewState }) {
  const rejections = state.signoff.statements.filter(
    (check) => check.counts && check.decision === 'reject',
  );
  if (!state.signoff.rejected || rejections.length === 0) return null;
  return (
    <div className="banner banner--bad review-banner" role="alert" data-testid="signoff-rejected">
      {rejections.map((check, index) => (
        <p key={check.seq ?? index}>
          <strong>Rejected in a signed statement</strong> by <Signer signer={check.signer} />
          {check.signedAt && `, ${formatTime(check.signedAt)}`}
          {check.reason && (
            <>
              : <EscapedText text={check.reason} />
            </>
          )}
        </p>
      ))}
      <p>
        Nothing lands while it counts: until the same person signs a later approval, or the change
        itself changes.
      </p>
    </div>
  );
}
