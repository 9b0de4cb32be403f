/** The audit store: the public surface. See store.ts for the durability guarantee. */
export {
  AuditStore,
  type AppendInput,
  type EventQuery,
  type PayloadFilter,
  type StoreOptions,
} from './store';
export { StoreError } from './errors';
export type { SearchFilters } from './event-search';
export type {
  KnownCall,
  SpendFilter,
  SpendTotals,
  UsageGroup,
  UsageGroupKey,
  UsageGrouping,
} from './usage-index';
export { canonicalJson } from './canonical-json';
export {
  EXPORT_DIGEST_TYPE,
  exportDigest,
  exportedEvents,
  signedBytes,
  verifyExport,
  type ExportDigest,
  type ExportOptions,
  type ExportReport,
  type SignatureCheck,
} from './export';
export { readOwner as readWriterLockOwner, type LockOwner } from './writer-lock';
export { BlobWriter } from './blob-file';
export { findTombstones, pruneContent, type PruneOptions, type Tombstone } from './retention';
export { SQLITE_BINDING_ENV } from './native-binding';
