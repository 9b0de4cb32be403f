import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/temp';
import { lineShape, MAX_LINE, readLines, type LineCounts } from './lines';

describe('readLines', () => {
  it('hands over lines across chunks, passes over one past the limit, and keeps an unterminated last line', async () => {
    const spanning = `{"a":"${'x'.repeat(3 * 1024 * 1024)}"}`;
    const file = join(tempDir(), 'big.jsonl');
    const content = ['{"n":1}', spanning, 'y'.repeat(MAX_LINE + 10), '{"n":4}', '{"n":5'].join(
      '\n',
    );
    writeFileSync(file, content);
    const seen: Array<[number, number, string]> = [];
    const counts: LineCounts = { lines: 0, bytes: 0, longLines: 0 };

    await readLines(
      file,
      (line, n) => seen.push([n, line.length, line.subarray(0, 6).toString()]),
      counts,
    );

    expect(seen).toEqual([
      [1, 7, '{"n":1'],
      [2, spanning.length, '{"a":"'],
      [4, 7, '{"n":4'],
      [5, 6, '{"n":5'],
    ]);
    expect(counts).toEqual({ lines: 5, bytes: content.length, longLines: 1 });
  });

  it('stops when told to', async () => {
    const file = join(tempDir(), 'three.jsonl');
    writeFileSync(file, 'a\nb\nc\n');
    const seen: string[] = [];
    await readLines(file, (line) => seen.push(line.toString()) < 1, {
      lines: 0,
      bytes: 0,
      longLines: 0,
    });
    expect(seen).toEqual(['a']);
  });
});

describe('lineShape', () => {
  it('tells a blank line, one shaped like an object, and anything else', () => {
    const shape = (text: string) => lineShape(Buffer.from(text));
    expect([
      shape(''),
      shape(' \r'),
      shape('{"a":1}\r'),
      shape('  {}'),
      shape('{"a":'),
      shape('[]'),
    ]).toEqual(['blank', 'blank', 'object', 'object', 'malformed', 'malformed']);
  });
});
