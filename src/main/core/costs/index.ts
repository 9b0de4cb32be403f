/**
 * Costs: what model calls cost. A price table (LiteLLM's format, a bundled snapshot with a
 * person's overrides merged over it) turns token counts into US dollars, usage meters read the
 * counts from a model response as the broker streams it back to the agent, and the cost report
 * sums what is on the record (by day, week, project, session, agent and model, with the budgets).
 */
export {
  estimateInputTokens,
  LONG_CONTEXT_TOKENS,
  PriceTable,
  PriceTableError,
  type LiteLLMEntry,
  type PricedCost,
  type PriceLookup,
} from './prices';
export { createUsageMeter, MAX_METERED_BYTES, type MeteredUsage, type UsageMeter } from './usage';
export {
  buildCostReport,
  budgetLimits,
  type PersonalBudgets,
  OUTSIDE_PADDOCK,
  TOP_SESSIONS,
  UNKNOWN_DAY,
  type CostReportDeps,
  type CostReportOptions,
} from './report';
