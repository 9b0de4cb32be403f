import type { Command } from 'commander';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { personalSources } from '../../main/core/costs/import';
import type { TokenCounts } from '../../shared/costs';
import type { UsageImportSummary } from '../../shared/usage-import';
import type { CliContext } from '../context';
import { EXIT, withExitCode } from '../output';

/**
 * `paddock costs`: what model calls cost. `import` reads what the broker did not meter from the
 * agents' own files: Claude Code transcripts and Codex session files.
 */
export function registerCosts(program: Command, context: CliContext): void {
  const costs = program
    .command('costs')
    .description('what model calls cost: metered by the broker, or reported by the agents');

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

function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, i) =>
    Math.max(...rows.map((row) => (row[i] ?? '').length)),
  );
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === 0 || i === row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}
