import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/temp';
import { parseFile } from './fixtures/parse';
import {
  claudeAssistantLines,
  claudeHookLine,
  claudePromptLine,
  claudeSummaryLine,
  claudeToolResultLine,
  json,
  type ClaudeCall,
} from './fixtures/transcripts';

const REAL = join(__dirname, 'fixtures', 'claude-code-2.1.197.jsonl');
const context = { sessionId: '0f5e7a3c-1111-4222-8333-944455556666', cwd: '/work/project' };

function call(n: number, blocks: number): ClaudeCall {
  return {
    messageId: `msg_01Gen${String(n).padStart(6, '0')}`,
    requestId: `req_011Gen${String(n).padStart(6, '0')}`,
    model: 'claude-sonnet-4-5',
    input: 3 + n,
    output: 100 + n,
    cacheWrite: 1000 * n,
    cacheRead: 20_000 + n,
    at: new Date(Date.UTC(2026, 10, 1, 9, 0, n)).toISOString(),
    blocks,
  };
}

/** A session as Claude Code writes it: prompt, then per call its blocks, hook answers and tool results. */
function session(calls: ClaudeCall[]): string {
  const lines = [claudePromptLine(context, json('Fix the failing test.'), calls[0]?.at ?? '')];
  for (const c of calls) {
    lines.push(...claudeAssistantLines(context, c));
    for (let block = 1; block < c.blocks; block++) {
      const toolUseId = `toolu_${c.messageId.slice(4)}_${block}`;
      lines.push(claudeHookLine(context, toolUseId, c.at));
      lines.push(claudeToolResultLine(context, toolUseId, json('x'.repeat(5000)), c.at));
    }
  }
  lines.push(claudeSummaryLine('Fixed the test', 'leaf'));
  return `${lines.join('\n')}\n`;
}

describe('Claude Code transcripts', () => {
  it('reads a real 2.1.197 transcript as exactly its three calls, each once', async () => {
    // Recorded by fixtures/record-claude-transcript.ts: the real CLI against a loopback API. Its
    // first request (the session title, no tools) is not in the transcript; the three agent-loop
    // replies are, one line per content block (3, 2 and 1 lines).
    const { calls, counts, lines } = await parseFile('claude', REAL);
    expect(calls).toEqual(
      [
        [2, 6, '2026-12-05T15:59:18.147Z'],
        [3, 13, '2026-12-05T15:59:18.728Z'],
        [4, 17, '2026-12-05T15:59:18.924Z'],
      ].map(([n, line, at]) => ({
        key: `anthropic:msg_01Recorded000${n}|req_011CRecorded000${n}`,
        provider: 'anthropic',
        model: 'claude-opus-4-8',
        tokens: {
          input: 10 + Number(n),
          output: 20 + Number(n),
          cacheWrite: 1000 * Number(n),
          cacheRead: 5000 + Number(n),
        },
        requestId: `req_011CRecorded000${n}`,
        messageId: `msg_01Recorded000${n}`,
        at,
        origin: `${REAL}:${line}`,
      })),
    );
    expect(counts).toEqual({ malformed: 0, repeats: 3 });
    expect(lines).toEqual({ lines: 18, bytes: statSync(REAL).size, longLines: 0 });
  });

  it('counts each request once however many content blocks repeat it', async () => {
    const calls = Array.from({ length: 40 }, (_, i) => call(i + 1, 1 + (i % 4)));
    const file = join(tempDir(), 'session.jsonl');
    writeFileSync(file, session(calls));

    const parsed = await parseFile('claude', file);

    expect(parsed.calls.map((c) => c.messageId)).toEqual(calls.map((c) => c.messageId));
    expect(parsed.calls.map((c) => c.tokens)).toEqual(
      calls.map(({ input, output, cacheWrite, cacheRead }) => ({
        input,
        output,
        cacheWrite,
        cacheRead,
      })),
    );
    const repeatedLines = calls.reduce((sum, c) => sum + c.blocks - 1, 0);
    expect(parsed.counts).toEqual({ malformed: 0, repeats: repeatedLines });
  });

  it('takes the largest figure of a message whose first lines carried a partial count', async () => {
    const final = call(1, 3);
    const early = { ...final, output: 1 };
    const lines = [
      ...claudeAssistantLines(context, early).slice(0, 2),
      ...claudeAssistantLines(context, final).slice(2),
    ];
    const file = join(tempDir(), 'partial.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const { calls } = await parseFile('claude', file);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.tokens.output).toBe(final.output);
  });

  it('skips and counts malformed lines, and reads on', async () => {
    const good = claudeAssistantLines(context, call(1, 1))[0] as string;
    const later = claudeAssistantLines(context, call(2, 2));
    const badTokens = good.replace('"output_tokens":101', '"output_tokens":-5');
    const stringTokens = good.replace('"output_tokens":101', '"output_tokens":"101"');
    const badTime = good.replace(/"timestamp":"[^"]+"/, '"timestamp":"yesterday"');
    const synthetic = good
      .replace('claude-sonnet-4-5', '<synthetic>')
      .replace('msg_01Gen000001', 'msg_synthetic');
    const lines = [
      good,
      '',
      '{"type":"user","message":{"role":"user","content":"cut off in the midd', // a torn write
      'not json at all',
      '[1, 2, 3]',
      badTokens.replace('msg_01Gen000001', 'msg_bad1'),
      stringTokens.replace('msg_01Gen000001', 'msg_bad2'),
      badTime.replace('msg_01Gen000001', 'msg_bad3'),
      '{"type":"assistant","message":{"usage":{"input_tokens":1}',
      synthetic, // Claude Code's stand-in for an API error: no call
      ...later,
      later[0]?.slice(0, 300) as string, // the last line, unterminated and cut short
    ];
    const file = join(tempDir(), 'damaged.jsonl');
    writeFileSync(file, lines.join('\n'));

    const { calls, counts, lines: read } = await parseFile('claude', file);

    expect(calls.map((c) => c.messageId)).toEqual(['msg_01Gen000001', 'msg_01Gen000002']);
    expect(counts).toEqual({ malformed: 8, repeats: 1 });
    expect(read.lines).toBe(lines.length);
  });
});
