/**
 * Costs: what model calls cost. A price table (LiteLLM's format, a bundled snapshot with a
 * person's overrides merged over it) turns token counts into US dollars, and usage meters read the
 * counts from a model response as the broker streams it back to the agent.
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
