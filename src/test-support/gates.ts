/**
 * A GateService over testSessions' parts, with the person's policy (the `policy.personal`
 * setting) and the repository's as Paddock reads them, trusted or not, and the person's signing
 * identity if the test gives one. For tests and benchmarks.
 */
import { GateService, type GateServiceOptions } from '../main/core/gates';
import { PolicyService } from '../main/core/policy';
import type { testSessions } from './sessions';

export function testGates(
  parts: Omit<ReturnType<typeof testSessions>, 'close'>,
  identity: GateServiceOptions['identity'] = NO_IDENTITY,
): GateService {
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
    identity,
  });
}

/** A person who has made no signing identity (signing then says how to make one). */
const NO_IDENTITY: GateServiceOptions['identity'] = {
  current: () => null,
  sign: () => Promise.reject(new Error('no identity: paddock identity create NAME')),
};
