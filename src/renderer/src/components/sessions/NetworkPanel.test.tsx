/**
 * The Network view rendered to HTML in Node (no DOM here): what a row says, that hosts, paths and
 * rules from the agent arrive as escaped text, and what an unwatched session shows. Loading, live
 * events and keys need a browser and are left to the end-to-end tests.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { JsonObject } from '../../../../shared/audit';
import type { SessionRecord } from '../../../../shared/sessions';
import { proxyEvent, sessionRecord, textOf } from '../../test-support';

vi.mock('../../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: { audit: { list: vi.fn() }, on: () => () => undefined },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const { ConnectionsTable, NetworkPanel, Packages, Summary } = await import('./NetworkPanel');
const { EMPTY_LOG, mergeEvents, packageLines, summarize } = await import('./network');

const SESSION = 'ses_1234abcd';

const event = (seq: number, kind: string, payload: JsonObject, sessionId = SESSION) =>
  proxyEvent(seq, kind, payload, sessionId);

const HOSTILE_PATH = '/<img src=x onerror=alert(1)>\u202Egnp.exe';
const log = mergeEvents(
  EMPTY_LOG,
  [
    event(1, 'network.connection', {
      host: '127.0.0.1',
      port: 8080,
      address: '127.0.0.1',
      method: 'GET',
      path: HOSTILE_PATH,
      bytesUp: 103,
      bytesDown: 2048,
      decision: 'allowed',
      rule: 'allowed by Network(127.0.0.1:8080)',
      durationMs: 33,
      inspected: false,
      requests: 1,
    }),
    event(2, 'network.connection', {
      host: '10.0.0.1',
      port: 80,
      address: null,
      method: 'GET',
      path: '/',
      bytesUp: 0,
      bytesDown: 0,
      decision: 'denied',
      rule: 'a private address (10.0.0.1) that no rule names',
      durationMs: 5,
      inspected: false,
      requests: 1,
    }),
    event(3, 'network.connection', {
      host: 'api.example.com',
      port: 443,
      address: '93.184.216.34',
      bytesUp: 10,
      bytesDown: 10,
      decision: 'allowed',
      rule: 'allowed',
      durationMs: 1500,
      inspected: false,
      requests: 0,
    }),
    event(4, 'network.package', {
      ecosystem: 'npm',
      name: '<b>left-pad</b>',
      version: '1.3.0',
      kind: 'archive',
      host: 'registry.npmjs.org',
      decision: 'denied',
    }),
  ],
  SESSION,
);

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return sessionRecord({ id: SESSION, ...overrides });
}

describe('the connections table', () => {
  const html = renderToStaticMarkup(<ConnectionsTable rows={log.rows} />);

  it('shows each connection newest first with its decision, target, request, bytes and why', () => {
    const rows = html.split('data-testid="network-row"').slice(1).map(textOf);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('api.example.com:443');
    expect(rows[0]).toContain('tunnel, contents not seen');
    expect(rows[0]).toContain('1.5 s');
    expect(rows[1]).toContain('refused');
    expect(rows[1]).toContain('10.0.0.1:80');
    expect(rows[1]).toContain('a private address (10.0.0.1) that no rule names');
    expect(rows[2]).toContain('allowed');
    expect(rows[2]).toContain('103 B');
    expect(rows[2]).toContain('2.0 KiB');
    expect(rows[2]).toContain('33 ms');
  });

  it('renders an agent’s path as text, with its hidden characters marked', () => {
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('\u202E');
    expect(html).toContain('class="escaped"');
  });
});

describe('an inspected connection', () => {
  it('shows its requests under it, each with its own decision and status', () => {
    const inspected = mergeEvents(
      EMPTY_LOG,
      [
        event(10, 'network.request', {
          host: 'api.github.com',
          port: 443,
          method: 'DELETE',
          path: '/repos/ada/app',
          status: 403,
          decision: 'denied',
          rule: 'denied by Network(DELETE api.github.com/repos/**)',
          bytesUp: 0,
          bytesDown: 0,
          durationMs: 2,
          inspected: true,
        }),
        event(11, 'network.connection', {
          host: 'api.github.com',
          port: 443,
          address: '140.82.112.6',
          bytesUp: 500,
          bytesDown: 900,
          decision: 'allowed',
          rule: 'allowed by Network(api.github.com)',
          durationMs: 300,
          inspected: true,
          requests: 1,
        }),
      ],
      SESSION,
    );
    const html = renderToStaticMarkup(<ConnectionsTable rows={inspected.rows} />);
    const rows = html.split('data-testid="network-row"').slice(1).map(textOf);
    expect(rows[0]).toContain('api.github.com:443inspected1 request');
    expect(rows[1]).toContain('refused');
    expect(rows[1]).toContain('DELETE /repos/ada/app403');
    expect(html).toContain('data-kind="request"');
  });
});

describe('the summary and the packages', () => {
  it('sums up what was allowed and refused, bytes and packages', () => {
    const text = textOf(renderToStaticMarkup(<Summary summary={summarize(log)} />));
    expect(text).toBe(
      '3 connections: 2 allowed, 1 refused · ↑ 113 B sent · ↓ 2.0 KiB received · 1 package fetched',
    );
  });

  it('names each package as text, with its fetch and outcome', () => {
    const html = renderToStaticMarkup(<Packages lines={packageLines(log.packages)} />);
    expect(html).not.toContain('<b>');
    expect(textOf(html)).toContain('npm<b>left-pad</b>@1.3.0archiverefused');
  });
});

describe('sessions whose network is not watched', () => {
  it('says so for an unsandboxed session', () => {
    const html = renderToStaticMarkup(
      <NetworkPanel session={session({ sandboxProfile: 'unsandboxed' })} />,
    );
    expect(textOf(html)).toContain('runs without a sandbox, so its network is not watched');
    expect(html).not.toContain('network-table');
  });

  it('reads before showing a sandboxed session’s network', () => {
    const html = renderToStaticMarkup(<NetworkPanel session={session()} />);
    expect(textOf(html)).toContain('Reading the session’s network records…');
  });
});
