import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/temp';
import { codexFamilies, readCodexMeta } from './codex';
import { parseFile } from './fixtures/parse';
import {
  codexAgentMessage,
  codexSessionMeta,
  codexTokenCount,
  codexTurnContext,
  type CodexUsage,
} from './fixtures/transcripts';

const at = (second: number) => new Date(Date.UTC(2026, 10, 2, 10, 0, second)).toISOString();
const usage = (input: number, cached: number, output: number, reasoning = 0): CodexUsage => ({
  input,
  cached,
  output,
  reasoning,
});
const plus = (a: CodexUsage, b: CodexUsage): CodexUsage =>
  usage(a.input + b.input, a.cached + b.cached, a.output + b.output, a.reasoning + b.reasoning);

const TURN_1 = usage(12_000, 0, 300, 120);
const TURN_2 = usage(14_000, 11_500, 450, 200);
const TURN_3 = usage(16_000, 13_900, 90, 0);
const TOTAL_1 = TURN_1;
const TOTAL_2 = plus(TOTAL_1, TURN_2);
const TOTAL_3 = plus(TOTAL_2, TURN_3);

function write(lines: string[]): string {
  const file = join(tempDir(), 'rollout-2026-11-02T10-00-00-0199a1b2.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The record's tokens for a Codex usage: input without the cached part, which is a cache read. */
const asTokens = (u: CodexUsage) => ({
  input: u.input - u.cached,
  output: u.output,
  cacheWrite: 0,
  cacheRead: u.cached,
});

describe('Codex session files', () => {
  it('counts each turn of a resumed session once: by the rise of the running total', async () => {
    const file = write([
      codexSessionMeta('0199a1b2-0000-7000-8000-000000000001', at(0)),
      codexTurnContext('gpt-5-codex', at(1)),
      codexTokenCount(at(2), null), // rate limits before any usage
      codexAgentMessage(at(3), 'Looking.'),
      codexTokenCount(at(4), TOTAL_1, TURN_1),
      codexTokenCount(at(5), TOTAL_1, TURN_1), // rate limits came: the same count sent again
      codexTokenCount(at(6), TOTAL_2, TURN_2),
      // Resumed (`codex resume`): the same file, appended; the total restored from the last count.
      codexTurnContext('gpt-5', at(30)),
      codexTokenCount(at(31), TOTAL_2, TURN_2),
      codexTokenCount(at(32), TOTAL_3, TURN_3),
      codexTokenCount(at(33), TOTAL_3, TURN_3),
    ]);

    const { calls, counts } = await parseFile('codex', file);

    expect(calls.map(({ model, tokens, at: when }) => ({ model, tokens, at: when }))).toEqual([
      { model: 'gpt-5-codex', tokens: asTokens(TURN_1), at: at(4) },
      { model: 'gpt-5-codex', tokens: asTokens(TURN_2), at: at(6) },
      { model: 'gpt-5', tokens: asTokens(TURN_3), at: at(32) },
    ]);
    expect(calls.map((c) => c.origin)).toEqual([`${file}:5`, `${file}:7`, `${file}:10`]);
    expect(calls.every((c) => c.requestId === null && c.messageId === null)).toBe(true);
    expect(counts).toEqual({ malformed: 0, repeats: 3 });
    // Counting every line's last_token_usage would have said 6 calls and this much more input:
    const sum = calls.reduce((s, c) => s + c.tokens.input + c.tokens.cacheRead, 0);
    expect(sum).toBe(TOTAL_3.input);
  });

  it('counts from zero when the total was reset, and not the reset itself', async () => {
    // `fill_to_context_window` (the context window ran out) zeroes every kind of the total, and
    // a version that did not restore totals on resume starts again from zero.
    const filled = usage(0, 0, 0, 0);
    const file = write([
      codexSessionMeta('0199a1b2-0000-7000-8000-000000000002', at(0)),
      codexTurnContext('gpt-5-codex', at(1)),
      codexTokenCount(at(2), TOTAL_2, TURN_2),
      codexTokenCount(at(3), filled, usage(0, 0, 0, 0)),
      codexTokenCount(at(4), TURN_3, TURN_3),
      codexTokenCount(at(5), plus(TURN_3, TURN_1), TURN_1),
    ]);

    const { calls, counts } = await parseFile('codex', file);

    expect(calls.map((c) => c.tokens)).toEqual([
      asTokens(TOTAL_2), // the first count of a file: all of it
      asTokens(TURN_3),
      asTokens(TURN_1),
    ]);
    expect(counts.repeats).toBe(1);
  });

  it('knows a fork, and a fork of it, as one family, so copied turns keep their identity', async () => {
    const dir = tempDir();
    const file = (name: string, lines: string[]) => {
      const path = join(dir, name);
      writeFileSync(path, `${lines.join('\n')}\n`);
      return path;
    };
    const parentTurns = [
      codexTurnContext('gpt-5-codex', at(1)),
      codexTokenCount(at(2), TOTAL_1, TURN_1),
    ];
    const parent = file('a.jsonl', [codexSessionMeta('P', at(0)), ...parentTurns]);
    const fork = file('b.jsonl', [
      codexSessionMeta('F', at(10), 'P'),
      ...parentTurns, // the parent's lines, copied in
      codexTokenCount(at(12), TOTAL_2, TURN_2),
    ]);
    const forkOfFork = file('c.jsonl', [codexSessionMeta('G', at(20), 'F')]);
    const orphan = file('d.jsonl', [codexSessionMeta('H', at(30), 'gone')]);
    const old = file('e.jsonl', [codexTurnContext('gpt-4.1', at(40))]);

    const metas = new Map(
      await Promise.all(
        [parent, fork, forkOfFork, orphan, old].map(
          async (f) => [f, await readCodexMeta(f)] as const,
        ),
      ),
    );
    const families = codexFamilies(metas);

    expect([parent, fork, forkOfFork, orphan, old].map((f) => families.get(f))).toEqual([
      'P',
      'P',
      'P',
      'gone',
      `file:${old}`,
    ]);
    const inParent = await parseFile('codex', parent, 'P');
    const inFork = await parseFile('codex', fork, 'P');
    expect(inFork.calls[0]?.key).toBe(inParent.calls[0]?.key);
    expect(inFork.calls.map((c) => c.tokens)).toEqual([asTokens(TURN_1), asTokens(TURN_2)]);
  });

  it('skips and counts malformed lines', async () => {
    const file = write([
      codexSessionMeta('0199a1b2-0000-7000-8000-000000000003', at(0)),
      codexTurnContext('gpt-5-codex', at(1)),
      '{"timestamp":"x","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":-1}}}}',
      '{"timestamp":"2026-11-02T10:00:02Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":"12"}}}}',
      '{"timestamp":"2026-11-02T10:00:02Z","type":"event_msg","payload":{"type":"token_cou',
      'garbage',
      codexTokenCount(at(3), TOTAL_1, TURN_1),
    ]);

    const { calls, counts } = await parseFile('codex', file);

    expect(calls.map((c) => c.tokens)).toEqual([asTokens(TURN_1)]);
    expect(counts).toEqual({ malformed: 4, repeats: 0 });
  });
});
