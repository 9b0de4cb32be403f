import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tempDir } from '../../test-support/temp';
import { openPaddock } from '../../main/paddock';
import { serveCore, startWsServer } from '../../main/transport';
import type { AuditEvent } from '../audit';
import { createApi } from './client';
import { createWsTransport, type ConnectionState, type SocketLike } from './ws-client';

const TOKEN = 'cd'.repeat(32);
const createSocket = (url: string, protocols: string[]) =>
  new WebSocket(url, protocols) as unknown as SocketLike;

describe('WebSocket client', () => {
  it('reconnects after the host restarts, subscribes again, and reports its state', async () => {
    const home = tempDir();
    let paddock = openPaddock({ home });
    let core = serveCore(paddock, 'serve');
    let server = await startWsServer({ ...core, token: TOKEN });
    const port = server.port;
    const states: ConnectionState[] = [];
    const transport = createWsTransport({
      url: `ws://127.0.0.1:${port}/ws`,
      token: TOKEN,
      createSocket,
      reconnect: true,
      onState: (s) => states.push(s),
    });
    const api = createApi(transport);
    await transport.ready;
    const heard: AuditEvent[] = [];
    api.on('audit.appended', (events) => heard.push(...events));

    // The host goes away and comes back on the same port.
    await server.close();
    core.detach();
    await paddock.close();
    await expect(api.system.info({})).rejects.toMatchObject({ code: 'unavailable' });
    paddock = openPaddock({ home });
    core = serveCore(paddock, 'serve');
    server = await startWsServer({ ...core, token: TOKEN, port });
    const reopened = () =>
      states.includes('reconnecting') &&
      states.lastIndexOf('open') > states.indexOf('reconnecting');
    await expect.poll(reopened, { timeout: 5000 }).toBe(true);
    await api.settings.set({ key: 'ui.theme', value: 'dark' });
    await expect.poll(() => heard.map((e) => e.kind)).toEqual(['settings.changed']);
    expect(states).toEqual(expect.arrayContaining(['connecting', 'open', 'reconnecting']));

    transport.close();
    await server.close();
    core.detach();
    await paddock.close();
  });

  it('rejects calls with the typed error the host sent', async () => {
    const paddock = openPaddock({ home: tempDir() });
    const core = serveCore(paddock, 'serve');
    const server = await startWsServer({ ...core, token: TOKEN });
    const transport = createWsTransport({
      url: `ws://127.0.0.1:${server.port}/ws`,
      token: TOKEN,
      createSocket,
    });
    await transport.ready;
    await expect(createApi(transport).audit.list({ limit: 0 })).rejects.toMatchObject({
      name: 'ContractError',
      code: 'bad-input',
    });
    transport.close();
    await server.close();
    core.detach();
    await paddock.close();
  });

  it('gives up at once on a refused token, saying so', async () => {
    const paddock = openPaddock({ home: tempDir() });
    const core = serveCore(paddock, 'serve');
    const server = await startWsServer({ ...core, token: TOKEN });
    const states: Array<[ConnectionState, string | undefined]> = [];
    const transport = createWsTransport({
      url: `ws://127.0.0.1:${server.port}/ws`,
      token: 'ef'.repeat(32),
      createSocket,
      reconnect: true,
      onState: (s, d) => states.push([s, d]),
    });
    await expect(transport.ready).rejects.toMatchObject({ code: 'unauthorized' });
    expect(states.at(-1)).toEqual(['unauthorized', 'missing or wrong access token']);
    await server.close();
    core.detach();
    await paddock.close();
  });
});
