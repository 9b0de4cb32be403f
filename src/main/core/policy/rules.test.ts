import { describe, expect, it } from 'vitest';
import {
  commandMatches,
  hostMatches,
  mcpMatches,
  parseRule,
  pathMatches,
  urlHost,
  type Rule,
  type RuleMatcher,
} from './rules';

function rule(text: string): Rule {
  const parsed = parseRule(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.rule;
}

function matcher<K extends RuleMatcher['kind']>(
  text: string,
  kind: K,
): Extract<RuleMatcher, { kind: K }> {
  const found = rule(text).matcher;
  if (found?.kind !== kind) throw new Error(`${text} is not a ${kind} rule`);
  return found as Extract<RuleMatcher, { kind: K }>;
}

const context = { workspace: '/work/ws', home: '/home/ada' };

describe('parseRule', () => {
  it('reads bare tool names as "any use of the tool"', () => {
    expect(rule('Read')).toEqual({ text: 'Read', tool: 'Read' });
    expect(rule('WebSearch')).toEqual({ text: 'WebSearch', tool: 'WebSearch' });
    expect(rule('Bash(*)')).toEqual({ text: 'Bash(*)', tool: 'Bash' });
  });

  it.each([
    ['Bash(npm test', 'missing the closing )'],
    ['bash(ls)', 'tool names start with a capital letter'],
    ['Bash()', 'the parentheses are empty'],
    ['Bash(rm $HOME:*)', 'plain words'],
    ['Bash(npm *)', 'plain words'],
    ['Bash(ls; rm:*)', 'plain words'],
    ['Read(/etc/passwd)', 'a leading / is ambiguous'],
    ['Read(~bob/x)', "another user's home"],
    ['Edit(src/../../x)', '.. may not appear'],
    ['Read(src/[ab])', 'only *, ** and ? are supported'],
    ['Read(src/a**)', '** must be a whole path segment'],
    ['WebFetch(docs.python.org)', 'WebFetch rules name a domain:host'],
    ['WebFetch(domain:x.org:443)', 'without a port'],
    ['Network(evil.com:70000)', 'a port is a number from 1 to 65535'],
    ['Network(*)', 'a host is a name like example.com'],
    ['Network(user@host)', 'a host is a name like example.com'],
    ['Mcp(a:b:c)', 'MCP rules name server:tool'],
    ['Grep(foo)', 'Grep takes no specifier'],
    ['Bash(ls) extra', 'expected a rule like'],
  ])('refuses %j (%s)', (text, detail) => {
    const parsed = parseRule(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problem).toContain(`got ${JSON.stringify(text)}`);
      expect(parsed.problem).toContain(detail);
    }
  });
});

describe('Bash rules', () => {
  it('match exact commands and word-boundary prefixes', () => {
    const prefix = matcher('Bash(npm test:*)', 'command');
    expect(commandMatches(prefix, ['npm', 'test'])).toBe(true);
    expect(commandMatches(prefix, ['npm', 'test', '--', 'src'])).toBe(true);
    expect(commandMatches(prefix, ['npm', 'tests'])).toBe(false);
    expect(commandMatches(prefix, ['npm'])).toBe(false);
    const exact = matcher('Bash(git status)', 'command');
    expect(commandMatches(exact, ['git', 'status'])).toBe(true);
    expect(commandMatches(exact, ['git', 'status', '-s'])).toBe(false);
  });
});

describe('path rules', () => {
  it('are relative to the workspace, with ** spanning directories', () => {
    const src = matcher('Read(./src/**)', 'path');
    expect(pathMatches(src, 'src/a/b.ts', context)).toBe(true);
    expect(pathMatches(src, '/work/ws/src/x', context)).toBe(true);
    expect(pathMatches(src, 'src', context)).toBe(true);
    expect(pathMatches(src, 'srcx/a', context)).toBe(false);
    expect(pathMatches(src, 'src/../../ws/src/a', context)).toBe(true);
    expect(pathMatches(src, 'src/../secrets', context)).toBe(false);
    expect(pathMatches(src, '/elsewhere/src/a', context)).toBe(false);
  });

  it('keep * and ? within one segment, and a plain path covers what is under it', () => {
    const star = matcher('Edit(docs/*.md)', 'path');
    expect(pathMatches(star, 'docs/a.md', context)).toBe(true);
    expect(pathMatches(star, 'docs/sub/a.md', context)).toBe(false);
    const dir = matcher('Read(./.env)', 'path');
    expect(pathMatches(dir, '.env', context)).toBe(true);
    expect(pathMatches(dir, '.env.local', context)).toBe(false);
    expect(pathMatches(matcher('Edit(./docs)', 'path'), 'docs/x/y.md', context)).toBe(true);
  });

  it('resolve ~ against the home and // as absolute', () => {
    const ssh = matcher('Read(~/.ssh/**)', 'path');
    expect(pathMatches(ssh, '~/.ssh/id_rsa', context)).toBe(true);
    expect(pathMatches(ssh, '/home/ada/.ssh/config', context)).toBe(true);
    expect(pathMatches(ssh, '.ssh/id_rsa', context)).toBe(false);
    expect(pathMatches(ssh, '~/.ssh/id_rsa', { workspace: '/work/ws' })).toBe(false);
    expect(pathMatches(matcher('Read(//etc/**)', 'path'), '/etc/passwd', context)).toBe(true);
  });
});

describe('host rules', () => {
  it('match a host, its subdomains with *., and a port when named', () => {
    const exact = matcher('Network(registry.npmjs.org)', 'host');
    expect(hostMatches(exact, 'registry.npmjs.org', 443)).toBe(true);
    expect(hostMatches(exact, 'REGISTRY.npmjs.org.', 80)).toBe(true);
    expect(hostMatches(exact, 'evil-registry.npmjs.org', 443)).toBe(false);
    const sub = matcher('Network(*.github.com:443)', 'host');
    expect(hostMatches(sub, 'api.github.com', 443)).toBe(true);
    expect(hostMatches(sub, 'api.github.com', 22)).toBe(false);
    expect(hostMatches(sub, 'github.com', 443)).toBe(false);
    expect(hostMatches(sub, 'github.com.evil.net', 443)).toBe(false);
    expect(hostMatches(matcher('Network([::1]:8080)', 'host'), '::1', 8080)).toBe(true);
    expect(hostMatches(matcher('Network(bücher.de)', 'host'), 'xn--bcher-kva.de', 443)).toBe(true);
  });

  it('read WebFetch URLs for their host, http and https only', () => {
    const docs = matcher('WebFetch(domain:docs.python.org)', 'host');
    expect(hostMatches(docs, urlHost('https://docs.python.org/3/') ?? '')).toBe(true);
    expect(urlHost('https://docs.python.org@evil.example/')).toBe('evil.example');
    expect(urlHost('file:///etc/passwd')).toBeUndefined();
    expect(urlHost('not a url')).toBeUndefined();
  });
});

describe('MCP rules', () => {
  it('name a tool or every tool of a server', () => {
    expect(mcpMatches(matcher('Mcp(github:create_issue)', 'mcp'), 'github', 'create_issue')).toBe(
      true,
    );
    expect(mcpMatches(matcher('Mcp(github:create_issue)', 'mcp'), 'github', 'delete_repo')).toBe(
      false,
    );
    expect(mcpMatches(matcher('Mcp(github:*)', 'mcp'), 'github', 'delete_repo')).toBe(true);
    expect(mcpMatches(matcher('Mcp(github)', 'mcp'), 'gitlab', 'x')).toBe(false);
  });
});
