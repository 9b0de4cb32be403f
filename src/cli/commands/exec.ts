import type { Command } from 'commander';
import { openPaddock } from '../../main/paddock';
import { connectToHost, type CliContext } from '../context';
import { withExitCode } from '../output';

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
    .argument('<cmd...>', 'the command and its arguments, after --')
    .action(
      withExitCode(
        async (argv: string[], options: { project: string; keep?: boolean; json?: boolean }) => {
          const out = (chunk: Buffer) =>
            (options.json ? process.stderr : process.stdout).write(chunk);
          const host = await connectToHost(context.home);
          if (host) {
            host.close();
            process.stderr.write(
              'paddock: a Paddock host is running for this home, and `paddock exec` runs the core itself. Stop the host first (`paddock stop`).\n',
            );
            return COULD_NOT_START;
          }
          let paddock;
          try {
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
              { project: options.project, argv, keep: options.keep },
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
        },
      ),
    );
}
