/**
 * Quality gates: the checks a session's change must pass before it lands (command gates in the
 * session's sandbox, secrets, protected paths, diff limits), bound to exactly what would land,
 * and the review actions that follow (sign-off, reject, send back, promote).
 */
export {
  GateService,
  type By,
  type GateServiceOptions,
  type GateSessions,
  type ReviewChange,
} from './service';
export { GateError } from './errors';
export { verifyLandedCommit } from './landed';
export { DEFAULT_PROTECTED, protectedChanges } from './checks';
export { REVIEW_EVENTS } from './review-log';
