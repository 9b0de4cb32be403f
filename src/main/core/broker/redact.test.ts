import { describe, expect, it } from 'vitest';
import { redactText, ValueRedactor } from './redact';

/** Runs `chunks` through a redactor; returns what came out, chunk by chunk. */
async function run(value: string, replacement: string, chunks: string[]): Promise<string[]> {
  const redactor = new ValueRedactor(value, replacement);
  const out: string[] = [];
  redactor.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  const ended = new Promise((resolve) => redactor.on('end', resolve));
  for (const chunk of chunks) redactor.write(Buffer.from(chunk));
  redactor.end();
  await ended;
  return out;
}

/** Every way to cut `text` at up to two points. */
function splits(text: string): string[][] {
  const all: string[][] = [[text]];
  for (let i = 1; i < text.length; i++) {
    all.push([text.slice(0, i), text.slice(i)]);
    for (let j = i + 1; j < text.length; j++)
      all.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  }
  return all;
}

describe('ValueRedactor', () => {
  it('replaces the value wherever the chunks are cut', async () => {
    const value = 'sk-abab';
    const text = 'x sk-abab y sk-absk-abab sk-ab';
    const expected = redactText(text, value, '[PH]');
    expect(expected).toBe('x [PH] y sk-ab[PH] sk-ab');
    for (const chunks of splits(text))
      expect((await run(value, '[PH]', chunks)).join(''), chunks.join('|')).toBe(expected);
  });

  it('handles a value that overlaps itself', async () => {
    for (const chunks of splits('aaaaaaa'))
      expect((await run('aaa', '-', chunks)).join('')).toBe('--a');
  });

  it('holds back only a tail that could start the value', async () => {
    // An event ending in a blank line is passed on at once, not with the next one.
    expect(await run('sk-secret', 'PH', ['data: 1\n\n', 'data: 2\n\n'])).toEqual([
      'data: 1\n\n',
      'data: 2\n\n',
    ]);
    // A tail that is the value's beginning waits for the next chunk; at the end it is let go.
    expect(await run('sk-secret', 'PH', ['a sk-se', 'b'])).toEqual(['a ', 'sk-seb']);
    expect(await run('sk-secret', 'PH', ['a sk-se'])).toEqual(['a ', 'sk-se']);
  });

  it('counts the bytes it passes on', async () => {
    const redactor = new ValueRedactor('sk-secret', 'PLACEHOLDER');
    redactor.resume();
    const ended = new Promise((resolve) => redactor.on('end', resolve));
    redactor.end(Buffer.from('a sk-secret b'));
    await ended;
    expect(redactor.bytesOut).toBe('a PLACEHOLDER b'.length);
  });

  it('refuses an empty value', () => {
    expect(() => new ValueRedactor('', 'x')).toThrow(/empty/);
  });
});
