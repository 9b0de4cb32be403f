/** Approvals: requests the policy could not decide, answered by a person or expired to deny. */
export {
  ApprovalError,
  ApprovalService,
  type ApprovalInput,
  type ApprovalSettings,
  type Answer,
} from './service';
