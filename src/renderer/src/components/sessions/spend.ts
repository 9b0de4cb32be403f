/** A session's spend as its header words it (see SessionSpend.tsx). */
import type { SpendTotals } from '../../../../shared/costs';
import { formatUsd } from '../costs/format';

export { formatUsd };

/** The header's words for a spend, or null when no call is on the record. */
export function spendText(spend: SpendTotals): { text: string; unpriced: string | null } | null {
  if (spend.calls === 0) return null;
  const calls = `${spend.calls} model ${spend.calls === 1 ? 'call' : 'calls'}`;
  const unpriced = spend.unpricedCalls
    ? `${spend.unpricedCalls} unpriced (model not in the price table)`
    : null;
  return { text: `${formatUsd(spend.costUsd)} · ${calls}`, unpriced };
}
