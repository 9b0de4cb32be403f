import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { paddockPaths } from '../../main/core/home';
import type { AuditEvent, VerifyReport } from '../../shared/audit';
import type { CliContext } from '../context';
import { EXIT, formatEvent, UsageError, withExitCode } from '../output';

export function registerAudit(program: Command, context: CliContext): void {
  const audit = program.command('audit').description('the tamper-evident audit trail');

  audit
    .command('verify')
    .description('recompute the hash chain, every session chain, the blobs and the checkpoint')
    .option('--json', 'print the report as JSON')
    .action(
      withExitCode(async (options: { json?: boolean }) => {
        const paths = paddockPaths(context.home);
        if (!existsSync(paths.database))
          return verifyWithoutDatabase(
            context,
            paths.database,
            existsSync(paths.checkpoint),
            options.json,
          );
        const report = await context.withApi('read', (api) => api.audit.verify({}));
        context.print(options.json ? JSON.stringify(report, null, 2) : describeReport(report));
        return report.ok ? EXIT.ok : EXIT.failed;
      }),
    );

  audit
    .command('tail')
    .description('show the latest events; --follow keeps printing new ones')
    .option('-n, --lines <count>', 'how many recent events to show first', '20')
    .option('-f, --follow', 'keep printing events as they are written')
    .option('--json', 'one JSON object a line')
    .action(
      withExitCode(async (options: { lines: string; follow?: boolean; json?: boolean }) => {
        const count = Number.parseInt(options.lines, 10);
        if (!Number.isInteger(count) || count < 0)
          throw new UsageError(`--lines takes a whole number, not "${options.lines}"`);
        await context.withApi('read', async (api) => {
          const print = (events: AuditEvent[]) => {
            for (const event of events)
              context.print(options.json ? JSON.stringify(event) : formatEvent(event));
          };
          const latest = await api.audit.list({ order: 'desc', limit: Math.max(count, 1) });
          print(latest.slice(0, count).reverse());
          let last = latest[0]?.seq ?? 0;
          while (options.follow) {
            await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
            const fresh = await api.audit.list({ afterSeq: last, limit: 1000 });
            print(fresh);
            last = fresh.at(-1)?.seq ?? last;
          }
        });
        return EXIT.ok;
      }),
    );
}

/** Polling works the same against a running host and against the file, read-only. */
const FOLLOW_POLL_MS = 200;

function verifyWithoutDatabase(
  context: CliContext,
  database: string,
  checkpointExists: boolean,
  json?: boolean,
): number {
  if (checkpointExists) {
    const message = `The audit database ${database} is gone, but its checkpoint is still there: the record was removed.`;
    context.print(
      json
        ? JSON.stringify({ ok: false, problems: [{ kind: 'truncated', detail: message }] })
        : `✗ ${message}`,
    );
    return EXIT.failed;
  }
  context.print(
    json
      ? JSON.stringify({ ok: true, events: 0, problems: [] })
      : `No audit store at ${database} yet: nothing to verify.`,
  );
  return EXIT.ok;
}

function describeReport(report: VerifyReport): string {
  const { blobs, checkpoint } = report;
  const lines = [
    `${report.ok ? '✓ The audit chain holds' : '✗ The audit chain is broken'}: ${report.events} events, ${report.sessions} sessions, head ${report.head.slice(0, 16)}…`,
    `  blobs: ${blobs.present} present, ${blobs.dropped} dropped with a tombstone, ${blobs.referenced} referenced`,
    checkpoint
      ? `  checkpoint: ${checkpoint.count} events at ${checkpoint.writtenAt}`
      : '  checkpoint: none',
    `  checked in ${report.durationMs} ms`,
  ];
  const [first, ...rest] = report.problems;
  if (first) {
    const where =
      first.seq !== null
        ? `at event #${first.seq}`
        : first.blobHash
          ? `blob ${first.blobHash}`
          : '';
    lines.push(`First broken link: ${first.kind} ${where}`.trimEnd(), `  ${first.detail}`);
    if (rest.length) lines.push(`…and ${rest.length} more problem(s); use --json for all of them.`);
    lines.push(
      'What to do: keep this file as evidence, and restore the newest backup (or the copy you trust) before running agents again.',
    );
  }
  return lines.join('\n');
}
