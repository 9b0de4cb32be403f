import type { Command } from 'commander';
import { DEFAULT_SECRET_HEADER, SECRET_NAME, type SecretEntry } from '../../shared/vault';
import type { CliContext } from '../context';
import { columns, EXIT, UsageError, withExitCode } from '../output';
import { readHidden, readStdin } from '../prompt';

/**
 * `paddock secrets`: the vault. A value is read from standard input (typed without echo at a
 * terminal, or piped), never taken as an argument where `ps` would show it, and never printed.
 */
export function registerSecrets(program: Command, context: CliContext): void {
  const secrets = program
    .command('secrets')
    .description(
      'secrets in the OS keychain, each bound to the hosts it may be sent to (values are never shown)',
    );

  secrets
    .command('set <name>')
    .description(
      'add a secret, or rotate one: the value is read from standard input (typed hidden, or piped; a trailing newline is dropped)',
    )
    .option(
      '--host <host>',
      'a host it may be sent to, as in Network rules (api.example.com, *.example.com, :port); repeat for more. A rotation without --host keeps the hosts',
      (host: string, hosts: string[] | undefined) => [...(hosts ?? []), host],
    )
    .option(
      '--header <template>',
      `the header it goes in, {} marking the value (default "${DEFAULT_SECRET_HEADER}"; a rotation without --header keeps it)`,
    )
    .addHelpText(
      'after',
      `\nExamples:\n  paddock secrets set OPENAI_API_KEY --host api.openai.com           (type it; nothing is echoed)\n  printf %s "$TOKEN" | paddock secrets set GITHUB_TOKEN --host api.github.com\n  paddock secrets set ANTHROPIC_API_KEY --host api.anthropic.com --header 'x-api-key: {}' < key.txt`,
    )
    .action(
      withExitCode(async (name: string, options: { host?: string[]; header?: string }) => {
        if (!SECRET_NAME.test(name))
          throw new UsageError(
            'A secret name is an upper-case letter, then up to 63 upper-case letters, digits and underscores, like OPENAI_API_KEY. The value is never an argument: it is read from standard input.',
          );
        const value = await readValue(name);
        const { secret, rotated } = await context.withApi('write', (api) =>
          api.secrets.set({ name, value, hosts: options.host, header: options.header }),
        );
        context.print(
          `${rotated ? 'Rotated' : 'Set'} ${secret.name}: ${describeBinding(secret)}. The value is in the keychain; Paddock never shows it.`,
        );
        return EXIT.ok;
      }),
    );

  secrets
    .command('list')
    .description('the secrets: names, hosts, header and when set (never values)')
    .option('--json', 'print as JSON')
    .action(
      withExitCode(async (options: { json?: boolean }) => {
        const entries = await context.withApi('read', (api) => api.secrets.list({}));
        if (options.json) context.print(JSON.stringify(entries, null, 2));
        else if (entries.length === 0)
          context.print(
            'No secrets yet. Add one: printf %s "$TOKEN" | paddock secrets set NAME --host api.example.com',
          );
        else for (const line of table(entries)) context.print(line);
        return EXIT.ok;
      }),
    );

  secrets
    .command('rm <name>')
    .description('remove a secret: its value is deleted from the keychain')
    .action(
      withExitCode(async (name: string) => {
        const removed = await context.withApi('write', (api) => api.secrets.remove({ name }));
        context.print(`Removed ${removed.name}; its value is deleted from the keychain.`);
        return EXIT.ok;
      }),
    );
}

/** From a terminal: asked for without echo. Otherwise: all of stdin, less one trailing newline. */
async function readValue(name: string): Promise<string> {
  const raw = process.stdin.isTTY
    ? await readHidden(
        `Value for ${name} (not shown as you type): `,
        'Cancelled; nothing was stored.',
      )
    : (await readStdin()).replace(/\r?\n$/, '');
  if (raw === '')
    throw new UsageError(
      `No value for ${name}: type it when asked, or pipe it in (printf %s "$TOKEN" | paddock secrets set ${name}). It is never an argument.`,
    );
  return raw;
}

function describeBinding(secret: SecretEntry): string {
  const hosts = secret.hosts.length
    ? `sent only to ${secret.hosts.join(', ')}`
    : 'bound to no host (add --host to let the broker send it)';
  return `${hosts}, in "${secret.header}"`;
}

function table(entries: SecretEntry[]): string[] {
  const header = ['NAME', 'HOSTS', 'HEADER', 'SET', 'ROTATED'];
  const rows = [
    header,
    ...entries.map((e) => [
      e.name,
      e.hosts.join(',') || '-',
      e.header,
      day(e.setAt),
      e.rotatedAt ? day(e.rotatedAt) : '-',
    ]),
  ];
  return columns(rows);
}

function day(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
