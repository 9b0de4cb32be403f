import type { ApprovalService } from '../../core/approvals';
import type { Person } from '../../paddock';
import type { Handlers } from '../router';

export function approvalHandlers(
  approvals: ApprovalService,
  person: Person,
): Pick<Handlers, 'approvals.list' | 'approvals.decide'> {
  return {
    'approvals.list': ({ state, limit }) => approvals.list({ state, limit }),
    'approvals.decide': ({ ids, allow, scope, reason }) =>
      approvals.decide(ids, { allow, scope, reason }, person),
  };
}
