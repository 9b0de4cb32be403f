import { describe, expect, it } from 'vitest';
import { lineDiff } from './line-diff';

describe('lineDiff', () => {
  it('marks added and removed lines, keeping the rest in order', () => {
    const before = 'version: 1\npermissions:\n  allow: [Bash(npm test:*)]\n';
    const after = 'version: 1\npermissions:\n  allow: [Bash(npm:*)]\n  deny: []\n';
    expect(lineDiff(before, after).map((l) => `${l.mark}${l.text}`)).toEqual([
      ' version: 1',
      ' permissions:',
      '-  allow: [Bash(npm test:*)]',
      '+  allow: [Bash(npm:*)]',
      '+  deny: []',
      ' ',
    ]);
  });
});
