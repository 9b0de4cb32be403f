import type { Person } from '../../paddock';
import type { IdentityService } from '../../core/identity';
import type { Handlers } from '../router';

/** The person's signing identity: made, shown, backed up and restored as the person. */
export function identityHandlers(
  identity: IdentityService,
  person: Person,
): Pick<Handlers, 'identity.create' | 'identity.show' | 'identity.export' | 'identity.import'> {
  return {
    'identity.create': ({ name }) => identity.create(name, person),
    'identity.show': () => identity.current(),
    'identity.export': async ({ passphrase }) => ({
      backup: await identity.exportBackup(passphrase, person),
    }),
    'identity.import': ({ backup, passphrase }) =>
      identity.importBackup(backup, passphrase, person),
  };
}
