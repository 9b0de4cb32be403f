import type { VaultService } from '../../core/vault';
import type { Person } from '../../paddock';
import type { Handlers } from '../router';

/** The vault over the contract: a value comes in with `secrets.set` and never goes back out. */
export function secretsHandlers(
  vault: VaultService,
  person: Person,
): Pick<Handlers, 'secrets.list' | 'secrets.set' | 'secrets.remove'> {
  return {
    'secrets.list': () => vault.list(),
    'secrets.set': ({ name, value, hosts, header }) =>
      vault.set(name, value, { hosts, header }, person),
    'secrets.remove': ({ name }) => vault.remove(name, person),
  };
}
