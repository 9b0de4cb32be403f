import type { Command } from 'commander';
import { APPROVAL_SCOPES, type ApprovalRequest, type ApprovalScope } from '../../shared/approvals';
import type { CliContext } from '../context';
import { EXIT, UsageError, withExitCode } from '../output';

/** One request on one line; control characters shown escaped, so nothing can disguise a command. */
function describe(request: ApprovalRequest): string {
  const outcome = request.decision
    ? ` → ${request.state} by ${request.decision.by} (${request.decision.scope})`
    : ` (expires ${request.expiresAt})`;
  return `${request.id}  ${request.state.padEnd(7)}  ${request.sessionId}  ${request.risk}  ${JSON.stringify(request.subject)}  — ${request.reason}${outcome}`;
}

export function registerApprovals(program: Command, context: CliContext): void {
  const approvals = program
    .command('approvals')
    .description(
      'what agents asked and the policy could not decide: answer it here or in the Inbox',
    );

  approvals
    .command('list')
    .option('--all', 'decided and expired ones too (default: pending only)')
    .option('--json', 'print as JSON')
    .action(
      withExitCode(async (options: { all?: boolean; json?: boolean }) => {
        const requests = await context.withApi('write', (api) =>
          api.approvals.list(options.all ? {} : { state: 'pending' }),
        );
        if (options.json) context.print(JSON.stringify(requests, null, 2));
        else if (requests.length === 0)
          context.print(options.all ? 'No requests.' : 'Nothing waits for you.');
        else for (const request of requests) context.print(describe(request));
        return EXIT.ok;
      }),
    );

  for (const verb of ['allow', 'deny'] as const)
    approvals
      .command(`${verb} <ids...>`)
      .description(verb === 'allow' ? 'let it run' : 'refuse it; the agent is told why')
      .option('--scope <scope>', 'once, session or project (allow only)', 'once')
      .option('--reason <text>', 'told to the agent and recorded')
      .action(
        withExitCode(async (ids: string[], options: { scope: string; reason?: string }) => {
          if (!(APPROVAL_SCOPES as readonly string[]).includes(options.scope))
            throw new UsageError(`--scope is once, session or project, not "${options.scope}".`);
          const decided = await context.withApi('write', (api) =>
            api.approvals.decide({
              ids,
              allow: verb === 'allow',
              scope: options.scope as ApprovalScope,
              reason: options.reason,
            }),
          );
          for (const request of decided) context.print(describe(request));
          return EXIT.ok;
        }),
      );
}
