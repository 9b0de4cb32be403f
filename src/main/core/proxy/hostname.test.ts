import { describe, expect, it } from 'vitest';
import { canonicalHost, parseTarget } from './hostname';

const ip4 = (address: string) => ({ kind: 'ip', address, family: 4 });
const ip6 = (address: string) => ({ kind: 'ip', address, family: 6 });
const name = (host: string) => ({ kind: 'name', host });

describe('canonicalHost', () => {
  it.each([
    ['allowed.test', name('allowed.test')],
    ['ALLOWED.TEST.', name('allowed.test')],
    ['Allowed.Test', name('allowed.test')],
    ['ａllowed.test', name('allowed.test')],
    ['аllowed.test', name('xn--llowed-2nf.test')],
    ['xn--llowed-2nf.test', name('xn--llowed-2nf.test')],
    ['127.0.0.1', ip4('127.0.0.1')],
    ['2130706433', ip4('127.0.0.1')],
    ['0177.0.0.1', ip4('127.0.0.1')],
    ['0x7f.0.0.1', ip4('127.0.0.1')],
    ['0x7f000001', ip4('127.0.0.1')],
    ['127.1', ip4('127.0.0.1')],
    ['127.0.0.1.', ip4('127.0.0.1')],
    ['[::1]', ip6('::1')],
    ['::1', ip6('::1')],
    ['[0:0:0:0:0:0:0:1]', ip6('::1')],
    ['[::ffff:127.0.0.1]', ip4('127.0.0.1')],
    ['[::ffff:7f00:1]', ip4('127.0.0.1')],
    ['[::FFFF:A9FE:A9FE]', ip4('169.254.169.254')],
    ['[2606:4700::1111]', ip6('2606:4700::1111')],
  ])('canonicalises %j', (input, expected) => {
    expect(canonicalHost(input)).toEqual(expected);
  });

  it.each([
    ['', 'empty host'],
    ['evil.example\0.allowed.test', 'control character'],
    ['allowed.test\n', 'control character'],
    ['allowed .test', 'space'],
    ['allowed\u00a0.test', 'space'],
    ['user@allowed.test', 'userinfo'],
    ['allowed.test@evil.example', 'userinfo'],
    ['[fe80::1%eth0]', 'zone id'],
    ['allowed.test/evil', 'delimiter'],
    ['allowed.test\\evil', 'delimiter'],
    ['allowed.test?x', 'delimiter'],
    ['a..test', 'empty label'],
    ['.allowed.test', 'empty label'],
    ['allowed.test..', 'empty label'],
    [`${'a'.repeat(64)}.test`, '63 octets'],
    [`${'abcdefghi.'.repeat(26)}test`, '253 octets'],
    ['under_score.test', 'letters, digits'],
    ['-lead.test', 'letters, digits'],
    ['xn--llowed-3ve.test', 'not a valid'],
    ['1.2.3.4.5', 'not a valid'],
    ['example.0x7f', 'not a valid'],
    ['[::1', 'bracketed'],
    ['[not-ipv6]', 'bracketed'],
    ['host:80', 'colon'],
  ])('refuses %j', (input, reason) => {
    const result = canonicalHost(input);
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.reason).toContain(reason);
  });
});

describe('parseTarget', () => {
  it.each([
    ['allowed.test:443', 80, name('allowed.test'), 443],
    ['allowed.test', 80, name('allowed.test'), 80],
    ['ALLOWED.TEST.:8080', 80, name('allowed.test'), 8080],
    ['[::1]:8443', 443, ip6('::1'), 8443],
    ['[::1]', 443, ip6('::1'), 443],
    ['0x7f000001:22', 443, ip4('127.0.0.1'), 22],
  ])('parses %j', (authority, defaultPort, host, port) => {
    expect(parseTarget(authority, defaultPort)).toEqual({ kind: 'target', host, port });
  });

  it.each([
    'allowed.test:0',
    'allowed.test:65536',
    'allowed.test:',
    'allowed.test:+443',
    'allowed.test:443 ',
    '::1:443',
    '[::1]x:443',
    'user:pw@allowed.test:443',
    '/tmp/proxy.sock:80',
    '',
  ])('refuses %j', (authority) => {
    expect(parseTarget(authority, 443).kind).toBe('invalid');
  });
});
