import { describe, expect, it } from 'vitest';
import { placeholderProblem } from './exfiltration';
import { PlaceholderSet } from './placeholders';

const set = PlaceholderSet.forSecrets(['GITHUB_TOKEN', 'NPM_TOKEN']);
const github = set.placeholderFor('GITHUB_TOKEN') as string;
const npm = set.placeholderFor('NPM_TOKEN') as string;
const bindings = {
  GITHUB_TOKEN: ['api.github.com', '*.githubusercontent.com'],
  NPM_TOKEN: ['registry.npmjs.org:443'],
};

describe('placeholderProblem', () => {
  it('lets a placeholder go to its bound hosts', () => {
    const headers = { authorization: `Bearer ${github}` };
    expect(placeholderProblem({ host: 'api.github.com', headers }, set, bindings)).toBeNull();
    expect(placeholderProblem({ host: 'API.GitHub.com.', headers }, set, bindings)).toBeNull();
    expect(
      placeholderProblem({ host: 'raw.githubusercontent.com', headers }, set, bindings),
    ).toBeNull();
    expect(
      placeholderProblem(
        { host: 'registry.npmjs.org', port: 443, headers: { authorization: `Bearer ${npm}` } },
        set,
        bindings,
      ),
    ).toBeNull();
  });

  it('refuses a placeholder sent elsewhere, in a header, the path or the body', () => {
    const reason = 'placeholder for GITHUB_TOKEN sent to evil.test: an exfiltration attempt';
    expect(
      placeholderProblem({ host: 'evil.test', headers: { 'x-leak': github } }, set, bindings),
    ).toBe(reason);
    expect(
      placeholderProblem(
        { host: 'evil.test', headers: { cookie: ['a=1', `b=${github}`] } },
        set,
        bindings,
      ),
    ).toBe(reason);
    expect(
      placeholderProblem({ host: 'evil.test', path: `/?t=${github}`, headers: {} }, set, bindings),
    ).toBe(reason);
    expect(
      placeholderProblem(
        { host: 'evil.test', headers: {}, bodyPrefix: Buffer.from(`{"t":"${github}"}`) },
        set,
        bindings,
      ),
    ).toBe(reason);
    // githubusercontent.com itself is not *.githubusercontent.com.
    expect(
      placeholderProblem({ host: 'githubusercontent.com', headers: { a: github } }, set, bindings),
    ).toMatch(/^placeholder for GITHUB_TOKEN sent to githubusercontent.com/);
    // A bound port must match.
    expect(
      placeholderProblem(
        { host: 'registry.npmjs.org', port: 8443, headers: { a: npm } },
        set,
        bindings,
      ),
    ).toMatch(/NPM_TOKEN/);
    // A placeholder bound to one host is refused at another bound to a different secret.
    expect(placeholderProblem({ host: 'api.github.com', headers: { a: npm } }, set, bindings)).toBe(
      'placeholder for NPM_TOKEN sent to api.github.com: an exfiltration attempt',
    );
  });

  it('refuses a secret with no hosts anywhere, and ignores what is no placeholder of the set', () => {
    const only = PlaceholderSet.forSecrets(['LONELY']);
    const lonely = only.placeholderFor('LONELY') as string;
    expect(placeholderProblem({ host: 'a.test', headers: { a: lonely } }, only, {})).toMatch(
      /LONELY sent to a.test/,
    );
    expect(
      placeholderProblem(
        { host: 'a.test', headers: { a: 'paddock-ph-LONELY-xxxxxxxxxxxxxxxxxxxxxx' } },
        only,
        {},
      ),
    ).toBeNull();
    expect(
      placeholderProblem(
        { host: 'evil.test', headers: { a: github } },
        set,
        new Map([['GITHUB_TOKEN', ['evil.test']]]),
      ),
    ).toBeNull();
  });
});
