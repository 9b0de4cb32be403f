import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../shell/parser';
import { codexAllows } from './codex';

beforeAll(() => ready());

describe('the Codex CLI baseline', () => {
  it.each([
    'ls -la',
    'git status',
    'git -C . branch --show-current',
    'sed -n 1,5p f',
    'rg foo -n',
    'cat ../../etc/passwd',
    'ls && pwd | wc -l',
    "echo 'hi there'",
  ])('allows %j, as Codex does', (command) => expect(codexAllows(command)).toBe(true));

  it.each([
    'git push',
    'git -c core.pager=cat log',
    'git log --output=/tmp/x',
    'git branch -d x',
    'find . -delete',
    'rg --pre=x y',
    'sed -n xp f',
    'ls > out',
    'echo $HOME',
    '(ls)',
    'cargo check',
    'npm test',
  ])('refuses %j, as Codex does', (command) => expect(codexAllows(command)).toBe(false));
});
