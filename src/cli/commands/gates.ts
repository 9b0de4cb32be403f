import type { Command } from 'commander';
import type { GateResult, GateRun, ReviewState } from '../../shared/gates';
import type { CliContext } from '../context';
import { EXIT, withExitCode } from '../output';

/**
 * `paddock gates run|show`, `paddock promote`, and `paddock review reject|send-back|signoff`:
 * the quality gates of a session's change and what follows from them.
 */
export function registerGates(program: Command, context: CliContext): void {
  const gates = program
    .command('gates')
    .description('the quality gates of a session’s change: run them, or show where they stand');

  gates
    .command('run <id>')
    .description(
      'snapshot the session’s work, land it on the target as it is now (merged if the target moved), and run every gate on that; exits 1 when a gate blocks',
    )
    .option(
      '--target <branch>',
      'the branch to land on (default: the one checked out in the project)',
    )
    .option('--json', 'print the run as one JSON object')
    .action(
      withExitCode(async (id: string, options: { target?: string; json?: boolean }) => {
        const run = await context.withApi('write', (api) =>
          api.gates.run({ id, ...(options.target ? { target: options.target } : {}) }),
        );
        if (options.json) context.print(JSON.stringify(run, null, 2));
        else printRun(context, run);
        return run.verdict === 'fail' ? EXIT.failed : EXIT.ok;
      }),
    );

  gates
    .command('show <id>')
    .description('the last gate run, whether it is stale, and what promotion would need')
    .option('--json', 'print the review state as one JSON object')
    .action(
      withExitCode(async (id: string, options: { json?: boolean }) => {
        const state = await context.withApi('write', (api) => api.gates.status({ id }));
        if (options.json) context.print(JSON.stringify(state, null, 2));
        else printState(context, state);
        return EXIT.ok;
      }),
    );

  program
    .command('promote <id>')
    .description(
      'land the session’s change on its target branch, if its gates passed on exactly this change (and nothing moved since)',
    )
    .option('--squash', 'one new commit on the target (the default)')
    .option('--merge', 'a merge commit of the target and Paddock’s snapshot of the work')
    .option('-m, --message <text>', 'the commit’s first line (default: the session’s task)')
    .option('--remove-workspace', 'remove the session’s workspace once the change landed')
    .action(
      withExitCode(
        async (
          id: string,
          options: { merge?: boolean; message?: string; removeWorkspace?: boolean },
        ) => {
          const promotion = await context.withApi('write', (api) =>
            api.review.promote({
              id,
              mode: options.merge ? 'merge' : 'squash',
              removeWorkspace: options.removeWorkspace ?? false,
              ...(options.message ? { message: options.message } : {}),
            }),
          );
          context.print(
            `Landed on ${promotion.targetBranch} (${promotion.mode}): ${short(promotion.before)} → ${short(promotion.after)}.`,
          );
          context.print(
            promotion.checkoutUpdated
              ? 'Your checkout had it out and was clean: it was fast-forwarded.'
              : `Your checkout was left as it is (it does not have ${promotion.targetBranch} out).`,
          );
          if (promotion.workspaceRemoved) context.print('The session’s workspace was removed.');
          return EXIT.ok;
        },
      ),
    );

  const review = program
    .command('review')
    .description('decide on a session’s change: reject it, send it back, or sign off');
  review
    .command('reject <id>')
    .description('reject the change; its reasons (and the failed gates) go back to the agent')
    .requiredOption('--reason <text>', 'why, for the record and for the agent')
    .option('--no-send-back', 'record the rejection only; tell the agent nothing')
    .action(
      withExitCode(async (id: string, options: { reason: string; sendBack: boolean }) => {
        const result = await context.withApi('write', (api) =>
          api.review.reject({ id, reason: options.reason, sendBack: options.sendBack }),
        );
        context.print(`Rejected ${id}.`);
        if (result.sentBack) context.print(deliveredLine(result.sentBack.delivered));
        return EXIT.ok;
      }),
    );
  review
    .command('send-back <id>')
    .description('send the failed gates (and a note) to the agent as a message in its session')
    .option('--note <text>', 'what the agent should change, besides the failures')
    .action(
      withExitCode(async (id: string, options: { note?: string }) => {
        const result = await context.withHost((api) =>
          api.review.sendBack({ id, ...(options.note ? { note: options.note } : {}) }),
        );
        context.print(deliveredLine(result.delivered));
        return EXIT.ok;
      }),
    );
  review
    .command('signoff <id>')
    .description(
      'sign off on the change as its gates checked it (what require-signoff gates wait for)',
    )
    .action(
      withExitCode(async (id: string) => {
        const signOff = await context.withApi('write', (api) => api.review.signoff({ id }));
        context.print(
          `Signed off on ${id} as ${signOff.by}: diff ${signOff.binding.diffHash.slice(0, 16)}… onto ${signOff.binding.targetBranch} ${short(signOff.binding.targetCommit)}.`,
        );
        return EXIT.ok;
      }),
    );
}

function printRun(context: CliContext, run: GateRun): void {
  const { binding } = run;
  context.print(
    `Gates of ${run.sessionId} on ${binding.targetBranch} ${short(binding.targetCommit)} (head ${short(binding.headCommit)}, diff ${binding.diffHash.slice(0, 12)})${run.merged ? ', merged onto the moved target' : ''}:`,
  );
  for (const result of run.results) printResult(context, result);
  context.print(VERDICTS[run.verdict]);
}

function printResult(context: CliContext, result: GateResult): void {
  const mark = result.status === 'passed' ? 'pass' : result.status === 'failed' ? 'FAIL' : 'ERROR';
  context.print(
    `  ${mark.padEnd(5)} ${result.name} [${result.kind}, ${result.action}] ${result.summary} (${result.durationMs} ms)${result.evidenceSeq ? ` evidence #${result.evidenceSeq}` : ''}`,
  );
  for (const finding of result.findings.slice(0, 20)) {
    const at = finding.path ? `${finding.path}${finding.line ? `:${finding.line}` : ''}: ` : '';
    context.print(`        ${at}${finding.message}${finding.where ? ` (${finding.where})` : ''}`);
  }
  if (result.status !== 'passed' && result.outputTail)
    for (const line of result.outputTail.trimEnd().split('\n').slice(-10))
      context.print(`        | ${line}`);
}

function printState(context: CliContext, state: ReviewState): void {
  if (state.promoted)
    context.print(
      `Promoted onto ${state.promoted.targetBranch}: ${short(state.promoted.before)} → ${short(state.promoted.after)} (${state.promoted.mode}).`,
    );
  if (state.problem) context.print(`Problem: ${state.problem}`);
  if (state.lastRun) printRun(context, state.lastRun);
  else context.print('The gates have not run.');
  for (const reason of state.staleReasons) context.print(`Stale: ${reason}`);
  for (const change of state.protectedChanges)
    context.print(`Protected: ${change.path} (${change.pattern})`);
  for (const signOff of state.signOffs)
    context.print(`Signed off by ${signOff.by} at ${signOff.at}`);
  if (state.rejected) context.print(`Rejected by ${state.rejected.by}: ${state.rejected.reason}`);
  if (!state.promoted)
    context.print(
      state.blockers.length
        ? `Promotion would refuse: ${state.blockers.join('; ')}.`
        : 'Ready to promote: `paddock promote ' + state.sessionId + '`.',
    );
}

const VERDICTS: Record<GateRun['verdict'], string> = {
  pass: 'Every blocking gate passed.',
  fail: 'A blocking gate did not pass: promotion refuses.',
  'needs-signoff': 'The blocking gates passed; a sign-off is needed (`paddock review signoff`).',
};

function deliveredLine(delivered: 'queued' | 'restarted'): string {
  return delivered === 'queued'
    ? 'Sent to the agent: typed in as soon as it waits for input.'
    : 'The agent was restarted in its session to receive it.';
}

function short(commit: string): string {
  return commit.slice(0, 12);
}
