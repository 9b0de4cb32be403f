/** The audit store: the public surface. See store.ts for the durability guarantee. */
export {
  AuditStore,
  type AppendInput,
  type EventQuery,
  type PayloadFilter,
  type StoreOptions,
} from './store';
export { StoreError } from './errors';
export type { KnownCall, SpendFilter, SpendTotals } from './usage-index';
export { canonicalJson } from './canonical-json';
export { readOwner as readWriterLockOwner, type LockOwner } from './writer-lock';
export { BlobWriter } from './blob-file';
