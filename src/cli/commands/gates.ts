import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GateResult, GateRun, ReviewState } from '../../shared/gates';
import type { SignoffStatus } from '../../shared/signoff';
import type { CliContext } from '../context';
import { EXIT, UsageError, withExitCode } from '../output';
import { readStdin } from '../prompt';

/**
 * `paddock gates run|show`, `paddock promote`, `paddock review reject|send-back|sign|export|import`
 * and `paddock signoff verify`: the quality gates of a session's change and what follows.
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
    .command('sign <id>')
    .description(
      'sign the change with your identity (a local session’s as it is now, or an imported review’s)',
    )
    .option('--approve', 'approve it (what its gates checked)')
    .option('--reject', 'reject it (needs --reason)')
    .option('--reason <text>', 'why (required with --reject)')
    .option('--out <file>', 'also write the signed statement to FILE (to send back to its author)')
    .action(
      withExitCode(
        async (
          id: string,
          options: { approve?: boolean; reject?: boolean; reason?: string; out?: string },
        ) => {
          if (Boolean(options.approve) === Boolean(options.reject))
            throw new UsageError('Say --approve or --reject (with --reason).');
          const signed = await context.withApi('write', (api) =>
            api.review.sign({
              id,
              decision: options.approve ? 'approve' : 'reject',
              ...(options.reason ? { reason: options.reason } : {}),
            }),
          );
          if (options.out) writeFileSync(options.out, signed.text);
          context.print(
            `Signed ${signed.check.decision === 'approve' ? 'an approval' : 'a rejection'} of ${id} as ${signed.check.signer.name} (${signed.check.signer.fingerprint}).`,
          );
          context.print(
            `Here: ${signed.check.counts ? 'it counts' : `it does not count (${signed.check.why})`}.`,
          );
          if (options.out)
            context.print(
              `Send ${options.out} back: its author runs \`paddock review import ${options.out}\`.`,
            );
          return EXIT.ok;
        },
      ),
    );
  review
    .command('export <id>')
    .description(
      'print a review bundle of the change as it is now (diff, gate evidence, hashes) for a reviewer elsewhere',
    )
    .action(
      withExitCode(async (id: string) => {
        const { bundle } = await context.withApi('write', (api) => api.review.export({ id }));
        process.stdout.write(bundle);
        return EXIT.ok;
      }),
    );
  review
    .command('import <file>')
    .description('take in a review bundle (to sign), or a signed statement coming back (- : stdin)')
    .action(
      withExitCode(async (file: string) => {
        const text = file === '-' ? await readStdin() : readFileSync(file, 'utf8');
        const imported = await context.withApi('write', (api) => api.review.import({ text }));
        if (imported.kind === 'bundle') {
          context.print(
            `Imported the review of ${imported.sessionId} (onto ${imported.targetBranch}, diff ${imported.diffHash.slice(0, 16)}…): ${imported.task}`,
          );
          context.print(
            `Read it (the file holds the patch), then: paddock review sign ${imported.sessionId} --approve --out FILE`,
          );
        } else
          context.print(
            `Took in ${imported.check.signer.name}'s ${imported.check.decision} of ${imported.sessionId}: ${imported.check.counts ? 'it counts' : `it does not count (${imported.check.why})`}.`,
          );
        return EXIT.ok;
      }),
    );

  program
    .command('signoff')
    .description('check the sign-offs of a change, offline')
    .command('verify [id]')
    .description(
      'check every signed statement of a change (a session here, or --repo: a landed commit in any clone) against the policy’s keys, and say which count; exits 1 when the sign-offs are not complete',
    )
    .option('--repo <dir>', 'a clone of the project: check the sign-offs noted on a landed commit')
    .option('--commit <rev>', 'with --repo: the landed commit (default HEAD)')
    .option('--json', 'print the status as one JSON object')
    .action(
      withExitCode(
        async (
          id: string | undefined,
          options: { repo?: string; commit?: string; json?: boolean },
        ) => {
          if (Boolean(id) === Boolean(options.repo))
            throw new UsageError('Name a session (ID) or a clone (--repo DIR), one of the two.');
          const status = await context.withApi('write', (api) =>
            options.repo
              ? api.signoff.verifyCommit({
                  repo: resolve(options.repo),
                  ...(options.commit ? { commit: options.commit } : {}),
                })
              : api.signoff.verify({ id: id as string }),
          );
          if (options.json) context.print(JSON.stringify(status, null, 2));
          else printSignoff(context, status);
          return status.met ? EXIT.ok : EXIT.failed;
        },
      ),
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
  printSignoff(context, state.signoff);
  if (state.rejected) context.print(`Rejected by ${state.rejected.by}: ${state.rejected.reason}`);
  if (!state.promoted)
    context.print(
      state.blockers.length
        ? `Promotion would refuse: ${state.blockers.join('; ')}.`
        : 'Ready to promote: `paddock promote ' + state.sessionId + '`.',
    );
}

function printSignoff(context: CliContext, status: SignoffStatus): void {
  if (status.requirements.length === 0 && status.statements.length === 0) return;
  context.print(
    `Sign-offs: ${status.requirements.join('; ') || 'none asked for'}: ${status.met ? 'complete' : `missing ${status.missing.join('; ')}`}`,
  );
  for (const check of status.statements)
    context.print(
      `  ${check.counts ? 'counts' : 'void  '} ${check.decision} by ${check.signer.name}${check.signer.role ? ` (${check.signer.role})` : ''} ${check.signer.fingerprint} at ${check.signedAt}${check.reason ? `: ${check.reason}` : ''}${check.counts ? '' : ` — ${check.why}`}`,
    );
}

const VERDICTS: Record<GateRun['verdict'], string> = {
  pass: 'Every blocking gate passed.',
  fail: 'A blocking gate did not pass: promotion refuses.',
  'needs-signoff':
    'The blocking gates passed; a sign-off is needed (`paddock review sign ID --approve`).',
};

function deliveredLine(delivered: 'queued' | 'restarted'): string {
  return delivered === 'queued'
    ? 'Sent to the agent: typed in as soon as it waits for input.'
    : 'The agent was restarted in its session to receive it.';
}

function short(commit: string): string {
  return commit.slice(0, 12);
}
