/**
 * Import of model usage the broker did not meter: Claude Code transcripts and Codex session files,
 * from the person's own directories and each Paddock session's agent home, into `cost.usage`
 * events (source `reported`). Prices come from whoever wires it (the price table).
 */
export { importUsage, IMPORT_ACTOR_ID, type ImportOptions, type PriceFn } from './import';
export { paddockSessionSources, personalSources, sourceAt, type TranscriptSource } from './sources';
export type { UsageStore } from './known';
