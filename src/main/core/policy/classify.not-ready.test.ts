import { describe, expect, it } from 'vitest';
import { classifyCommand } from './classify';
import { isReady } from './shell/parser';

// A file of its own: vitest isolates test files, so the parser has not been loaded here.
describe('classifyCommand before ready()', () => {
  it('asks for everything instead of guessing', () => {
    expect(isReady()).toBe(false);
    expect(classifyCommand('ls', { workspace: '/w' })).toEqual({
      verdict: 'ask',
      reason: 'the shell parser is not loaded',
    });
  });
});
