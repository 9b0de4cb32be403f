import { builtInPreset } from '../../core/agents';
import type { PriceTable } from '../../core/costs';
import { buildCostReport, type CostReportDeps } from '../../core/costs';
import { importUsage, paddockSessionSources, sourceAt } from '../../core/costs/import';
import type { AuditStore } from '../../core/store';
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
  report: Omit<CostReportDeps, 'store' | 'agentName'>,
): Pick<Handlers, 'costs.import' | 'costs.spend' | 'costs.report'> {
  return {
    'costs.spend': ({ sessionId, since, until }) =>
      store.spend({
        ...(sessionId ? { sessionIds: [sessionId] } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      }),
    'costs.report': ({ since, until }) =>
      buildCostReport(
        { ...report, store, agentName: (id) => presetName(id, report.settings) },
        { since, until },
      ),
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

/** A built-in preset's name, or the name a person gave their own (`agents.custom`). */
function presetName(id: string, settings: CostReportDeps['settings']): string | undefined {
  const custom = settings.get('agents.custom').find((preset) => preset.id === id)?.name;
  return builtInPreset(id)?.name ?? (typeof custom === 'string' ? custom : undefined);
}
