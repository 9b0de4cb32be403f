import type { Command } from 'commander';
import type { CliContext } from '../context';
import { EXIT, withExitCode } from '../output';

export function registerSettings(program: Command, context: CliContext): void {
  const settings = program
    .command('settings')
    .description("Paddock's own settings (every change is an audit event)");

  settings
    .command('list')
    .option('--json', 'print as JSON')
    .action(
      withExitCode(async (options: { json?: boolean }) => {
        const values = await context.withApi('write', (api) => api.settings.all({}));
        // Loaded here: the registry's schemas cost every other command their load time.
        const { SETTINGS } = await import('../../shared/settings');
        if (options.json) context.print(JSON.stringify(values, null, 2));
        else
          for (const [key, spec] of Object.entries(SETTINGS))
            context.print(
              `${key} = ${JSON.stringify(values[key as keyof typeof values])}    # ${spec.help}`,
            );
        return EXIT.ok;
      }),
    );

  settings
    .command('set <key> <value>')
    .description('change a setting; VALUE is JSON, or a plain word')
    .action(
      withExitCode(async (key: string, raw: string) => {
        const value = parseValue(raw);
        await context.withApi('write', (api) => api.settings.set({ key, value }));
        context.print(`${key} = ${JSON.stringify(value)}`);
        return EXIT.ok;
      }),
    );
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
