import { describe, expect, it } from 'vitest';
import { pathProblem } from './http-shared';

describe('pathProblem: the one spelling path rules are matched against', () => {
  it.each([
    ['/ada/gists', null],
    ['/ada/gists/', null],
    ['/', null],
    ['/search?q=a//b&x=%2F', null],
    ['/caf%C3%A9/%20space', null],
  ])('accepts %s', (path, problem) => expect(pathProblem(path)).toBe(problem));

  it.each([
    ['/ada//gists', 'empty segment (//) in the request path'],
    ['/ada/./gists', 'dot segment in the request path'],
    ['/ada/../gists', 'dot segment in the request path'],
    ['/ada/%2e%2e/gists', 'needless or hiding escape %2e in the request path'],
    ['/ada/%67ists', 'needless or hiding escape %67 in the request path'],
    ['/ada%2Fgists', 'needless or hiding escape %2F in the request path'],
    ['/ada%5cgists', 'needless or hiding escape %5c in the request path'],
    ['/ada\\gists', 'backslash in the request path'],
    ['/ada/%zzgists', 'malformed escape (% without two hex digits) in the request path'],
    ['ada/gists', 'the request path does not start with /'],
  ])('refuses %s', (path, problem) => expect(pathProblem(path)).toBe(problem));
});
