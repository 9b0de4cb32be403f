import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { paddockPaths } from '../../main/core/home';
import type {
  AuditEvent,
  DroppedContent,
  PruneFile,
  PruneReport,
  VerifyReport,
} from '../../shared/audit';
import type { CliContext } from '../context';
import { EXIT, formatEvent, UsageError, withExitCode } from '../output';
import { parseTime } from '../time';
import { searchInput, verifyExportFile, writeExport, type SearchOptions } from './audit-export';

export function registerAudit(program: Command, context: CliContext): void {
  const audit = program.command('audit').description('the tamper-evident audit trail');

  audit
    .command('verify')
    .description(
      'recompute the hash chain, every session chain, the blobs and the checkpoint; or, with --export FILE, check an export on its own, offline',
    )
    .option(
      '--export <file>',
      'check this export (from `paddock audit export`) instead of the store',
    )
    .option(
      '--signer <key...>',
      'with --export: the digest must be signed by one of these (fingerprints SHA256:… or public key lines)',
    )
    .option('--json', 'print the report as JSON')
    .action(
      withExitCode(async (options: { json?: boolean; export?: string; signer?: string[] }) => {
        if (options.signer && !options.export)
          throw new UsageError('--signer checks who signed an export: use it with --export FILE.');
        if (options.export)
          return verifyExportFile(context, options.export, {
            json: options.json,
            signers: options.signer,
          });
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
    .command('search [words...]')
    .description(
      'search every session: words (in payloads and in what commands printed), narrowed by session, project, kind, actor and time; newest first',
    )
    .option('--session <id>', 'events of this session')
    .option('--project <path-or-id>', 'events of this project’s sessions')
    .option('--kind <kind...>', 'these kinds, or prefixes ending in a dot (approval.)')
    .option('--actor <actor...>', 'agent, person, policy or system')
    .option(
      '--since <time>',
      'at or after TIME: an ISO date or date-time, or how long ago (30m, 24h, 7d)',
    )
    .option('--until <time>', 'before TIME (same forms)')
    .option('-n, --limit <count>', 'at most this many hits (1-200)', '50')
    .option('--json', 'one JSON object a line, one per hit')
    .action(
      withExitCode(async (words: string[], options: SearchOptions) => {
        const hits = await context.withApi('read', async (api) =>
          api.audit.search(await searchInput(api, words, options)),
        );
        for (const event of hits)
          context.print(options.json ? JSON.stringify(event) : formatEvent(event));
        if (!options.json && hits.length === 0) context.note('No event matches.');
        return EXIT.ok;
      }),
    );

  audit
    .command('export')
    .description(
      'write the events as JSONL (hashes and links included), then a line with the digest of them all, signed by your identity if you have one',
    )
    .option('--session <id>', 'one session (it verifies through the session’s own chain)')
    .option('--since <time>', 'events at or after TIME (ISO date or date-time, or 7d, 24h)')
    .action(
      withExitCode(async (options: { session?: string; since?: string }) => {
        const since = options.since ? parseTime(options.since, new Date(), '--since') : undefined;
        await writeExport(context, {
          ...(options.session ? { sessionId: options.session } : {}),
          ...(since ? { since } : {}),
        });
        return EXIT.ok;
      }),
    );

  audit
    .command('prune')
    .description(
      'drop the content (terminal output, command output, diffs) that only events older than --before name; the events stay, each blob dropped gets a tombstone',
    )
    .requiredOption(
      '--before <when>',
      'a date (2026-01-31), a date and time (2026-01-31T12:00:00Z) or an age (30d, 12h, 2w)',
    )
    .option('--reason <text>', 'said by every tombstone (default: pruned by hand)')
    .option('--json', 'print the report as JSON')
    .action(
      withExitCode(async (options: { before: string; reason?: string; json?: boolean }) => {
        const before = parseBefore(options.before, new Date()).toISOString();
        const report = await context.withApi('write', (api) =>
          api.audit.prune({ before, ...(options.reason ? { reason: options.reason } : {}) }),
        );
        context.print(options.json ? JSON.stringify(report, null, 2) : describePrune(report));
        return EXIT.ok;
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
    ...(report.dropped ?? []).map(describeDrop),
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

const AGE = /^(\d+)([hdw])$/;
const HOURS = { h: 1, d: 24, w: 24 * 7 } as const;

/** `--before`: an ISO date or date and time, or an age counted back from `now`. */
export function parseBefore(value: string, now: Date): Date {
  const age = AGE.exec(value.trim());
  const when = age
    ? new Date(now.getTime() - Number(age[1]) * HOURS[age[2] as keyof typeof HOURS] * 3_600_000)
    : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())
      ? new Date(value.trim())
      : new Date(Number.NaN);
  if (Number.isNaN(when.getTime()))
    throw new UsageError(
      `--before takes a date (2026-01-31), a date and time (2026-01-31T12:00:00Z) or an age (30d, 12h, 2w), not "${value}"`,
    );
  if (when.getTime() > now.getTime())
    throw new UsageError(
      `--before ${value} is in the future. To drop all stored content up to now, use --before 0d.`,
    );
  return when;
}

function describePrune(report: PruneReport): string {
  const lines: string[] = [];
  if (report.blobs === 0)
    lines.push(
      `Nothing to drop: no stored content is named only by events older than ${report.before}.`,
    );
  else {
    lines.push(
      `Dropped the content of ${count(report.blobs, 'blob')} (${formatSize(report.bytes)}) that only events older than ${report.before} name: ${count(report.events, 'event')}, written ${when(report.oldest)} – ${when(report.newest)}.`,
      report.tombstones
        ? `Each has a tombstone (events #${report.tombstones.first}–#${report.tombstones.last}); the events stay, and \`paddock audit verify\` reports the drop.`
        : 'Their tombstones were written by a prune that was cut short; the events stay.',
    );
    if (report.resumed > 0 && report.tombstones)
      lines.push(
        `${count(report.resumed, 'blob')} of them had a tombstone already, from a prune that was cut short.`,
      );
  }
  if (report.kept > 0)
    lines.push(
      `Kept ${count(report.kept, 'blob')} that newer events name too (content is stored once).`,
    );
  lines.push(report.files.map(describeFile).join('; ') + '.');
  return lines.join('\n');
}

const SPACE: Record<PruneFile['space'], string> = {
  'incremental-vacuum': 'incremental vacuum',
  vacuum: 'vacuum',
  reuse: 'its freed pages are reused as the log grows',
  none: 'nothing freed',
};

function describeFile(file: PruneFile): string {
  const sizes =
    file.before === file.after
      ? formatSize(file.after)
      : `${formatSize(file.before)} → ${formatSize(file.after)}`;
  return `${file.name}: ${sizes} (${SPACE[file.space]})`;
}

function describeDrop(drop: DroppedContent): string {
  const [first, last] = [when(drop.first.ts), when(drop.last.ts)];
  const span = first === last ? `on ${first}` : `${first} – ${last}`;
  const size = drop.bytes > 0 ? ` (${formatSize(drop.bytes)})` : '';
  return `  dropped: ${count(drop.blobs, 'blob')}${size} by ${drop.actor}:${drop.actorId}, ${span}: ${drop.reason || 'no reason given'}`;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

function when(ts: string | null): string {
  return ts ? ts.replace('T', ' ').replace(/\.\d+Z$/, '') : '?';
}

function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
