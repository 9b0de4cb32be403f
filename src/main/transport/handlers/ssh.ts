import type { SshService } from '../../core/ssh';
import type { Person } from '../../paddock';
import type { Handlers } from '../router';

/** SSH hosts over the contract: a private key comes in with `ssh.add` and never goes back out. */
export function sshHandlers(
  ssh: SshService,
  person: Person,
): Pick<Handlers, 'ssh.list' | 'ssh.add' | 'ssh.remove' | 'ssh.test'> {
  return {
    'ssh.list': () => ssh.list(),
    'ssh.add': ({ privateKey, ...host }) => ssh.add(host, privateKey, person),
    'ssh.remove': ({ name }) => ssh.remove(name, person),
    'ssh.test': ({ name, pin }) => ssh.test(name, pin, person),
  };
}
