/**
 * One request: what is asked (whole, escaped), by which agent in which session, how risky, why
 * the policy sent it here, the time left, and the terminal before it. Pending rows carry their
 * actions; settled rows stay with their outcome. Memoised: a ticking clock or a new request
 * elsewhere should not re-render every row.
 */
import { memo } from 'react';
import type { ApprovalRequest } from '../../../../shared/approvals';
import { countEscaped } from '../../escape-text';
import {
  askAllowProject,
  askDenyReason,
  decide,
  focus,
  toggleContext,
  toggleSelected,
} from '../../store/approvals';
import { openReview } from '../../store/sessions';
import { Keys } from '../Keys';
import { EscapedText } from './EscapedText';
import { Outcome, TimeLeft } from './Outcome';

interface ApprovalRowProps {
  request: ApprovalRequest;
  focused: boolean;
  selected: boolean;
  deciding: boolean;
  contextOpen: boolean;
}

const RISK_LABEL = { low: 'low risk', medium: 'medium risk', high: 'high risk' } as const;

/**
 * A review request asks to promote a session's work: allowing it promotes, denying it rejects.
 * Its row opens the review itself (the gates, the diff), and offers no wider scope: a promotion
 * is one decision about one change.
 */
function ReviewActions({ request }: { request: ApprovalRequest }) {
  const ids = [request.id];
  return (
    <div className="approval-actions" role="group" aria-label="Answer this review request">
      <button
        type="button"
        className="button button--primary"
        onClick={() => openReview(request.sessionId)}
      >
        Open review <Keys keys={['o']} />
      </button>
      <button type="button" className="button" onClick={() => void decide(ids, true, 'once')}>
        Allow: promote <Keys keys={['a']} />
      </button>
      <button type="button" className="button" onClick={() => void decide(ids, false)}>
        Deny: reject <Keys keys={['d']} />
      </button>
      <button type="button" className="button" onClick={() => askDenyReason(ids)}>
        Reject with a reason… <Keys keys={['r']} />
      </button>
    </div>
  );
}

/** Mouse users get the same decisions as the keys, for this row alone. */
function RowActions({ request, deciding }: { request: ApprovalRequest; deciding: boolean }) {
  const ids = [request.id];
  if (deciding) return <p className="approval-actions muted">Sending…</p>;
  if (request.kind === 'review') return <ReviewActions request={request} />;
  return (
    <div className="approval-actions" role="group" aria-label="Answer this request">
      <button type="button" className="button" onClick={() => void decide(ids, true, 'once')}>
        Allow once <Keys keys={['a']} />
      </button>
      <button type="button" className="button" onClick={() => void decide(ids, true, 'session')}>
        Allow for this session <Keys keys={['s']} />
      </button>
      {request.projectPath !== '' && (
        <button type="button" className="button" onClick={() => askAllowProject(ids)}>
          Allow for the project… <Keys keys={['p']} />
        </button>
      )}
      <button type="button" className="button" onClick={() => void decide(ids, false)}>
        Deny <Keys keys={['d']} />
      </button>
      <button type="button" className="button" onClick={() => askDenyReason(ids)}>
        Deny with a reason… <Keys keys={['r']} />
      </button>
    </div>
  );
}

function Input({ request }: { request: ApprovalRequest }) {
  return (
    <div className="approval-input">
      <span className="approval-label">
        {request.tool ? (
          <>
            Input to <EscapedText text={request.tool} />
          </>
        ) : (
          'Input'
        )}
      </span>
      <pre dir="ltr">
        <EscapedText text={request.input} />
      </pre>
    </div>
  );
}

function Context({ request, open }: { request: ApprovalRequest; open: boolean }) {
  if (!request.context) return null;
  return (
    <details
      className="approval-context"
      open={open}
      // Keeps the store in step with the native toggle, so `c` and a click agree.
      onToggle={(event) => {
        if (event.currentTarget.open !== open) toggleContext(request.id);
      }}
    >
      <summary>
        Terminal before the request <Keys keys={['c']} />
      </summary>
      {open && (
        <pre dir="ltr">
          <EscapedText text={request.context} crlfAsNewline />
        </pre>
      )}
    </details>
  );
}

export const ApprovalRow = memo(function ApprovalRow(props: ApprovalRowProps) {
  const { request, focused, selected, deciding, contextOpen } = props;
  const pending = request.state === 'pending';
  const hidden = countEscaped(request.subject) + countEscaped(request.input);
  const className = [
    'approval-row',
    `approval-row--${request.state}`,
    focused && 'is-focused',
    selected && 'is-selected',
    deciding && 'is-deciding',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <li
      className={className}
      data-testid="approval-row"
      data-id={request.id}
      data-state={request.state}
      aria-busy={deciding || undefined}
      // Focus anywhere in the row (Tab, a click) makes it the row the keys act on.
      onFocus={() => focus(request.id)}
    >
      <div className="approval-line">
        {/* A button, not a checkbox input: a focused input would swallow the inbox's keys. */}
        <button
          type="button"
          role="checkbox"
          className="approval-check"
          aria-checked={selected}
          aria-label={`Select request ${request.id}`}
          // Out of the Tab order: Space and x select the row the keyboard is on.
          tabIndex={-1}
          disabled={!pending}
          onClick={() => toggleSelected(request.id)}
        >
          {selected ? '✓' : ''}
        </button>
        <button
          type="button"
          className="approval-head"
          aria-current={focused || undefined}
          onClick={() => focus(request.id)}
        >
          <span className={`state-badge state-badge--${request.state}`}>{request.state}</span>
          <span className={`risk-badge risk-badge--${request.risk}`}>
            {RISK_LABEL[request.risk]}
          </span>
          <span className="tag">{request.kind}</span>
          <code className="approval-subject" dir="ltr">
            <EscapedText text={request.subject} />
          </code>
        </button>
        {pending && <TimeLeft expiresAt={request.expiresAt} />}
      </div>
      <div className="approval-body">
        <p className="approval-meta muted">
          <span className="mono">{request.sessionId}</span> · {request.agent} ·{' '}
          <span className="mono">{request.projectPath}</span>
          {hidden > 0 && (
            <span
              className="tag tag--warn"
              title="Control, bidi or invisible characters are shown as marked escapes"
            >
              {hidden} hidden {hidden === 1 ? 'character' : 'characters'} shown
            </span>
          )}
        </p>
        {!pending && <Outcome request={request} />}
        <p className="approval-reason">
          <span className="approval-label">Why it asks</span> <EscapedText text={request.reason} />
        </p>
        {request.kind === 'review' && (
          <p className="approval-review-note" data-testid="review-request-note">
            A review: <strong>allow promotes</strong> the session’s work to its branch,{' '}
            <strong>deny rejects</strong> it. Open the review to see the gates and the diff first.
          </p>
        )}
        {pending ? (
          <Input request={request} />
        ) : (
          <details className="approval-asked">
            <summary>What was asked</summary>
            <Input request={request} />
          </details>
        )}
        <Context request={request} open={contextOpen} />
        {pending && <RowActions request={request} deciding={deciding} />}
      </div>
    </li>
  );
});
