/** The right-hand side of a row: the time left while pending, the outcome once settled. */
import { useEffect, useState } from 'react';
import type { ApprovalRequest, ApprovalScope } from '../../../../shared/approvals';
import { EscapedText } from './EscapedText';
import { formatDuration, formatTimeLeft, URGENT_MS } from './time';

/** Re-renders every second while mounted: only this small part of a row ticks. */
function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function TimeLeft({ expiresAt }: { expiresAt: string }) {
  const now = useNow(1000);
  const left = formatTimeLeft(expiresAt, now);
  const urgent = Date.parse(expiresAt) - now <= URGENT_MS;
  return (
    <span
      className={`approval-time${urgent ? ' is-urgent' : ''}`}
      title={`Denied automatically at ${new Date(expiresAt).toLocaleString()} if nobody answers`}
      data-testid="approval-time-left"
    >
      {left ? `${left} left` : 'expiring…'}
    </span>
  );
}

const ALLOWED: Record<ApprovalScope, string> = {
  once: 'Allowed once',
  session: 'Allowed for this session',
  project: 'Allowed for the project',
};

/**
 * A review request allowed is a promotion. A denied one stays "Denied": main also withdraws an
 * outdated review item as a denial (its reason says so), which rejected nothing.
 */
function decisionWords(request: ApprovalRequest, allow: boolean, scope: ApprovalScope): string {
  if (!allow) return 'Denied';
  return request.kind === 'review' ? 'Allowed: promote' : ALLOWED[scope];
}

/** State, scope, who decided, why, and how long it waited. */
export function Outcome({ request }: { request: ApprovalRequest }) {
  const { decision } = request;
  if (request.state === 'expired' || !decision) {
    const waited = Date.parse(request.expiresAt) - Date.parse(request.createdAt);
    return (
      <p className="approval-outcome" data-testid="approval-outcome">
        <strong>Expired</strong> unanswered after {formatDuration(waited)}, so it was denied.
      </p>
    );
  }
  return (
    <p className="approval-outcome" data-testid="approval-outcome">
      <strong className={decision.allow ? 'outcome-allowed' : 'outcome-denied'}>
        {decisionWords(request, decision.allow, decision.scope)}
      </strong>{' '}
      by {decision.by} after {formatDuration(decision.waitedMs)}
      {decision.reason && (
        <>
          : <EscapedText text={decision.reason} />
        </>
      )}
    </p>
  );
}
