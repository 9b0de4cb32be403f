/**
 * The number of waiting requests beside Inbox in the navigation, on every screen. The badge is
 * for the eye; screen readers hear the link's label instead ("Inbox, 3 waiting").
 */
import { pendingCount, useApprovals } from '../../store/approvals';
import './inbox-count.css';

/** The Inbox link's accessible name while requests wait; undefined keeps its own text. */
export function useInboxLabel(): string | undefined {
  const count = useApprovals(pendingCount);
  return count ? `Inbox, ${count} waiting` : undefined;
}

export function InboxCount() {
  return <CountBadge count={useApprovals(pendingCount)} />;
}

export function CountBadge({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <span className="nav-count" data-testid="inbox-count" aria-hidden="true">
      {count > 999 ? '999+' : count}
    </span>
  );
}
