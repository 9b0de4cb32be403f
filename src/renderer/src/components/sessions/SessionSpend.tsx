/**
 * What a session's model calls have cost so far, in its header: dollars over the priced calls,
 * how many calls, and how many were of a model the price table does not know (their cost is
 * unknown, never shown as $0). Read once, then again whenever a call of this session is recorded.
 */
import { useEffect, useState } from 'react';
import type { SpendTotals } from '../../../../shared/costs';
import { USAGE_EVENT } from '../../../../shared/costs';
import { api } from '../../api/connection';
import { spendText } from './spend';

/** Calls often finish in bursts: one read per this long at most. */
const REREAD_MS = 500;

export function SessionSpend({ sessionId }: { sessionId: string }) {
  const [spend, setSpend] = useState<SpendTotals | null>(null);
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const read = () => {
      timer = null;
      api.costs
        .spend({ sessionId })
        .then((totals) => !cancelled && setSpend(totals))
        .catch(() => undefined); // the header stays as it was; the connection banner says why
    };
    read();
    const stop = api.on('audit.appended', (events) => {
      if (timer || !events.some((e) => e.kind === USAGE_EVENT && e.sessionId === sessionId)) return;
      timer = setTimeout(read, REREAD_MS);
    });
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
      stop();
    };
  }, [sessionId]);
  const shown = spend && spendText(spend);
  if (!spend || !shown) return null;
  const { tokens } = spend;
  return (
    <>
      {' · '}
      <span
        className="session-spend"
        data-testid="session-spend"
        title={`Tokens: ${tokens.input} input, ${tokens.output} output, ${tokens.cacheWrite} cache write, ${tokens.cacheRead} cache read`}
      >
        {shown.text}
        {shown.unpriced && <span className="warn"> · {shown.unpriced}</span>}
      </span>
    </>
  );
}
