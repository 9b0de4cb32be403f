import type { AuditStore } from '../../core/store';
import type { Handlers } from '../router';

export function auditHandlers(
  store: AuditStore,
): Pick<Handlers, 'audit.list' | 'audit.get' | 'audit.search' | 'audit.verify'> {
  return {
    'audit.list': (input) => store.list(input),
    'audit.get': ({ seq }) => store.get(seq),
    'audit.search': ({ text, limit }) => store.search(text, limit),
    'audit.verify': () => store.verify(),
  };
}
