import { describe, expect, it } from 'vitest';
import { boundTo } from './bindings';

describe('boundTo', () => {
  const github = ['api.github.com', '*.githubusercontent.com'];

  it('matches the hosts a secret is bound to, as Network rules match them', () => {
    expect(boundTo(github, 'api.github.com', 443)).toBe(true);
    expect(boundTo(github, 'raw.githubusercontent.com', 443)).toBe(true);
    // githubusercontent.com itself is not *.githubusercontent.com.
    expect(boundTo(github, 'githubusercontent.com', 443)).toBe(false);
    expect(boundTo(github, 'api.github.com.evil.test', 443)).toBe(false);
    expect(boundTo(github, 'evil.test', 443)).toBe(false);
  });

  it('holds a bound port to that port, and binds nowhere without hosts', () => {
    expect(boundTo(['registry.npmjs.org:443'], 'registry.npmjs.org', 443)).toBe(true);
    expect(boundTo(['registry.npmjs.org:443'], 'registry.npmjs.org', 8443)).toBe(false);
    expect(boundTo([], 'anything.test', 443)).toBe(false);
    // A spec that is no host (a broken index entry) binds nothing rather than everything.
    expect(boundTo(['('], 'anything.test', 443)).toBe(false);
  });
});
