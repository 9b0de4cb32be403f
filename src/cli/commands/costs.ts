import { Option, type Command } from 'commander';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import {
  USAGE_SOURCES,
  type BudgetUse,
  type CostGroup,
  type CostReport,
  type TokenCounts,
} from '../../shared/costs';
import type { UsageImportSummary } from '../../shared/usage-import';
import type { CliContext } from '../context';
import { EXIT, UsageError, withExitCode } from '../output';
import { parseTime } from '../time';

/** How `paddock costs` can group calls, and the report's list each reads. */
const GROUPINGS = {
  day: 'byDay',
  week: 'byWeek',
  project: 'byProject',
  session: 'bySession',
  agent: 'byAgent',
  model: 'byModel',
} as const;
type Grouping = keyof typeof GROUPINGS;

/**
 * What the report can leave out, as nothing of it is printed: the days unless grouped by day or
 * week; for JSON and CSV (no budgets there), the budgets, and the sessions unless grouped by them.
 */
function leftOut(by: Grouping, machine: boolean): Array<'days' | 'budgets' | 'sessions'> {
  const bySession = by === 'project' || by === 'session' || by === 'agent';
  return [
    ...(by === 'day' || by === 'week' ? [] : ['days' as const]),
    ...(machine ? ['budgets' as const] : []),
    ...(machine && !bySession ? ['sessions' as const] : []),
  ];
}

/** What `paddock costs --json` prints: one object. */
export interface CostsJson {
  by: Grouping;
  since: string | null;
  until: string | null;
  generatedAt: string;
  /** The chosen grouping's rows (see CostGroup), in the report's order. */
  rows: CostGroup[];
  totals: CostReport['totals'];
  unpricedModels: CostReport['unpricedModels'];
}

/**
 * `paddock costs`: what model calls cost, by day, week, project, session, agent or model, over a
 * time range. `import` reads what the broker did not meter from the agents' own files: Claude
 * Code transcripts and Codex session files.
 */
export function registerCosts(program: Command, context: CliContext): void {
  const costs = program
    .command('costs')
    .description('what model calls cost: metered by the broker, or reported by the agents');

  // The default subcommand (`paddock costs --by model` is `paddock costs report --by model`):
  // options of `costs` itself would take `import`'s --json for their own.
  costs
    .command('report', { isDefault: true })
    .description(
      'what model calls cost, by day, week, project, session, agent or model (the default: `paddock costs` is `paddock costs report`)',
    )
    .addOption(
      new Option('--by <group>', 'what to group the calls by')
        .choices(Object.keys(GROUPINGS))
        .default('day'),
    )
    .option(
      '--since <time>',
      'calls at or after TIME: an ISO date (local midnight) or date-time, or how long ago (30m, 24h, 7d, 2w)',
    )
    .option('--until <time>', 'calls before TIME (same forms as --since)')
    .option(
      '--json',
      'print one JSON object: {by, since, until, generatedAt, rows, totals, unpricedModels}',
    )
    .option('--csv', 'print CSV (RFC 4180) with a header row, one row per group')
    .addHelpText(
      'after',
      `
Dollars are over priced calls only: a model the price table does not know is counted apart
(unpriced), never as $0. Days and weeks are local time; a week is keyed by its Monday.
--json prints {by, since, until, generatedAt, rows, totals, unpricedModels}: rows are the groups
(key, label, calls, costUsd, unpricedCalls, tokens {input, output, cacheWrite, cacheRead},
costBySource {metered, reported, estimated}); totals add calls by source. --by session lists the
50 most expensive sessions. --csv has no total row, and an empty cost_usd where no call was priced.`,
    )
    .action(
      withExitCode(
        async (options: {
          by: Grouping;
          since?: string;
          until?: string;
          json?: boolean;
          csv?: boolean;
        }) => {
          if (options.json && options.csv) throw new UsageError('Choose one of --json and --csv.');
          const now = new Date();
          const since =
            options.since === undefined ? undefined : parseTime(options.since, now, '--since');
          const until =
            options.until === undefined ? undefined : parseTime(options.until, now, '--until');
          if (since && until && since >= until)
            throw new UsageError(`--since (${since}) must come before --until (${until}).`);
          const report = await context.withApi(
            'read',
            (api) => api.costs.report({ since, until }),
            async () =>
              (await import('../../main/cost-report')).readCostReport(context.home, {
                since,
                until,
                without: leftOut(options.by, !!(options.json || options.csv)),
              }),
          );
          const rows = report[GROUPINGS[options.by]];
          if (options.json) {
            const json: CostsJson = {
              by: options.by,
              since: report.since,
              until: report.until,
              generatedAt: report.generatedAt,
              rows,
              totals: report.totals,
              unpricedModels: report.unpricedModels,
            };
            context.print(JSON.stringify(json));
          } else if (options.csv) context.print(costsCsv(options.by, rows));
          else for (const line of describeCosts(options.by, report)) context.print(line);
          return EXIT.ok;
        },
      ),
    );

  const repeatable = (dir: string, dirs: string[] | undefined) => [...(dirs ?? []), dir];
  costs
    .command('import')
    .description(
      'import usage the broker did not meter, from Claude Code transcripts and Codex session files: one cost.usage event per call not recorded yet (a call the broker metered keeps its metered figures)',
    )
    .option(
      '--claude <dir>',
      'a Claude Code projects directory to read (repeat for more). Without --claude or --codex: ~/.claude/projects, ~/.codex/sessions and every Paddock session’s agent home',
      repeatable,
    )
    .option('--codex <dir>', 'a Codex sessions directory to read (repeat for more)', repeatable)
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      '\nImporting again adds only calls not recorded yet. Transcripts in a Paddock session’s agent home count for that session; the others for no session.',
    )
    .action(
      withExitCode(async (options: { claude?: string[]; codex?: string[]; json?: boolean }) => {
        const named = options.claude !== undefined || options.codex !== undefined;
        const { personalSources } = await import('../../main/core/costs/import');
        const own = personalSources();
        const dirs = (given: string[] | undefined, kind: 'claude' | 'codex') =>
          named
            ? (given ?? []).map((dir) => resolve(dir))
            : own.filter((source) => source.kind === kind).map((source) => source.dir);
        const summary = await context.withApi('write', (api) =>
          api.costs.import({
            claude: dirs(options.claude, 'claude'),
            codex: dirs(options.codex, 'codex'),
            paddockSessions: !named,
          }),
        );
        if (options.json) context.print(JSON.stringify(summary));
        else for (const line of describeImport(summary)) context.print(line);
        return summary.unreadable.length > 0 ? EXIT.failed : EXIT.ok;
      }),
    );
}

const number = (n: number) => n.toLocaleString('en-US');
const dollars = (usd: number) => `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(4)}`;
const signed = (n: number) => (n > 0 ? `+${number(n)}` : number(n));

const plural = (n: number, word: string) => `${number(n)} ${word}${n === 1 ? '' : 's'}`;

function size(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

function tildePath(path: string): string {
  const home = homedir();
  return path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

function describeImport(s: UsageImportSummary): string[] {
  const rate =
    s.bytes >= 1e6 && s.seconds > 0 ? `, ${(s.bytes / 1e6 / s.seconds).toFixed(0)} MB/s` : '';
  const lines = [
    `Read ${plural(s.files, 'file')} (${size(s.bytes)}, ${plural(s.lines, 'line')}) in ${s.seconds.toFixed(1)} s${rate}.`,
    `Calls found: ${number(s.calls)}`,
    `  added            ${number(s.added).padStart(10)}  new cost.usage events`,
    `  already there    ${number(s.duplicates).padStart(10)}  from an earlier import`,
    `  already metered  ${number(s.alreadyMetered).padStart(10)}  the broker's figures stand`,
  ];
  if (s.repeats > 0)
    lines.push(
      `${number(s.repeats)} repeated entries (a line per content block, resumed sessions, counts sent again) counted once.`,
    );
  if (s.malformed > 0 || s.longLines > 0)
    lines.push(
      `Skipped ${plural(s.malformed, 'malformed line')}${s.longLines ? ` and ${plural(s.longLines, 'line')} over 16 MiB` : ''}.`,
    );
  if (s.unpriced.length > 0)
    lines.push(
      `Not in the price table, written without a cost: ${s.unpriced.map((u) => `${u.model} (${plural(u.calls, 'call')})`).join(', ')}. A price can be added with \`paddock settings set costs.prices\`.`,
    );
  for (const { path, error } of s.unreadable) lines.push(`Could not read ${path}: ${error}`);
  if (s.sessions.length > 0) {
    lines.push('Metered against what the transcripts reported, for the same calls:');
    lines.push(
      ...table([
        ['SESSION', 'CALLS', 'METERED', 'REPORTED', 'DIFFERENCE', 'TOKENS METERED − REPORTED'],
        ...s.sessions.map((c) => [
          c.sessionId ?? '(none)',
          number(c.calls),
          dollars(c.metered.costUsd),
          dollars(c.reported.costUsd),
          dollars(c.difference.costUsd),
          tokenDifference(c.difference.tokens),
        ]),
      ]),
    );
  }
  const own = s.sources.filter((source) => source.sessionId === null);
  const inSessions = s.sources.filter((source) => source.sessionId !== null && source.files > 0);
  lines.push('Read from:');
  for (const source of own)
    lines.push(`  ${tildePath(source.dir)}  ${plural(source.files, 'file')}`);
  if (inSessions.length > 0 || own.length === 0)
    lines.push(
      `  the agent homes of ${plural(new Set(inSessions.map((source) => source.sessionId)).size, 'Paddock session')}  ${plural(
        inSessions.reduce((sum, source) => sum + source.files, 0),
        'file',
      )}`,
    );
  return lines;
}

function tokenDifference(t: TokenCounts): string {
  return `input ${signed(t.input)}, output ${signed(t.output)}, cache write ${signed(t.cacheWrite)}, cache read ${signed(t.cacheRead)}`;
}

/** Columns padded to line up: the first and (unless `lastIsNumber`) the last to the left, the rest to the right. */
function table(rows: string[][], { lastIsNumber = false } = {}): string[] {
  const widths = (rows[0] ?? []).map((_, i) =>
    Math.max(...rows.map((row) => (row[i] ?? '').length)),
  );
  const left = (i: number, row: string[]) => i === 0 || (i === row.length - 1 && !lastIsNumber);
  return rows.map((row) =>
    `  ${row.map((cell, i) => (left(i, row) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}

const HEADINGS: Record<Grouping, string> = {
  day: 'DAY',
  week: 'WEEK OF',
  project: 'PROJECT',
  session: 'SESSION',
  agent: 'AGENT',
  model: 'MODEL',
};

function groupCell(by: Grouping, group: CostGroup): string {
  if (by === 'session' && group.key !== group.label && group.key.startsWith('ses_'))
    return `${group.key}  ${group.label}`;
  if (by === 'project' && group.key.startsWith('/'))
    return `${group.label}  ${tildePath(group.key)}`;
  if (by === 'week') return group.key;
  return group.label;
}

/** The table, its total line, and what a person should know about it. */
function describeCosts(by: Grouping, report: CostReport): string[] {
  const rows = report[GROUPINGS[by]];
  const bounds = [
    report.since ? `from ${localTime(report.since)}` : '',
    report.until ? `until ${localTime(report.until)}` : '',
  ].filter(Boolean);
  const range = bounds.length ? ` ${bounds.join(' ')}` : ', all time';
  if (report.totals.calls === 0) return [`No model calls on the record${range}.`];
  const line = (
    group: string,
    g: Pick<CostGroup, 'calls' | 'costUsd' | 'unpricedCalls' | 'tokens'>,
  ) => [
    group,
    number(g.calls),
    // No priced call: the cost is unknown, not $0.
    g.unpricedCalls === g.calls ? '?' : money(g.costUsd),
    number(g.tokens.input),
    number(g.tokens.output),
    number(g.tokens.cacheWrite),
    number(g.tokens.cacheRead),
    g.unpricedCalls ? number(g.unpricedCalls) : '',
  ];
  const lines = [
    `Model calls by ${by}${range}:`,
    ...table(
      [
        [HEADINGS[by], 'CALLS', 'COST', 'INPUT', 'OUTPUT', 'CACHE WRITE', 'CACHE READ', 'UNPRICED'],
        ...rows.map((group) => line(groupCell(by, group), group)),
        line('TOTAL', report.totals),
      ],
      { lastIsNumber: true },
    ),
  ];
  const shown = rows.reduce((sum, group) => sum + group.calls, 0);
  if (shown < report.totals.calls)
    lines.push(
      `The ${rows.length} most expensive sessions are shown; ${plural(report.totals.calls - shown, 'more call')} were in others.`,
    );
  const sources = USAGE_SOURCES.filter((source) => report.totals.bySource[source].calls > 0);
  if (sources.length > 1)
    lines.push(
      `By source: ${sources.map((source) => `${source} ${money(report.totals.bySource[source].costUsd)} (${plural(report.totals.bySource[source].calls, 'call')})`).join(', ')}.`,
    );
  if (report.unpricedModels.length > 0) {
    const first = report.unpricedModels[0]?.model ?? 'the-model';
    lines.push(
      '',
      `Unpriced: ${report.unpricedModels.map((u) => `${u.model} (${plural(u.calls, 'call')})`).join(', ')}.`,
      `The price table does not know ${report.unpricedModels.length === 1 ? 'this model' : 'these models'}: what those calls cost is not in the figures above (it is unknown, not $0).`,
      `To price one, in US dollars per token (this replaces your other price overrides, which \`paddock settings list\` shows):`,
      `  paddock settings set costs.prices '{"${first}": {"input_cost_per_token": 3e-6, "output_cost_per_token": 1.5e-5}}'`,
      'A price applies to calls recorded after it is set.',
    );
  }
  lines.push(
    '',
    `Today: ${money(report.today.spentUsd)} so far; at this rate ${money(report.today.forecastUsd)} by midnight.`,
  );
  return [...lines, ...describeBudgets(report.budgets)];
}

/** At most this many projects or sessions near their limits are named. */
const BUDGETS_NAMED = 5;

/** The day's budget, and the projects and sessions at 80% of theirs or more (the most used first). */
function describeBudgets(budgets: readonly BudgetUse[]): string[] {
  const used = (budget: BudgetUse) => budget.spentUsd / budget.limitUsd;
  const line = (budget: BudgetUse) =>
    `  ${budget.label}: ${money(budget.spentUsd)} of ${money(budget.limitUsd)} (${Math.round(used(budget) * 100)}%)`;
  const lines: string[] = [];
  for (const scope of ['day', 'project', 'session'] as const) {
    const all = budgets.filter((budget) => budget.scope === scope);
    if (all.length === 0) continue;
    if (scope === 'day') {
      lines.push(...all.map(line));
      continue;
    }
    const near = all.filter((budget) => used(budget) >= 0.8).sort((a, b) => used(b) - used(a));
    const what =
      scope === 'project'
        ? `${plural(near.length, 'project')} of ${number(all.length)}`
        : `${number(near.length)} of the ${plural(all.length, 'session')} listed`;
    lines.push(
      `  ${what} at 80% of the ${scope} limit (${money(all[0]?.limitUsd ?? 0)}) or more${near.length ? ':' : '.'}`,
      ...near.slice(0, BUDGETS_NAMED).map((budget) => `  ${line(budget)}`),
    );
    if (near.length > BUDGETS_NAMED) lines.push(`    and ${near.length - BUDGETS_NAMED} more`);
  }
  return lines.length ? ['Budgets:', ...lines] : [];
}

/** Dollars for the cost table: cents from $1 up (with separators), four decimals below. */
function money(usd: number): string {
  return Math.abs(usd) >= 1
    ? `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
    : dollars(usd);
}

/** RFC 4180: every field that holds a comma, a quote or a line break is quoted, quotes doubled; CRLF between records. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Dollars in CSV: to the millionth of a cent, without floating-point tails. */
const csvDollars = (usd: number) => String(Math.round(usd * 1e8) / 1e8);

function costsCsv(by: Grouping, rows: readonly CostGroup[]): string {
  const header = [
    by,
    'label',
    'calls',
    'cost_usd',
    'unpriced_calls',
    'input_tokens',
    'output_tokens',
    'cache_write_tokens',
    'cache_read_tokens',
    ...USAGE_SOURCES.map((source) => `cost_${source}_usd`),
  ];
  const records = rows.map((group) => [
    group.key,
    group.label,
    group.calls,
    // No priced call: the cost is unknown, not 0.
    group.unpricedCalls === group.calls ? '' : csvDollars(group.costUsd),
    group.unpricedCalls,
    group.tokens.input,
    group.tokens.output,
    group.tokens.cacheWrite,
    group.tokens.cacheRead,
    ...USAGE_SOURCES.map((source) => csvDollars(group.costBySource[source])),
  ]);
  // Every record ends in CRLF; `print` adds the last LF.
  return `${[header, ...records].map((record) => record.map(csvField).join(',')).join('\r\n')}\r`;
}

/** An ISO time as a person reads it here: local, to the minute. */
function localTime(iso: string): string {
  const time = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${pad(time.getHours())}:${pad(time.getMinutes())}`;
}
