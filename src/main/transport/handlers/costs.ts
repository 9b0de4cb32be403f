import type { PriceTable } from '../../core/costs';
import { importUsage, paddockSessionSources, sourceAt } from '../../core/costs/import';
import type { AuditStore } from '../../core/store';
import type { Handlers } from '../router';

/**
 * Model usage over the contract. `prices` gives the price table as it stands at each import (the
 * bundled one with the person's overrides), so a price changed since the host started applies.
 */
export function costsHandlers(
  store: AuditStore,
  paddockHome: string,
  prices: () => PriceTable,
): Pick<Handlers, 'costs.import' | 'costs.spend'> {
  return {
    'costs.spend': ({ sessionId, since, until }) =>
      store.spend({
        ...(sessionId ? { sessionIds: [sessionId] } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      }),
    'costs.import': ({ claude, codex, paddockSessions }) => {
      const table = prices();
      return importUsage(store, {
        sources: [
          ...claude.map((dir) => sourceAt('claude', dir, paddockHome)),
          ...codex.map((dir) => sourceAt('codex', dir, paddockHome)),
          ...(paddockSessions ? paddockSessionSources(paddockHome) : []),
        ],
        price: (provider, model, tokens) => table.cost(model, tokens, provider),
      });
    },
  };
}
