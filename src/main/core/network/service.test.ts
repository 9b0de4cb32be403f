/**
 * The network service without a sandbox: a session's proxy on its socket, decided by a real policy
 * (a git project, the person's policy in the settings), the real approval inbox and a real store.
 * Requests are sent straight to the socket, as the sandbox's bridge would.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test-support/temp';
import { ApprovalService } from '../approvals';
import { makeRepository } from '../git/testing';
import { PolicyService } from '../policy';
import { SettingsService } from '../settings';
import { AuditStore } from '../store';
import { PROXY_PORT, type SessionNetwork } from './index';
import { NetworkService } from './service';

const person = { actor: 'person' as const, actorId: 'ada' };
/** Its own per run: the session's sockets live in a shared runtime directory. */
const SESSION = `ses_${randomBytes(4).toString('hex')}`;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function origin(): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.end('hello');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => void server.close());
  return { port: (server.address() as AddressInfo).port, seen };
}

async function fixture(policyText: string, expiryMs = 400) {
  const home = tempDir();
  const store = AuditStore.open({ home });
  const settings = new SettingsService(store);
  settings.set('policy.personal', policyText, person);
  const approvals = new ApprovalService(store, settings, expiryMs);
  const project = join(home, 'project');
  mkdirSync(project);
  makeRepository(project, { 'README.md': '# app\n' });
  const service = new NetworkService({
    store,
    policies: new PolicyService(settings),
    approvals,
    modelBaseUrl: () => '',
    resolve: async () => ['127.0.0.1'],
    flushMs: 5,
  });
  const network = await service.open({
    sessionId: SESSION,
    projectPath: project,
    agent: 'claude',
    baseCommit: 'HEAD',
    processes: () => [],
  });
  cleanups.push(async () => {
    await network.close();
    store.close();
  });
  return { store, approvals, network };
}

/** A plain HTTP request through the session's proxy socket, as a client in the sandbox sends it. */
function viaProxy(network: SessionNetwork, url: string): Promise<{ status: number; body: string }> {
  const socket = network.bridges.find((bridge) => bridge.port === PROXY_PORT)?.socket ?? '';
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: socket, path: url, method: 'GET' },
      (res: IncomingMessage) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const connections = (store: AuditStore) =>
  store.list({ sessionId: SESSION, limit: 100 }).filter((e) => e.kind === 'network.connection');

describe('a session network', () => {
  it('announces the proxy and the CA to the sandbox, with no private range in NO_PROXY', async () => {
    const { network } = await fixture('version: 1\n');
    expect(network.env.HTTPS_PROXY).toBe(`http://127.0.0.1:${PROXY_PORT}`);
    expect(network.env.https_proxy).toBe(network.env.HTTPS_PROXY);
    expect(network.env.ALL_PROXY).toBe(network.env.HTTPS_PROXY);
    expect(network.env.NO_PROXY).toBe('localhost,127.0.0.1,::1');
    expect(network.env.NODE_EXTRA_CA_CERTS).toMatch(/ca\.pem$/);
    expect(network.env.GIT_SSL_CAINFO).toMatch(/ca-bundle\.pem$/);
  });

  it('allows what a rule names, refuses what a rule denies, and records both', async () => {
    const { port, seen } = await origin();
    const { network, store } = await fixture(
      `version: 1\npermissions:\n  allow: ["Network(good.test:${port})", "Network(127.0.0.1:${port})"]\n  deny: ["Network(bad.test)"]\n`,
    );
    expect(await viaProxy(network, `http://good.test:${port}/a?token=secret`)).toEqual({
      status: 200,
      body: 'hello',
    });
    const denied = await viaProxy(network, `http://BAD.TEST.:${port}/b`);
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('denied by Network(bad.test)');
    expect(seen).toEqual(['GET /a?token=secret']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [first, second] = connections(store).map((event) => event.payload);
    expect(first).toMatchObject({ host: 'good.test', port, address: '127.0.0.1', method: 'GET' });
    // The query string often carries a token: the record keeps the path only.
    expect(first?.path).toBe('/a');
    expect(first?.decision).toBe('allowed');
    expect(second).toMatchObject({ host: 'bad.test', decision: 'denied' });
  });

  it('refuses a name that resolves to loopback unless a rule names the address', async () => {
    const { port, seen } = await origin();
    const { network } = await fixture(
      `version: 1\npermissions:\n  allow: ["Network(rebind.test)"]\n`,
    );
    const refused = await viaProxy(network, `http://rebind.test:${port}/`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('loopback address (127.0.0.1) that no rule names');
    // A loopback literal is refused at once: nobody is asked about one.
    expect((await viaProxy(network, `http://0x7f000001:${port}/`)).body).toContain(
      'a loopback address (127.0.0.1) that no rule names',
    );
    expect(seen).toEqual([]);
  });

  it('asks the inbox about an unknown host, and the connection waits for the answer', async () => {
    const { port, seen } = await origin();
    const { network, approvals } = await fixture(
      `version: 1\npermissions:\n  allow: ["Network(127.0.0.1:${port})"]\n`,
      5000,
    );
    approvals.onChange((asked) => {
      if (asked.state === 'pending')
        approvals.decide([asked.id], { allow: true, scope: 'session' }, person);
    });
    expect((await viaProxy(network, `http://new.test:${port}/x`)).status).toBe(200);
    const [asked] = approvals.list();
    expect(asked).toMatchObject({
      kind: 'network',
      subject: `Network(new.test:${port})`,
      agent: 'claude',
      sessionId: SESSION,
      state: 'allowed',
    });
    expect(seen).toEqual(['GET /x']);
  });

  it('denies when nobody answers before the request expires', async () => {
    const { port, seen } = await origin();
    const { network, approvals } = await fixture(
      `version: 1\npermissions:\n  allow: ["Network(127.0.0.1:${port})"]\n`,
      300,
    );
    const refused = await viaProxy(network, `http://new.test:${port}/x`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('no answer within');
    expect(approvals.list()[0]?.state).toBe('expired');
    expect(seen).toEqual([]);
  });

  it('records package fetches from registries only, not package-shaped paths elsewhere', async () => {
    const { port } = await origin();
    const { network, store } = await fixture(
      `version: 1\npermissions:\n  allow: ["Network(127.0.0.1:${port})", "Network(registry.test:${port})", "Network(other.test:${port})"]\nnetwork:\n  inspect: ["registry.test:${port}"]\n`,
    );
    await viaProxy(network, `http://registry.test:${port}/left-pad/-/left-pad-1.3.0.tgz`);
    await viaProxy(network, `http://other.test:${port}/login`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const packages = store
      .list({ sessionId: SESSION, limit: 100 })
      .filter((event) => event.kind === 'network.package')
      .map((event) => event.payload);
    expect(packages).toEqual([
      expect.objectContaining({
        ecosystem: 'npm',
        name: 'left-pad',
        version: '1.3.0',
        kind: 'archive',
        host: 'registry.test',
      }),
    ]);
  });
});
