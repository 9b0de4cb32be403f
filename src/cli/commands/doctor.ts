import type { Command } from 'commander';
import { runDoctor } from '../../main/core/doctor';
import type { JsonObject } from '../../shared/audit';
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
        const report = await runDoctor();
        await context.withPaddock((paddock) => {
          paddock.store.append({
            kind: 'doctor.ran',
            ...paddock.person,
            payload: report as unknown as JsonObject,
          });
        });
        if (options.json) context.print(JSON.stringify(report, null, 2));
        else {
          for (const check of report.checks) {
            const need = check.required ? '' : ' (optional)';
            context.print(`${MARK[check.status]} ${check.title}${need}: ${check.detail}`);
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
