/**
 * `paddock costs import` as a person runs it: the real CLI in a child process, on transcripts in
 * the person's own HOME and in a Paddock session's agent home, in-process and through a host.
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
