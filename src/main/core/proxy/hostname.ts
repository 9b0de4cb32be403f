import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

export type CanonicalName = { kind: 'name'; host: string };
export type CanonicalIp = { kind: 'ip'; address: string; family: 4 | 6 };
export type InvalidHost = { kind: 'invalid'; reason: string };
export type CanonicalHost = CanonicalName | CanonicalIp | InvalidHost;

export type Target = { kind: 'target'; host: CanonicalName | CanonicalIp; port: number };
export type ParsedTarget = Target | InvalidHost;

const MAX_NAME_OCTETS = 253;
const MAX_LABEL_OCTETS = 63;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// Controls, C1 controls and every Unicode space: none belongs in a host, and
// NUL in particular lets a C resolver see a different name than the matcher.
const CONTROL_OR_SPACE = /[\p{Cc}\p{Z}\s]/u;
// URL delimiters: domainToASCII('a/b') returns 'a', so they must never reach it.
const URL_DELIMITERS = /[/\\?#@%]/;
const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

const invalid = (reason: string): InvalidHost => ({ kind: 'invalid', reason });

/** The one form of a host that rules are matched against and that is resolved. */
export function canonicalHost(input: string): CanonicalHost {
  if (input.length === 0) return invalid('empty host');
  if (CONTROL_OR_SPACE.test(input)) return invalid('control character or space in host');
  if (input.includes('@')) return invalid('userinfo in host');
  if (input.includes('%')) return invalid('percent sign or zone id in host');
  if (input.startsWith('[')) return bracketedIpv6(input);
  if (input.includes(':')) return isIPv6(input) ? ipv6(input) : invalid('colon in host');
  if (URL_DELIMITERS.test(input)) return invalid('URL delimiter in host');
  return nameOrIpv4(input);
}

function bracketedIpv6(input: string): CanonicalHost {
  const inner = input.endsWith(']') ? input.slice(1, -1) : '';
  return isIPv6(inner) ? ipv6(inner) : invalid('malformed bracketed IPv6 address');
}

function ipv6(literal: string): CanonicalHost {
  // The WHATWG serialiser gives one compressed, lower-case spelling.
  const address = new URL(`http://[${literal}]`).hostname.slice(1, -1);
  const mapped = IPV4_MAPPED.exec(address);
  if (mapped)
    return { kind: 'ip', address: mappedIpv4(mapped[1] ?? '0', mapped[2] ?? '0'), family: 4 };
  return { kind: 'ip', address, family: 6 };
}

function mappedIpv4(high: string, low: string): string {
  const value = (parseInt(high, 16) << 16) | parseInt(low, 16);
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

function nameOrIpv4(input: string): CanonicalHost {
  const withoutRootDot = input.endsWith('.') ? input.slice(0, -1) : input;
  if (withoutRootDot.split('.').some((label) => label === '')) return invalid('empty label');
  // domainToASCII applies IDNA mapping, lower-cases, and parses IPv4 in every
  // notation (decimal, octal, hex, shortened) the way URL consumers do.
  const ascii = domainToASCII(withoutRootDot);
  if (ascii === '') return invalid('not a valid domain name');
  if (isIPv4(ascii)) return { kind: 'ip', address: ascii, family: 4 };
  const problem = nameProblem(ascii);
  return problem ? invalid(problem) : { kind: 'name', host: ascii };
}

// Punycode labels (xn--) pass as they are, so a look-alike such as Cyrillic
// 'аllowed.test' stays 'xn--llowed-2nf.test' and never equals an ASCII rule.
function nameProblem(ascii: string): string | null {
  if (ascii.length > MAX_NAME_OCTETS) return 'name longer than 253 octets';
  for (const label of ascii.split('.')) {
    if (label.length > MAX_LABEL_OCTETS) return 'label longer than 63 octets';
    if (!LDH_LABEL.test(label)) return 'label outside letters, digits and hyphens';
  }
  return null;
}

/** Parses a CONNECT authority or a Host header: `host`, `host:port`, `[v6]`, `[v6]:port`. */
export function parseTarget(authority: string, defaultPort: number): ParsedTarget {
  const split = splitHostPort(authority);
  if (split.kind === 'invalid') return split;
  const port = split.port === null ? defaultPort : parsePort(split.port);
  if (port === null) return invalid('invalid port');
  const host = canonicalHost(split.host);
  return host.kind === 'invalid' ? host : { kind: 'target', host, port };
}

type HostPort = { kind: 'split'; host: string; port: string | null };

function splitHostPort(authority: string): HostPort | InvalidHost {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) return invalid('unterminated IPv6 literal');
    const rest = authority.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return invalid('text after IPv6 literal');
    return {
      kind: 'split',
      host: authority.slice(0, close + 1),
      port: rest ? rest.slice(1) : null,
    };
  }
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return { kind: 'split', host: authority, port: null };
  if (authority.indexOf(':') !== colon) return invalid('IPv6 literal must be bracketed');
  return { kind: 'split', host: authority.slice(0, colon), port: authority.slice(colon + 1) };
}

function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/** The host as decide() sees it and as rules name it: IPv6 without brackets. */
export function hostText(host: CanonicalName | CanonicalIp): string {
  return host.kind === 'name' ? host.host : host.address;
}
