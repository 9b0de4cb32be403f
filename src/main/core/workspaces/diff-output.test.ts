import { describe, expect, it } from 'vitest';
import { parseDiffOutput } from './diff-output';

const raw = (status: string, ...paths: string[]) =>
  `:100644 100644 0000000 0000000 ${status}\0${paths.map((path) => `${path}\0`).join('')}`;

describe('parseDiffOutput', () => {
  it('reads nothing as no changes', () => {
    expect(parseDiffOutput(Buffer.alloc(0))).toEqual({ files: [], patch: '' });
  });

  it('pairs raw records with their line counts, renames and copies included', () => {
    const output = Buffer.from(
      raw('R090', 'old name', 'new\tname') +
        raw('C100', 'a', 'b') +
        '3\t1\t\0old name\0new\tname\0' +
        '-\t-\t\0a\0b\0' +
        '\0diff --git ...\n',
    );
    expect(parseDiffOutput(output)).toEqual({
      files: [
        { path: 'new\tname', oldPath: 'old name', status: 'R', additions: 3, deletions: 1 },
        { path: 'b', status: 'A', additions: null, deletions: null },
      ],
      patch: 'diff --git ...\n',
    });
  });

  it('refuses output it cannot account for', () => {
    expect(() => parseDiffOutput(Buffer.from(raw('U', 'a') + '1\t1\ta\0'))).toThrow(/status "U"/);
    expect(() => parseDiffOutput(Buffer.from(raw('M', 'a') + '1\t1\tb\0'))).toThrow(/out of step/);
    expect(() => parseDiffOutput(Buffer.from(raw('M', 'a')))).toThrow(/ended/);
  });
});
