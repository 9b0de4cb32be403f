import { Command, CommanderError } from 'commander';
import { StoreError } from '../main/core/store';
import { ContractError } from '../shared/contract';
import { version } from '../../package.json';
import { registerAudit } from './commands/audit';
import { registerDoctor } from './commands/doctor';
import { registerProject } from './commands/project';
import { registerServe } from './commands/serve';
import { registerExec } from './commands/exec';
import { registerGc, registerSession } from './commands/session';
import { registerSettings } from './commands/settings';
import { registerPolicy } from './commands/policy';
import { registerApprovals } from './commands/approvals';
import { registerSecrets } from './commands/secrets';
import { registerCosts } from './commands/costs';
import { registerGates } from './commands/gates';
import { registerIdentity } from './commands/identity';
import { registerSsh } from './commands/ssh';
import { registerOperator } from './commands/operator';
import { createContext, type CliContext } from './context';
import { EXIT, UsageError } from './output';

export function createProgram(context: CliContext = createContext()): Command {
  const program = new Command('paddock')
    .description(
      'Run coding agents inside a fence: sandboxed sessions, an approval inbox, and a tamper-evident audit trail.',
    )
    .version(version, '-V, --version')
    .showHelpAfterError('(run `paddock --help` for the commands)');
  registerDoctor(program, context);
  registerAudit(program, context);
  registerSettings(program, context);
  registerServe(program, context);
  registerProject(program, context);
  registerSession(program, context);
  registerGc(program, context);
  registerExec(program, context);
  registerPolicy(program, context);
  registerApprovals(program, context);
  registerSecrets(program, context);
  registerCosts(program, context);
  registerGates(program, context);
  registerIdentity(program, context);
  registerSsh(program, context);
  registerOperator(program, context);
  return program;
}

/** Runs the CLI and sets the exit code; errors a person can act on are printed, not thrown. */
export async function runCli(argv: string[], context?: CliContext): Promise<void> {
  const program = createProgram(context);
  program.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.error;
  if (
    error instanceof StoreError ||
    error instanceof ContractError ||
    error instanceof UsageError
  ) {
    process.stderr.write(`paddock: ${error.message}\n`);
    return EXIT.error;
  }
  process.stderr.write(`paddock: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  return EXIT.error;
}
