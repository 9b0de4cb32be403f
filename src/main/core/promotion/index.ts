/**
 * Promotion: what a session's change would land as on the project's branch (planLanding), and
 * landing it there with a compare-and-swap (landChange). Argv git only; the person's checkout is
 * moved only when it has the target out and is clean.
 */
export { PromotionError, type PromotionErrorCode } from './errors';
export { copyObjects, landChange, type Landed, type LandRequest } from './land';
export { NOTES_REF, noteStatements, readNote } from './notes';
export {
  checkedOutBranch,
  diffHashOf,
  planLanding,
  resolveTarget,
  type Landing,
  type Target,
} from './landing';
