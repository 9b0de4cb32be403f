import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, paddockPaths } from '../../main/core/home';
import { readEndpoint, type Endpoint } from '../../main/transport';
import { closeOnSignals, startHeadlessHost } from '../../main/server';
import type { CliContext } from '../context';
import { EXIT, withExitCode } from '../output';
import { UsageError } from './audit';

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
        context.print(`Stopped the Paddock host (pid ${endpoint.pid}).`);
        return EXIT.ok;
      }),
    );
}

/** Starts `paddock serve` detached (for work that must outlive this command) and waits until it serves. */
export async function startInBackground(home: string, port = 0): Promise<Endpoint> {
  const paths = paddockPaths(home);
  const running = readEndpoint(paths.endpoint);
  if (running && isAlive(running.pid)) return running;
  ensurePrivateDir(paths.run);
  const log = openSync(join(paths.run, 'serve.log'), 'a', 0o600);
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] as string, 'serve', '--port', String(port)],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, PADDOCK_HOME: home },
    },
  );
  closeSync(log);
  child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  await waitFor(
    () => readEndpoint(paths.endpoint)?.pid === child.pid || exited !== null,
    15_000,
    'the background host to start',
  );
  const endpoint = readEndpoint(paths.endpoint);
  if (!endpoint || endpoint.pid !== child.pid) {
    throw new UsageError(
      `The background host did not start (exit ${exited}). Its log: ${join(paths.run, 'serve.log')}`,
    );
  }
  return endpoint;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new UsageError(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
