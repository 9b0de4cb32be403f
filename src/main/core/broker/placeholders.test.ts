import { describe, expect, it } from 'vitest';
import { isPlaceholderShaped, newPlaceholder, PlaceholderSet } from './placeholders';

describe('placeholders', () => {
  it('are recognisable, name their secret and are random', () => {
    const a = newPlaceholder('ANTHROPIC_API_KEY');
    const b = newPlaceholder('ANTHROPIC_API_KEY');
    expect(a).toMatch(/^paddock-ph-ANTHROPIC_API_KEY-[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(isPlaceholderShaped(a)).toBe(true);
    expect(isPlaceholderShaped(`${a}x`)).toBe(false);
    expect(isPlaceholderShaped(`x${a}`)).toBe(false);
    expect(isPlaceholderShaped('sk-ant-api03-xyz')).toBe(false);
  });

  it('refuse a name that is not a secret name', () => {
    expect(() => newPlaceholder('lower')).toThrow();
    expect(() => newPlaceholder('A-B')).toThrow();
  });

  it('a set maps placeholders to names and finds them in text and bytes', () => {
    const set = PlaceholderSet.forSecrets(['OPENAI_API_KEY', 'GITHUB_TOKEN']);
    const openai = set.placeholderFor('OPENAI_API_KEY') as string;
    const github = set.placeholderFor('GITHUB_TOKEN') as string;
    expect(set.size).toBe(2);
    expect(set.add('OPENAI_API_KEY')).toBe(openai);
    expect(set.nameOf(github)).toBe('GITHUB_TOKEN');
    expect(set.nameOf(newPlaceholder('GITHUB_TOKEN'))).toBeUndefined();
    expect(set.findIn(`token=${github}&x=1`)).toEqual([
      { placeholder: github, name: 'GITHUB_TOKEN' },
    ]);
    expect(set.findIn(Buffer.from(`{"a":"${openai}","b":"${github}"}`)).map((f) => f.name)).toEqual(
      ['OPENAI_API_KEY', 'GITHUB_TOKEN'],
    );
    expect(set.findIn('nothing here')).toEqual([]);
    // Another session's placeholder for the same secret is not this set's.
    expect(set.findIn(newPlaceholder('GITHUB_TOKEN'))).toEqual([]);
  });
});
