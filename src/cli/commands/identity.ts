import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import type { CliContext } from '../context';
import { EXIT, UsageError, withExitCode } from '../output';
import { readHidden, readStdin } from '../prompt';

/**
 * `paddock identity`: the person's Ed25519 signing identity. The private key lives in the OS
 * keychain; the public key (OpenSSH form) is what others put in their policy's `signoff.signers`.
 */
export function registerIdentity(program: Command, context: CliContext): void {
  const identity = program
    .command('identity')
    .description('your signing identity for sign-offs: an Ed25519 key kept in the OS keychain');

  identity
    .command('create <name>')
    .description('make your identity (a new key pair; the private key goes to the keychain)')
    .action(
      withExitCode(async (name: string) => {
        const info = await context.withApi('write', (api) => api.identity.create({ name }));
        context.print(`Created ${info.name} (${info.fingerprint}). Your public key, to share:`);
        context.print(info.publicKey);
        context.note('Keep a backup: paddock identity export --backup --out FILE');
        return EXIT.ok;
      }),
    );

  identity
    .command('show')
    .description(
      'your public key (OpenSSH form, for a policy’s signoff.signers or git’s allowed signers)',
    )
    .option('--json', 'print {name, publicKey, fingerprint, createdAt}')
    .action(
      withExitCode(async (options: { json?: boolean }) => {
        const info = await context.withApi('read', (api) => api.identity.show({}));
        if (!info) {
          context.note('You have no identity yet: paddock identity create NAME');
          return EXIT.failed;
        }
        context.print(options.json ? JSON.stringify(info, null, 2) : info.publicKey);
        return EXIT.ok;
      }),
    );

  identity
    .command('export')
    .description('write your identity sealed with a passphrase (scrypt + AES-256-GCM)')
    .requiredOption('--backup', 'the sealed backup (the only form Paddock exports)')
    .option('--out <file>', 'write it to FILE (default: standard output)')
    .action(
      withExitCode(async (options: { out?: string }) => {
        const passphrase = await newPassphrase();
        // Writes: the export itself is an audit event.
        const { backup } = await context.withApi('write', (api) =>
          api.identity.export({ passphrase }),
        );
        if (options.out) writeFileSync(options.out, backup, { mode: 0o600 });
        else process.stdout.write(backup);
        return EXIT.ok;
      }),
    );

  identity
    .command('import <file>')
    .description('take in an identity from its sealed backup (asks for its passphrase)')
    .action(
      withExitCode(async (file: string) => {
        const backup = readFileSync(file, 'utf8');
        const passphrase = await passphraseFor('Passphrase of the backup: ');
        const info = await context.withApi('write', (api) =>
          api.identity.import({ backup, passphrase }),
        );
        context.print(`Imported ${info.name} (${info.fingerprint}).`);
        return EXIT.ok;
      }),
    );
}

/** Asked twice at a terminal; otherwise the first line of standard input. */
async function newPassphrase(): Promise<string> {
  const first = await passphraseFor('Passphrase for the backup (12 characters or more): ');
  if (!process.stdin.isTTY) return first;
  const again = await readHidden('The same again: ', 'Cancelled; nothing was written.');
  if (again !== first) throw new UsageError('The two passphrases differ; nothing was written.');
  return first;
}

async function passphraseFor(prompt: string): Promise<string> {
  const value = process.stdin.isTTY
    ? await readHidden(prompt, 'Cancelled; nothing was written.')
    : ((await readStdin()).split(/\r?\n/)[0] ?? '');
  if (!value) throw new UsageError('No passphrase: type it when asked, or pipe it in.');
  return value;
}
