import type { PriceTable } from '../../core/costs';
import { parsePolicy } from '../../core/policy';
import { importUsage, paddockSessionSources, sourceAt } from '../../core/costs/import';
import type { AuditStore } from '../../core/store';
import { costReport, type CostReportSources } from '../../cost-report';
import type { Handlers } from '../router';

/**
 * Model usage over the contract. `prices` gives the price table as it stands at each import (the
 * bundled one with the person's overrides), so a price changed since the host started applies.
 * `report` is what the cost report reads besides the store: the settings (budgets, the person's
 * policy, custom agent presets' names), the sessions and the projects.
 */
export function costsHandlers(
  store: AuditStore,
  paddockHome: string,
  prices: () => PriceTable,
  report: Omit<CostReportSources, 'store'>,
): Pick<Handlers, 'costs.import' | 'costs.spend' | 'costs.report'> {
  return {
    'costs.spend': ({ sessionId, since, until }) =>
      store.spend({
        ...(sessionId ? { sessionIds: [sessionId] } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      }),
    'costs.report': ({ since, until }) =>
      costReport({ ...report, store }, { since, until }, parsePolicy),
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
