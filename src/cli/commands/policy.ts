import type { Command } from 'commander';
import { lineDiff } from '../../shared/line-diff';
import type { PolicyView } from '../../shared/policy';
import type { CliContext } from '../context';
import { EXIT, withExitCode } from '../output';
import { confirm, readStdin } from '../prompt';

function printView(view: PolicyView, context: CliContext): void {
  const { repository } = view;
  context.print(`Project ${view.project}`);
  context.print(`  your policy (setting policy.personal): ${view.personal ? 'set' : 'none'}`);
  if (!repository) context.print('  .paddock/policy.yaml: none at HEAD');
  else
    context.print(
      `  .paddock/policy.yaml at HEAD: ${repository.sha256.slice(0, 12)}…, ${repository.trusted ? 'trusted' : 'NOT trusted: its allows act as asks, its workspace set-up does not run'}`,
    );
  if (repository?.workspace)
    context.print(
      `  workspace set-up: copy ${repository.workspace.copy.join(', ') || 'nothing'}; run ${repository.workspace.setup ?? 'nothing'}`,
    );
  if (view.rules.length === 0)
    context.print('  no permission rules: commands are judged by the classifier, the rest asked');
  for (const rule of view.rules) {
    const acts = rule.effective === rule.list ? '' : ` (acts as ${rule.effective} until trusted)`;
    context.print(`  ${rule.list.padEnd(5)}  ${rule.rule}  — ${rule.source}, ${rule.at}${acts}`);
  }
}

export function registerPolicy(program: Command, context: CliContext): void {
  const policy = program
    .command('policy')
    .description('the rules that decide what agents may do without asking');
  const project = (options: { project?: string }) => options.project ?? process.cwd();

  policy
    .command('check')
    .description(
      'reads one shell command a line on stdin; prints each decision and why, running nothing',
    )
    .option('--project <dir>', 'the repository whose policy counts (default: here)')
    .option('--json', 'one JSON object a line: command, decision, reason, rule, source')
    .action(
      withExitCode(async (options: { project?: string; json?: boolean }) => {
        const commands = (await readStdin()).split('\n').filter((line) => line.trim());
        const decisions = await context.withApi('write', (api) =>
          api.policy.check({ project: project(options), commands }),
        );
        for (const decision of decisions)
          context.print(
            options.json
              ? JSON.stringify(decision)
              : `${decision.decision.padEnd(5)}  ${decision.command}  — ${decision.reason}`,
          );
        return EXIT.ok;
      }),
    );

  policy
    .command('show')
    .description(
      'the policy in force: every rule with where it comes from, and whether the repository’s is trusted',
    )
    .option('--project <dir>', 'the repository (default: here)')
    .option('--json', 'print as JSON')
    .action(
      withExitCode(async (options: { project?: string; json?: boolean }) => {
        const view = await context.withApi('write', (api) =>
          api.policy.show({ project: project(options) }),
        );
        if (options.json) context.print(JSON.stringify(view, null, 2));
        else printView(view, context);
        return EXIT.ok;
      }),
    );

  policy
    .command('trust')
    .description(
      'trust this version of the repository’s policy, after reading it (and what changed)',
    )
    .option('--project <dir>', 'the repository (default: here)')
    .option('--yes', 'do not ask (for scripts that have shown the policy already)')
    .action(
      withExitCode(async (options: { project?: string; yes?: boolean }) => {
        const view = await context.withApi('write', (api) =>
          api.policy.show({ project: project(options) }),
        );
        const repository = view.repository;
        if (!repository) {
          context.note(`${view.project} has no .paddock/policy.yaml at HEAD: nothing to trust.`);
          return EXIT.failed;
        }
        if (repository.trusted) {
          context.print(`Already trusted: ${repository.sha256.slice(0, 12)}…`);
          return EXIT.ok;
        }
        const before = repository.trustedBefore;
        context.note(
          before ? `Changes since the version you trusted on ${before.trustedAt}:` : 'The policy:',
        );
        const lines = before
          ? lineDiff(before.text, repository.text).map((line) => `${line.mark} ${line.text}`)
          : repository.text.split('\n');
        for (const line of lines) context.note(`  ${line}`);
        if (!options.yes && !(await confirm('Trust this version? Type "trust": ', 'trust'))) {
          context.note('Not trusted.');
          return EXIT.failed;
        }
        const trusted = await context.withApi('write', (api) =>
          api.policy.trust({ project: view.project, sha256: repository.sha256 }),
        );
        context.print(`Trusted ${trusted.sha256.slice(0, 12)}… for ${view.project}.`);
        return EXIT.ok;
      }),
    );

  policy
    .command('untrust')
    .description('forget the trust in the repository’s policy (its allows act as asks again)')
    .option('--project <dir>', 'the repository (default: here)')
    .action(
      withExitCode(async (options: { project?: string }) => {
        const { forgotten } = await context.withApi('write', (api) =>
          api.policy.untrust({ project: project(options) }),
        );
        context.print(forgotten ? 'Trust forgotten.' : 'It was not trusted.');
        return EXIT.ok;
      }),
    );
}
