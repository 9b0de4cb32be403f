import type { Actor } from '../../../shared/audit';
import { pruneContent, type AuditStore } from '../../core/store';
import type { Handlers } from '../router';

export function auditHandlers(
  store: AuditStore,
  person: { actor: Actor; actorId: string },
): Pick<Handlers, 'audit.list' | 'audit.get' | 'audit.search' | 'audit.verify' | 'audit.prune'> {
  return {
    'audit.list': (input) => store.list(input),
    'audit.get': ({ seq }) => store.get(seq),
    'audit.search': ({ text, limit }) => store.search(text, limit),
    'audit.verify': () => store.verify(),
    'audit.prune': ({ before, reason }) =>
      pruneContent(store, {
        before: new Date(before),
        reason: reason ?? `pruned by hand: content older than ${before}`,
        ...person,
      }),
  };
}
