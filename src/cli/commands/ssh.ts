import type { Command } from 'commander';
import type { PaddockApi } from '../../shared/contract';
import type { SshHost, SshTestResult } from '../../shared/ssh';
import type { CliContext } from '../context';
import { columns, EXIT, UsageError, withExitCode } from '../output';
import { confirm, readStdin } from '../prompt';

/**
 * `paddock ssh`: hosts the remote operator works on. A private key is read from standard input,
 * never taken as an argument or a path Paddock would keep, and goes to the OS keychain; the host
 * key is pinned at first connect, after the person (or `--fingerprint`) vouches for it.
 */
export function registerSsh(program: Command, context: CliContext): void {
  const ssh = program
    .command('ssh')
    .description('hosts the remote operator works on over SSH (private keys in the OS keychain)');

  ssh
    .command('add <name>')
    .description('add a host; its private key is read from standard input')
    .requiredOption('--address <host>', 'DNS name or IP address')
    .option('--port <port>', 'SSH port (default 22)')
    .requiredOption('--user <user>', 'login name on the host')
    .option(
      '--fingerprint <SHA256:…>',
      'the host key you expect (ssh-keygen -lf on the host): the first connect pins it and no other',
    )
    .addHelpText(
      'after',
      '\nExample:\n  paddock ssh add staging --address staging.example.com --user deploy --fingerprint SHA256:… < ~/.ssh/paddock_staging',
    )
    .action(
      withExitCode(
        async (
          name: string,
          options: { address: string; port?: string; user: string; fingerprint?: string },
        ) => {
          const privateKey = await readKey(name);
          const host = await context.withApi('write', (api) =>
            api.ssh.add({ name, ...options, port: portOf(options.port), privateKey }),
          );
          context.print(
            `Added ${host.name} (${where(host)}); its private key is in the keychain (${host.keySecret}).`,
          );
          context.note(
            host.expectedHostKey
              ? `The first connect pins ${host.expectedHostKey} and refuses any other key.`
              : `No host key is pinned yet: paddock ssh test ${host.name} shows it and asks.`,
          );
          return EXIT.ok;
        },
      ),
    );

  ssh
    .command('list')
    .description('the hosts: address, user and pinned host key (never a private key)')
    .option('--json', 'print as JSON')
    .action(
      withExitCode(async (options: { json?: boolean }) => {
        const hosts = await context.withApi('read', (api) => api.ssh.list({}));
        if (options.json) context.print(JSON.stringify(hosts, null, 2));
        else if (hosts.length === 0)
          context.print(
            'No hosts yet. Add one: paddock ssh add NAME --address HOST --user U < KEY',
          );
        else for (const line of table(hosts)) context.print(line);
        return EXIT.ok;
      }),
    );

  ssh
    .command('rm <name>')
    .description('remove a host: its private key is deleted from the keychain')
    .action(
      withExitCode(async (name: string) => {
        const host = await context.withApi('write', (api) => api.ssh.remove({ name }));
        context.print(`Removed ${host.name}; its private key is deleted from the keychain.`);
        return EXIT.ok;
      }),
    );

  ssh
    .command('test <name>')
    .description(
      'connect and run `true`; the first time, show the host key and ask before pinning it',
    )
    .option(
      '--yes-pin-fingerprint <SHA256:…>',
      'pin the host key without asking if it is this one (checked on the host beforehand)',
    )
    .option('--fingerprint <SHA256:…>', 'the same as --yes-pin-fingerprint')
    .action(
      withExitCode(
        async (name: string, options: { yesPinFingerprint?: string; fingerprint?: string }) => {
          const pin = options.yesPinFingerprint ?? options.fingerprint;
          const result = await context.withApi('write', (api) => testHost(api, name, pin));
          if (result.state === 'unconfirmed') return EXIT.failed;
          context.print(
            `${name}: host key ${result.fingerprint} (${result.pinned ? 'pinned now' : 'pinned'}); \`true\` exited ${result.exitCode ?? 'on a signal'} in ${result.durationMs.toFixed(1)} ms.`,
          );
          return result.exitCode === 0 ? EXIT.ok : EXIT.failed;
        },
      ),
    );

  /** Without a pin, an unknown key comes back: the person is shown it and asked, once. */
  async function testHost(api: PaddockApi, name: string, pin?: string): Promise<SshTestResult> {
    const first = await api.ssh.test({ name, pin });
    if (first.state === 'ok') return first;
    context.note(`${name} offered the host key ${first.fingerprint}, and none is pinned yet.`);
    context.note('Check it on the host: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    if (await confirm('Pin this host key? [y/N] ', 'y'))
      return api.ssh.test({ name, pin: first.fingerprint });
    context.note(
      process.stdin.isTTY
        ? 'Not pinned; nothing was run.'
        : `Not pinned; nothing was run. Without a terminal to ask at: paddock ssh test ${name} --yes-pin-fingerprint ${first.fingerprint}`,
    );
    return first;
  }
}

async function readKey(name: string): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError(
      `Pipe the private key in: paddock ssh add ${name} … < ~/.ssh/KEY (it is never an argument, and Paddock keeps it in the keychain only).`,
    );
  const key = await readStdin();
  if (key.trim() === '')
    throw new UsageError(
      `No private key on standard input: paddock ssh add ${name} … < ~/.ssh/KEY`,
    );
  return key;
}

function portOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text)) throw new UsageError(`--port takes a number from 1 to 65535.`);
  return Number(text);
}

const where = (host: SshHost): string =>
  `${host.user}@${host.address.includes(':') ? `[${host.address}]` : host.address}:${host.port}`;

function table(hosts: SshHost[]): string[] {
  const header = ['NAME', 'ADDRESS', 'HOST KEY', 'ADDED'];
  const rows = [
    header,
    ...hosts.map((host) => [
      host.name,
      where(host),
      host.hostKey ?? (host.expectedHostKey ? `expects ${host.expectedHostKey}` : 'not pinned'),
      host.addedAt.slice(0, 10),
    ]),
  ];
  return columns(rows);
}
