import type { Actor } from '../../../shared/audit';
import { pruneContent, type AuditStore } from '../../core/store';
import type { Handlers } from '../router';

export function auditHandlers(
  store: AuditStore,
  person: { actor: Actor; actorId: string },
): Pick<
  Handlers,
  'audit.list' | 'audit.get' | 'audit.search' | 'audit.blob' | 'audit.verify' | 'audit.prune'
> {
  return {
    'audit.list': (input) => store.list(input),
    'audit.get': ({ seq }) => store.get(seq),
    'audit.search': ({ text, limit, ...filters }) => store.search(text, limit, filters),
    'audit.blob': ({ hash, limit = 1024 * 1024 }) => {
      const content = store.getBlob(hash);
      if (!content) return null;
      return {
        text: content.subarray(0, limit).toString('utf8'),
        bytes: content.length,
        truncated: content.length > limit,
      };
    },
    'audit.verify': () => store.verify(),
    'audit.prune': ({ before, reason }) =>
      pruneContent(store, {
        before: new Date(before),
        reason: reason ?? `pruned by hand: content older than ${before}`,
        ...person,
      }),
  };
}
