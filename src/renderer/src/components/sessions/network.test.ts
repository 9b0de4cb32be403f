/**
 * The Network view's model: which audit events become rows, how pages and live events merge, the
 * cap, the summary, the hosts and the packages, and the units people read.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../shared/audit';
import {
  EMPTY_LOG,
  formatBytes,
  formatElapsed,
  hostTotals,
  MAX_ROWS,
  mergeEvents,
  packageLines,
  rowOf,
  summarize,
  targetOf,
  visibleRows,
} from './network';
import { proxyEvent } from '../../test-support';

const SESSION = 'ses_1234abcd';

const event = (seq: number, kind: string, payload: JsonObject, sessionId = SESSION) =>
  proxyEvent(seq, kind, payload, sessionId);

const connection = (seq: number, overrides: JsonObject = {}, sessionId = SESSION) =>
  event(
    seq,
    'network.connection',
    {
      host: 'registry.npmjs.org',
      port: 443,
      address: '104.16.0.1',
      bytesUp: 100,
      bytesDown: 2000,
      decision: 'allowed',
      rule: 'allowed by the npm registry preset',
      durationMs: 40,
      inspected: false,
      requests: 0,
      ...overrides,
    },
    sessionId,
  );

const request = (seq: number, overrides: JsonObject = {}) =>
  event(seq, 'network.request', {
    host: 'registry.npmjs.org',
    port: 443,
    method: 'GET',
    path: '/left-pad',
    status: 200,
    decision: 'allowed',
    rule: 'the connection to this host was allowed',
    bytesUp: 0,
    bytesDown: 900,
    durationMs: 12,
    inspected: true,
    ...overrides,
  });

const fetched = (seq: number, overrides: JsonObject = {}) =>
  event(seq, 'network.package', {
    ecosystem: 'npm',
    name: 'left-pad',
    version: null,
    kind: 'metadata',
    host: 'registry.npmjs.org',
    decision: 'allowed',
    ...overrides,
  });

describe('rows from audit events', () => {
  it('reads a connection, keeping method and path only where a request was visible', () => {
    expect(rowOf(connection(1))).toMatchObject({
      kind: 'connection',
      host: 'registry.npmjs.org',
      port: 443,
      method: null,
      path: null,
      decision: 'allowed',
    });
    expect(
      rowOf(
        connection(2, { host: '10.0.0.1', port: 80, method: 'GET', path: '/', decision: 'denied' }),
      ),
    ).toMatchObject({ method: 'GET', path: '/', decision: 'denied' });
  });

  it('shows requests inside inspected connections, not a plain connection’s one request', () => {
    expect(rowOf(request(1))).toMatchObject({ kind: 'request', path: '/left-pad', status: 200 });
    expect(rowOf(request(2, { inspected: false }))).toBeNull();
  });

  it('leaves out what is not of its shape, and other kinds', () => {
    expect(rowOf(connection(1, { decision: 'maybe' }))).toBeNull();
    expect(rowOf(request(2, { host: 7 }))).toBeNull();
    expect(rowOf(event(3, 'settings.changed', { decision: 'allowed' }))).toBeNull();
    expect(rowOf(connection(4, { bytesUp: -5, port: 'x' }))).toMatchObject({
      bytesUp: 0,
      port: null,
    });
  });
});

describe('merging pages and live events', () => {
  it('keeps this session’s network events, newest first, each once', () => {
    let log = mergeEvents(EMPTY_LOG, [connection(5), fetched(4), connection(2)], SESSION);
    log = mergeEvents(log, [connection(9), connection(5), connection(8, {}, 'ses_other')], SESSION);
    expect(log.rows.map((row) => row.seq)).toEqual([9, 5, 2]);
    expect(log.packages.map((row) => row.seq)).toEqual([4]);
    expect(log.capped).toBe(false);
  });

  it('returns the same log when nothing is new', () => {
    const log = mergeEvents(EMPTY_LOG, [connection(1)], SESSION);
    expect(mergeEvents(log, [connection(1), event(2, 'terminal.output', {})], SESSION)).toBe(log);
  });

  it('holds the newest MAX_ROWS and says some were dropped', () => {
    const events = Array.from({ length: MAX_ROWS + 3 }, (_, index) => connection(index + 1));
    const log = mergeEvents(EMPTY_LOG, events, SESSION);
    expect(log.rows).toHaveLength(MAX_ROWS);
    expect(log.rows[0]?.seq).toBe(MAX_ROWS + 3);
    expect(log.capped).toBe(true);
  });
});

describe('what the view sums up', () => {
  const log = mergeEvents(
    EMPTY_LOG,
    [
      connection(1),
      connection(2, { host: '10.0.0.1', port: 80, decision: 'denied', bytesUp: 0, bytesDown: 0 }),
      request(3, { decision: 'denied', status: 403 }),
      connection(4, { inspected: true, requests: 1, bytesUp: 50, bytesDown: 50 }),
      connection(5, { decision: 'failed', bytesUp: 0, bytesDown: 0 }),
      fetched(6),
      fetched(7, { version: '1.3.0', kind: 'archive' }),
      fetched(8),
    ],
    SESSION,
  );

  it('counts connections by decision, bytes once, and distinct packages', () => {
    expect(summarize(log)).toEqual({
      connections: 4,
      allowed: 2,
      refused: 1,
      other: 1,
      refusedRequests: 1,
      bytesUp: 150,
      bytesDown: 2050,
      packages: 2,
      exfiltrations: 0,
    });
  });

  it('marks placeholders sent where their secret may not go, and the secrets the broker put in', () => {
    const rule =
      'the placeholder for GITHUB_TOKEN was sent to evil.example, which GITHUB_TOKEN is not bound to: refused as an exfiltration attempt';
    const marked = mergeEvents(
      EMPTY_LOG,
      [
        request(1, { decision: 'denied', status: 403, rule, host: 'evil.example' }),
        connection(2, { decision: 'denied', rule, method: 'POST', path: '/collect' }),
        request(3, { host: 'api.github.com', guard: 'GITHUB_TOKEN: header added' }),
        // Only a refusal is an attempt: an allowed row quoting the words is not.
        request(4, { rule: 'allowed: exfiltration attempt' }),
      ],
      SESSION,
    );
    expect(marked.rows.map((row) => [row.seq, row.exfiltration])).toEqual([
      [4, false],
      [3, false],
      [2, true],
      [1, true],
    ]);
    expect(summarize(marked).exfiltrations).toBe(2);
    const injected = marked.rows.find((row) => row.seq === 3);
    expect(injected?.kind === 'request' && injected.credentials).toBe('GITHUB_TOKEN: header added');
  });

  it('filters to what was refused, requests included', () => {
    expect(visibleRows(log.rows, 'refused').map((row) => row.seq)).toEqual([3, 2]);
    expect(visibleRows(log.rows, 'all')).toBe(log.rows);
  });

  it('totals hosts, most bytes first', () => {
    expect(hostTotals(log.rows)).toEqual([
      { target: 'registry.npmjs.org:443', connections: 3, refused: 0, bytes: 2200 },
      { target: '10.0.0.1:80', connections: 1, refused: 1, bytes: 0 },
    ]);
  });

  it('lists a package once per version, with its kinds of fetch and the worst outcome', () => {
    const lines = packageLines([
      ...log.packages,
      ...mergeEvents(EMPTY_LOG, [fetched(9, { decision: 'denied', kind: 'archive' })], SESSION)
        .packages,
    ]);
    expect(
      lines.map(({ name, version, kinds, decision, fetches }) => ({
        name,
        version,
        kinds,
        decision,
        fetches,
      })),
    ).toEqual([
      {
        name: 'left-pad',
        version: null,
        kinds: ['metadata', 'archive'],
        decision: 'denied',
        fetches: 3,
      },
      { name: 'left-pad', version: '1.3.0', kinds: ['archive'], decision: 'allowed', fetches: 1 },
    ]);
  });
});

describe('units', () => {
  it('writes bytes in binary units, three digits at most', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024)).toBe('200 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  });

  it('writes durations from milliseconds to minutes', () => {
    expect(formatElapsed(33)).toBe('33 ms');
    expect(formatElapsed(1400)).toBe('1.4 s');
    expect(formatElapsed(125_000)).toBe('2 min 5 s');
  });

  it('writes targets with IPv6 in brackets and a dash where no host was named', () => {
    expect(targetOf('example.com', 443)).toBe('example.com:443');
    expect(targetOf('::1', 8080)).toBe('[::1]:8080');
    expect(targetOf(null, null)).toBe('—');
  });
});
