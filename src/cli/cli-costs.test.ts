/**
 * `paddock costs` and `paddock costs import` as a person runs them: the real CLI in a child
 * process. The report on usage seeded into a Paddock home (in New York's time zone), in-process
 * and through a host; the import on transcripts in the person's own HOME and in a Paddock
 * session's agent home.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../shared/audit';
import type { UsageImportSummary } from '../shared/usage-import';
import { startHeadlessHost } from '../main/server';
import {
  codexSessionMeta,
  codexTokenCount,
  codexTurnContext,
} from '../main/core/costs/import/fixtures/transcripts';
import { paddock, paddockAsync } from '../test-support/cli';
import { tempDir } from '../test-support/temp';
import type { CostsJson } from './commands/costs';
import { AuditStore } from '../main/core/store';
import {
  appendCalls,
  insertProjects,
  insertSessions,
  type SeedCall,
} from '../main/core/costs/fixtures/usage';

const REAL = join(
  __dirname,
  '..',
  'main',
  'core',
  'costs',
  'import',
  'fixtures',
  'claude-code-2.1.197.jsonl',
);
const SESSION = 'ses_00c0ffee';

/** The real transcript in a person's ~/.claude and in a session's agent home; a Codex file in ~/.codex. */
function setUp() {
  const paddockHome = tempDir('paddock-home-');
  const personHome = tempDir('person-');
  const own = join(personHome, '.claude', 'projects', '-home-ada-code');
  mkdirSync(own, { recursive: true });
  cpSync(REAL, join(own, 'own.jsonl'));
  const inSession = join(paddockHome, 'sessions', SESSION, 'home', '.claude', 'projects', '-ws');
  mkdirSync(inSession, { recursive: true });
  // A different session's messages: other ids (the same ids would be the same calls).
  writeFileSync(
    join(inSession, 'agent.jsonl'),
    readFileSync(REAL, 'utf8')
      .replaceAll('msg_01Recorded', 'msg_01Session')
      .replaceAll('req_011CRecorded', 'req_011CSession'),
  );
  const codex = join(personHome, '.codex', 'sessions', '2026', '12', '05');
  mkdirSync(codex, { recursive: true });
  const turn = { input: 20_000, cached: 18_000, output: 700, reasoning: 300 };
  writeFileSync(
    join(codex, 'rollout-2026-12-05T10-00-00-x.jsonl'),
    `${[
      codexSessionMeta('0199c0de-0000-7000-8000-000000000001', '2026-12-05T10:00:00Z'),
      codexTurnContext('gpt-5-codex', '2026-12-05T10:00:01Z'),
      codexTokenCount('2026-12-05T10:00:02Z', turn),
      codexTokenCount('2026-12-05T10:00:03Z', turn),
    ].join('\n')}\n`,
  );
  return {
    paddockHome,
    personHome,
    env: { HOME: personHome, CLAUDE_CONFIG_DIR: '', CODEX_HOME: '' },
  };
}

function usageEvents(home: string): AuditEvent[] {
  const tail = paddock(home, ['audit', 'tail', '--json', '-n', '100']);
  return tail.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((event) => event.kind === 'cost.usage');
}

describe('paddock costs import', () => {
  it('imports the person’s and every session’s transcripts by default, once', () => {
    const { paddockHome, env } = setUp();

    const first = paddock(paddockHome, ['costs', 'import', '--json'], env);
    const again = paddock(paddockHome, ['costs', 'import'], env);

    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as UsageImportSummary;
    expect(summary).toMatchObject({
      files: 3,
      calls: 7,
      added: 7,
      duplicates: 0,
      repeats: 7, // 3 + 3 repeated content-block lines, 1 Codex count sent again
      malformed: 0,
      unpriced: [],
    });
    const events = usageEvents(paddockHome);
    expect(events.map((e) => e.sessionId)).toEqual([
      null,
      null,
      null,
      null,
      SESSION,
      SESSION,
      SESSION,
    ]);
    expect(events[0]?.payload).toMatchObject({
      source: 'reported',
      model: 'claude-opus-4-8',
      pricedAs: 'claude-opus-4-8',
      requestId: 'req_011CRecorded0002',
      tokens: { input: 12, output: 22, cacheWrite: 2000, cacheRead: 5002 },
    });
    expect(events[3]?.payload).toMatchObject({
      provider: 'openai',
      model: 'gpt-5-codex',
      tokens: { input: 2_000, output: 700, cacheWrite: 0, cacheRead: 18_000 },
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Read 3 files \(\d+\.\d kB, 40 lines\) in \d+\.\d s\./);
    expect(again.stdout).toContain('  added                     0  new cost.usage events');
    expect(again.stdout).toContain('  already there             7  from an earlier import');
    expect(usageEvents(paddockHome)).toHaveLength(7);
  });

  it('reads only the directories named, and through a running host', async () => {
    const { paddockHome, personHome } = setUp();
    const host = await startHeadlessHost({ home: paddockHome, staticDir: null });
    try {
      const result = await paddockAsync(paddockHome, [
        'costs',
        'import',
        '--claude',
        join(personHome, '.claude', 'projects'),
        '--json',
      ]);
      expect(result.stderr).toBe('');
      const summary = JSON.parse(result.stdout) as UsageImportSummary;
      expect(summary).toMatchObject({ files: 1, calls: 3, added: 3 });
      expect(summary.sources).toEqual([
        { kind: 'claude', dir: join(personHome, '.claude', 'projects'), sessionId: null, files: 1 },
      ]);
    } finally {
      await host.close();
    }
  });
});

const NEW_YORK = { TZ: 'America/New_York' };
const tokens = (n: number) => ({
  input: 10 * n,
  output: n,
  cacheWrite: 100 * n,
  cacheRead: 1000 * n,
});
const HOUR = 3_600_000;

/** Usage on the record of a Paddock home: two projects (one with a comma and quotes in its name), three sessions. */
function reportHome(now = Date.now()) {
  const home = tempDir('paddock-home-');
  const store = AuditStore.open({ home });
  insertProjects(store, [
    { id: 'prj_0000000a', path: '/repos/alpha', name: 'alpha' },
    { id: 'prj_0000000b', path: '/repos/beta', name: 'beta, "the second"' },
  ]);
  insertSessions(store, [
    {
      id: 'ses_0000000a',
      projectId: 'prj_0000000a',
      agentPreset: 'claude',
      task: 'Fix "login", then test',
    },
    { id: 'ses_0000000b', projectId: 'prj_0000000b', agentPreset: 'codex', task: 'Add CSV export' },
  ]);
  const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString();
  // prettier-ignore
  const calls: SeedCall[] = [
    { sessionId: 'ses_0000000a', at: '2026-03-08T04:30:00.000Z', source: 'metered', model: 'claude-sonnet-4-5', tokens: tokens(1), costUsd: 1.25 },
    { sessionId: 'ses_0000000a', at: '2026-03-09T04:30:00.000Z', source: 'metered', model: 'claude-sonnet-4-5', tokens: tokens(2), costUsd: 0.5 },
    { sessionId: 'ses_0000000b', at: '2026-03-09T12:00:00.000Z', source: 'metered', model: 'gpt-5-codex', tokens: tokens(3), costUsd: 2 },
    { sessionId: 'ses_0000000b', at: '2026-03-09T13:00:00.000Z', source: 'metered', model: 'local-llama', tokens: tokens(4), costUsd: null },
    { sessionId: null, at: at(5 * 24), source: 'reported', model: 'claude-haiku-4-5', tokens: tokens(5), costUsd: 0.0625 },
    { sessionId: null, at: at(2), source: 'reported', model: 'claude-haiku-4-5', tokens: tokens(6), costUsd: 0.125 },
  ];
  appendCalls(store, calls);
  store.close();
  return { home, calls };
}

function costsJson(result: { code: number | null; stdout: string; stderr: string }): CostsJson {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as CostsJson;
}

// A new CLI process per run (through tsx): a few seconds each on a busy machine.
describe('paddock costs', { timeout: 60_000 }, () => {
  it('prints a table by local day, a total line, and the unpriced models with how to price them', () => {
    const { home } = reportHome();
    const result = paddock(home, ['costs', '--until', '2026-03-10'], NEW_YORK);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Model calls by day until 2026-03-10 00:00:');
    expect(lines[1]).toMatch(
      /^ {2}DAY +CALLS +COST +INPUT +OUTPUT +CACHE WRITE +CACHE READ +UNPRICED$/,
    );
    // 04:30 UTC on 8 March is 23:30 on the 7th in New York; on the 9th (after the clocks went forward) 00:30.
    expect(lines.slice(2, 6).map((line) => line.trim().split(/ {2,}/))).toEqual([
      ['Sat 2026-03-07', '1', '$1.25', '10', '1', '100', '1,000'],
      ['Mon 2026-03-09', '3', '$2.50', '90', '9', '900', '9,000', '1'],
      ['TOTAL', '4', '$3.75', '100', '10', '1,000', '10,000', '1'],
      [''],
    ]);
    expect(result.stdout).toContain('Unpriced: local-llama (1 call).');
    expect(result.stdout).toContain(
      `  paddock settings set costs.prices '{"local-llama": {"input_cost_per_token": 3e-6, "output_cost_per_token": 1.5e-5}}'`,
    );
  });

  it('--json prints one object: the grouping’s rows, the totals and the unpriced models', () => {
    const { home, calls } = reportHome();
    const json = costsJson(paddock(home, ['costs', '--by', 'model', '--json'], NEW_YORK));

    expect(Object.keys(json)).toEqual([
      'by',
      'since',
      'until',
      'generatedAt',
      'rows',
      'totals',
      'unpricedModels',
    ]);
    expect(json).toMatchObject({ by: 'model', since: null, until: null });
    expect(json.rows.map((row) => [row.key, row.calls, row.costUsd, row.unpricedCalls])).toEqual([
      ['gpt-5-codex', 1, 2, 0],
      ['claude-sonnet-4-5', 2, 1.75, 0],
      ['claude-haiku-4-5', 2, 0.1875, 0],
      ['local-llama', 1, 0, 1],
    ]);
    expect(json.rows[0]).toEqual({
      key: 'gpt-5-codex',
      label: 'gpt-5-codex',
      calls: 1,
      costUsd: 2,
      unpricedCalls: 0,
      tokens: tokens(3),
      costBySource: { metered: 2, reported: 0, estimated: 0 },
    });
    expect(json.totals).toMatchObject({
      calls: calls.length,
      costUsd: 3.9375,
      unpricedCalls: 1,
      bySource: { metered: { calls: 4, costUsd: 3.75 }, reported: { calls: 2, costUsd: 0.1875 } },
    });
    expect(json.unpricedModels).toEqual([{ model: 'local-llama', calls: 1 }]);
  });

  it('--csv prints a header row and RFC 4180 fields', () => {
    const { home } = reportHome();
    const bySession = paddock(home, ['costs', '--by', 'session', '--csv'], NEW_YORK);
    const byProject = paddock(home, ['costs', '--by', 'project', '--csv'], NEW_YORK);

    expect(bySession.stderr).toBe('');
    expect(bySession.stdout).toBe(
      [
        'session,label,calls,cost_usd,unpriced_calls,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens,cost_metered_usd,cost_reported_usd,cost_estimated_usd',
        'ses_0000000b,Add CSV export,2,2,1,70,7,700,7000,2,0,0',
        'ses_0000000a,"Fix ""login"", then test",2,1.75,0,30,3,300,3000,1.75,0,0',
        '(outside Paddock),Outside Paddock (no session),2,0.1875,0,110,11,1100,11000,0,0.1875,0',
        '',
      ].join('\r\n'),
    );
    expect(byProject.stdout.split('\r\n')[1]).toBe(
      '/repos/beta,"beta, ""the second""",2,2,1,70,7,700,7000,2,0,0',
    );
  });

  it('takes times as dates, date-times or how long ago, and says what it takes', () => {
    const { home } = reportHome();
    const sinceDate = costsJson(
      paddock(
        home,
        ['costs', '--since', '2026-03-09', '--until', '2026-03-09T09:00', '--json'],
        NEW_YORK,
      ),
    );
    const lastDays = costsJson(
      paddock(home, ['costs', '--since', '3d', '--by', 'week', '--json'], NEW_YORK),
    );
    const wrong = paddock(home, ['costs', '--since', 'yesterday'], NEW_YORK);

    // Local midnight that starts 9 March (EDT: 04:00 UTC), to 09:00 local time (13:00 UTC).
    expect(sinceDate).toMatchObject({
      since: '2026-03-09T04:00:00.000Z',
      until: '2026-03-09T13:00:00.000Z',
      totals: { calls: 2, costUsd: 2.5 },
    });
    expect(lastDays.totals).toMatchObject({ calls: 1, costUsd: 0.125 });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      '--since takes an ISO date (2026-12-01), a date-time (2026-12-01T09:30, 2026-12-01T08:30:00Z) or how long ago (30m, 24h, 7d, 2w), not "yesterday".',
    );
  });

  it('reads the same report through a running host, and `costs import` still imports', async () => {
    const { home } = reportHome();
    const alone = costsJson(paddock(home, ['costs', '--by', 'project', '--json']));
    const host = await startHeadlessHost({ home, staticDir: null });
    try {
      const served = costsJson(await paddockAsync(home, ['costs', '--by', 'project', '--json']));
      expect({ ...served, generatedAt: '' }).toEqual({ ...alone, generatedAt: '' });
      expect(served.rows.map((row) => row.label)).toEqual([
        'beta, "the second"',
        'alpha',
        'Outside Paddock (no session)',
      ]);
      const imported = await paddockAsync(home, [
        'costs',
        'import',
        '--codex',
        tempDir(),
        '--json',
      ]);
      expect(imported.stderr).toBe('');
      expect(JSON.parse(imported.stdout)).toMatchObject({ files: 0, calls: 0 });
    } finally {
      await host.close();
    }
  });
});
