import type { Command } from 'commander';
import type { PaddockApi } from '../../shared/contract';
import { connectToHost, type CliContext } from '../context';
import { withExitCode } from '../output';

interface ExecOptions {
  project: string;
  keep?: boolean;
  json?: boolean;
  tty?: boolean;
  unsandboxed?: boolean;
}

/** Like `docker run`: 125 when Paddock could not start the command at all. */
const COULD_NOT_START = 125;

export function registerExec(program: Command, context: CliContext): void {
  program
    .command('exec')
    .description(
      'run CMD once in a fresh workspace of the project, through the agents’ launcher, recorded',
    )
    .requiredOption('--project <dir>', 'the repository')
    .option(
      '--keep',
      'keep the workspace afterwards (it is discarded by default; the record stays)',
    )
    .option('--json', 'CMD’s output goes to stderr; stdout carries one JSON object')
    .option('--tty', 'run CMD in a terminal (its stdout and stderr arrive as one stream)')
    .option(
      '--unsandboxed',
      'run WITHOUT the sandbox: CMD gets your full access (recorded, and shown in red)',
    )
    .argument('<cmd...>', 'the command and its arguments, after --')
    .action(
      withExitCode(async (argv: string[], options: ExecOptions) => {
        const out = (chunk: Buffer) =>
          (options.json ? process.stderr : process.stdout).write(chunk);
        const host = await connectToHost(context.home);
        if (host) {
          try {
            return await execThroughHost(host.api, argv, options, out);
          } finally {
            host.close();
          }
        }
        let paddock;
        try {
          const { openPaddock } = await import('../../main/paddock');
          paddock = openPaddock({
            home: context.home,
            lockCommand: `paddock exec ${argv.join(' ')}`,
          });
        } catch (error) {
          process.stderr.write(`paddock: ${(error as Error).message}\n`);
          return COULD_NOT_START;
        }
        try {
          const result = await paddock.sessions.exec(
            {
              project: options.project,
              argv,
              keep: options.keep,
              unsandboxed: options.unsandboxed,
              tty: options.tty
                ? { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 }
                : undefined,
            },
            { stdout: out, stderr: (chunk) => process.stderr.write(chunk) },
            paddock.person,
          );
          if (options.json)
            process.stdout.write(
              `${JSON.stringify({ sessionId: result.session.id, exitCode: result.exitCode, workspace: result.workspace, kept: Boolean(options.keep) })}\n`,
            );
          return result.exitCode;
        } catch (error) {
          process.stderr.write(`paddock: ${(error as Error).message}\n`);
          return COULD_NOT_START;
        } finally {
          await paddock.close();
        }
      }),
    );
}

/**
 * With a host running, the host runs CMD (one writer). Its output arrives when CMD ends (up to
 * 4 MiB a stream), not live; a terminal (--tty) needs Paddock to run it here.
 */
async function execThroughHost(
  api: PaddockApi,
  argv: string[],
  options: ExecOptions,
  out: (chunk: Buffer) => void,
): Promise<number> {
  if (options.tty) {
    process.stderr.write(
      'paddock: --tty runs CMD in this terminal, but a Paddock host is running for this home. Stop it first (`paddock stop`), or drop --tty.\n',
    );
    return COULD_NOT_START;
  }
  let result;
  try {
    result = await api.exec.run({
      project: options.project,
      argv,
      keep: options.keep,
      ...(options.unsandboxed ? { unsandboxed: true } : {}),
    });
  } catch (error) {
    process.stderr.write(`paddock: ${(error as Error).message}\n`);
    return COULD_NOT_START;
  }
  out(Buffer.from(result.stdout, 'utf8'));
  process.stderr.write(result.stderr);
  if (result.truncated)
    process.stderr.write('paddock: output cut at 4 MiB a stream (the record has all of it).\n');
  if (options.json)
    process.stdout.write(
      `${JSON.stringify({ sessionId: result.sessionId, exitCode: result.exitCode, workspace: result.workspace, kept: Boolean(options.keep) })}\n`,
    );
  return result.exitCode;
}
