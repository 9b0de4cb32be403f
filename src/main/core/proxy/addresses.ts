import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { canonicalHost } from './hostname';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'reserved';

/** A CIDR block, `network/prefix`. */
type Range = string;

// Order matters: the first class whose ranges hold the address wins, so the
// metadata hosts come before the link-local and CGNAT ranges that contain them.
const IPV4_CLASSES: readonly (readonly [AddressClass, readonly Range[]])[] = [
  ['metadata', ['169.254.169.254/32', '169.254.170.2/32', '100.100.100.200/32']],
  ['unspecified', ['0.0.0.0/8']],
  ['loopback', ['127.0.0.0/8']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
  ['link-local', ['169.254.0.0/16']],
  ['cgnat', ['100.64.0.0/10']],
  ['multicast', ['224.0.0.0/4']],
  [
    'reserved',
    [
      '240.0.0.0/4',
      '192.0.0.0/24',
      '192.0.2.0/24',
      '192.88.99.0/24',
      '198.18.0.0/15',
      '198.51.100.0/24',
      '203.0.113.0/24',
    ],
  ],
];

const IPV6_CLASSES: readonly (readonly [AddressClass, readonly Range[]])[] = [
  ['metadata', ['fd00:ec2::254/128']],
  ['unspecified', ['::/128']],
  ['loopback', ['::1/128']],
  ['private', ['fc00::/7', 'fec0::/10']],
  ['link-local', ['fe80::/10']],
  ['multicast', ['ff00::/8']],
  // Tunnelling and documentation prefixes inside 2000::/3 (6to4, Teredo, ...);
  // anything outside 2000::/3 is not global unicast and falls through to reserved.
  ['reserved', ['2001::/23', '2001:db8::/32', '2002::/16', '3fff::/20']],
  ['public', ['2000::/3']],
];

const NAT64_PREFIX = /^64:ff9b::([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

const ipv4Lists = IPV4_CLASSES.map(([kind, ranges]) => [kind, blockList(ranges, 'ipv4')] as const);
const ipv6Lists = IPV6_CLASSES.map(([kind, ranges]) => [kind, blockList(ranges, 'ipv6')] as const);

function blockList(ranges: readonly Range[], family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [network = '', prefix = ''] = range.split('/');
    list.addSubnet(network, Number(prefix), family);
  }
  return list;
}

/** What kind of destination an IP address is; anything unparseable is 'reserved' (fail closed). */
export function addressClass(ip: string): AddressClass {
  const host = canonicalHost(ip);
  if (host.kind !== 'ip') return 'reserved';
  if (host.family === 4) return ipv4Class(host.address);
  const nat64 = NAT64_PREFIX.exec(host.address);
  // The well-known NAT64 prefix reaches the embedded IPv4 address, so it is that address.
  if (nat64) return addressClass(`::ffff:${nat64[1]}:${nat64[2]}`);
  return ipv6Class(host.address);
}

function ipv4Class(address: string): AddressClass {
  if (!isIPv4(address)) return 'reserved';
  return ipv4Lists.find(([, list]) => list.check(address, 'ipv4'))?.[0] ?? 'public';
}

function ipv6Class(address: string): AddressClass {
  if (!isIPv6(address)) return 'reserved';
  return ipv6Lists.find(([, list]) => list.check(address, 'ipv6'))?.[0] ?? 'reserved';
}
