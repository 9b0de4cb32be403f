import type { Command } from 'commander';
import type { DoctorCheck } from '../../shared/doctor';
import type { CliContext } from '../context';
import { EXIT, withExitCode } from '../output';

const MARK: Record<DoctorCheck['status'], string> = { ok: '✓', warn: '!', missing: '✗' };

export function registerDoctor(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description(
      'check what this machine offers Paddock (git, sandbox, keychain, browsers, agent CLIs)',
    )
    .option('--json', 'print the report as JSON')
    .action(
      withExitCode(async (options: { json?: boolean }) => {
        const report = await context.withApi('write', (api) => api.doctor.run({}));
        if (options.json) context.print(JSON.stringify(report, null, 2));
        else {
          for (const check of report.checks) {
            context.print(
              `${MARK[check.status]} ${check.title}${check.required ? '' : ' (optional)'}: ${check.detail}`,
            );
            if (check.fix) context.print(`    → ${check.fix}`);
          }
          context.print(
            report.ok
              ? '\nThis machine can run Paddock.'
              : '\nPaddock needs the items marked ✗ above (see → for how to install them).',
          );
        }
        return report.ok ? EXIT.ok : EXIT.failed;
      }),
    );
}
