import type { Person } from '../../paddock';
import { verifyLandedCommit, type GateService } from '../../core/gates';
import type { Handlers } from '../router';

/** Quality gates and the review actions, each done as the person at this machine. */
export function reviewHandlers(
  gates: GateService,
  person: Person,
): Pick<
  Handlers,
  | 'gates.run'
  | 'gates.status'
  | 'review.promote'
  | 'review.reject'
  | 'review.sendBack'
  | 'review.sign'
  | 'review.export'
  | 'review.import'
  | 'signoff.verify'
  | 'signoff.verifyCommit'
> {
  return {
    'gates.run': ({ id, target }) => gates.run(id, person, target),
    'gates.status': ({ id, target }) => gates.status(id, target),
    'review.promote': ({ id, mode, message, removeWorkspace }) =>
      gates.promote(id, { mode, message, removeWorkspace }, person),
    'review.reject': ({ id, reason, sendBack }) => gates.reject(id, reason, sendBack, person),
    'review.sendBack': ({ id, note }) => gates.sendBack(id, note, person),
    'review.sign': ({ id, decision, reason }) =>
      gates.signatures.sign(id, decision, reason, person),
    'review.export': ({ id }) => gates.signatures.exportBundle(id, person),
    'review.import': ({ text }) => gates.signatures.importText(text, person),
    'signoff.verify': ({ id }) => gates.signatures.verify(id),
    'signoff.verifyCommit': ({ repo, commit }) => verifyLandedCommit(repo, commit),
  };
}
