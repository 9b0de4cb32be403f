/**
 * A GateService over testSessions' parts, with the person's policy (the `policy.personal`
 * setting) and the repository's as Paddock reads them, trusted or not. For tests and benchmarks.
 */
import { GateService } from '../main/core/gates';
import { PolicyService } from '../main/core/policy';
import type { testSessions } from './sessions';

export function testGates(parts: Omit<ReturnType<typeof testSessions>, 'close'>): GateService {
  const policies = new PolicyService(parts.settings);
  return new GateService({
    store: parts.store,
    sessions: parts.sessions,
    projectPath: (id) => parts.projects.find(id)?.path ?? '',
    policies: async (path, commit) => {
      const loaded = await policies.load(path, commit);
      return { policies: [loaded.personal, loaded.repository?.policy ?? null], untrusted: null };
    },
    person: () => ({ name: 'Ada Lovelace', email: 'ada@example.com' }),
    knownSecrets: async () => [],
  });
}
