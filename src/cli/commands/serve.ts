import type { Command } from 'commander';
import { paddockPaths } from '../../main/core/home';
import { readEndpoint } from '../../main/transport/endpoint';
import { isRunning, startInBackground, waitFor } from '../background';
import type { CliContext } from '../context';
import { EXIT, withExitCode } from '../output';
import { UsageError } from '../output';

export function registerServe(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('run the headless host: the Paddock UI in a browser, and the core for the CLI')
    .option('--port <port>', 'port on 127.0.0.1 (default: a free one)', '0')
    .option('--background', 'start it detached and return once it is serving')
    .action(
      withExitCode(async (options: { port: string; background?: boolean }) => {
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--port takes a port number, not "${options.port}"`);
        if (options.background) {
          const endpoint = await startInBackground(context.home, port);
          context.print(
            `Paddock is serving in the background (pid ${endpoint.pid}) at ${endpoint.url}\nStop it with \`paddock stop\`.`,
          );
          return EXIT.ok;
        }
        const { closeOnSignals, startHeadlessHost } = await import('../../main/server');
        const host = await startHeadlessHost({ home: context.home, port });
        context.print(
          `Paddock is serving at ${host.url}\nOpen that URL in a browser (the token after # is its key). Ctrl+C stops it.`,
        );
        closeOnSignals(host);
        await new Promise<never>(() => undefined);
        return EXIT.ok;
      }),
    );

  program
    .command('stop')
    .description('stop the Paddock host running for this home')
    .action(
      withExitCode(async () => {
        const endpoint = readEndpoint(paddockPaths(context.home).endpoint);
        if (!endpoint) {
          context.print('No Paddock host is running for this home.');
          return EXIT.ok;
        }
        if (endpoint.host === 'desktop')
          throw new UsageError(
            'The desktop app is the host for this home: quit it from its tray menu.',
          );
        try {
          process.kill(endpoint.pid, 'SIGTERM');
        } catch {
          context.print(`The host (pid ${endpoint.pid}) was not running.`);
          return EXIT.ok;
        }
        await waitFor(
          () => readEndpoint(paddockPaths(context.home).endpoint) === null,
          10_000,
          'the host to stop',
        );
        // The endpoint goes first (no new client connects); the store is closed after it (its
        // checkpoint written): stopped means the process is gone.
        await waitFor(() => !isRunning(endpoint.pid), 15_000, 'the host to exit');
        context.print(`Stopped the Paddock host (pid ${endpoint.pid}).`);
        return EXIT.ok;
      }),
    );
}
