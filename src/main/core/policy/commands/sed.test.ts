import { describe, expect, it } from 'vitest';
import { sedScriptProblem } from './sed';

describe('sedScriptProblem', () => {
  it.each([
    '1,20p',
    '$p',
    's/a/b/g',
    's|/usr|/opt|2',
    '/start/,/end/p',
    '/^$/d',
    's/w/x/',
    'y/abc/xyz/',
    '1!G;h;$!d',
    '/x/{s/a/b/;p}',
    '0~3p',
    ':a;N;$!ba;s/\\n/ /g',
    's/a\\/b/c/',
  ])('reads %j as editing the stream only', (script) =>
    expect(sedScriptProblem(script)).toBeUndefined(),
  );

  it.each([
    ['s/x/y/w /tmp/out', 'script writes a file (s///w)'],
    ['s/x/y/gw /tmp/out', 'script writes a file (s///w)'],
    ['s/x/id/e', 'script runs a command (s///e)'],
    ['1e id', 'script runs a command (e)'],
    ['w /tmp/copy', 'script writes a file (w)'],
    ['/x/W /tmp/y', 'script writes a file (W)'],
    ['p;w /tmp/z', 'script writes a file (w)'],
    ['/x/!w /tmp/y', 'script writes a file (w)'],
    ['{e id\n}', 'script runs a command (e)'],
    ['r /etc/passwd', 'script reads another file (r)'],
    ['1R /etc/passwd', 'script reads another file (R)'],
    ['a hello', 'script has a command the classifier does not read ("a")'],
    ['s/x/y', 'script has an unterminated s command'],
    ['/x', 'script has an unterminated address'],
  ])('refuses %j: %s', (script, problem) => expect(sedScriptProblem(script)).toBe(problem));
});
