/**
 * The headless host: the same core as the desktop app, served to a browser (and the CLI) over the
 * authenticated WebSocket, with the built renderer over http on the same port.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { paddockPaths, resolvePaddockHome } from './core/home';
import { openPaddock } from './paddock';
import { removeEndpoint, serveCore, startWsServer, writeEndpoint } from './transport';

export interface HeadlessHostOptions {
  home?: string;
  /** 0 or undefined: a free port. */
  port?: number;
  /** The built renderer; found beside this file by default. */
  staticDir?: string | null;
}

export interface HeadlessHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startHeadlessHost(options: HeadlessHostOptions = {}): Promise<HeadlessHost> {
  const home = options.home ?? resolvePaddockHome();
  const paddock = openPaddock({ home, lockCommand: 'paddock serve' });
  const core = serveCore(paddock, 'serve');
  const token = randomBytes(32).toString('hex');
  let server;
  try {
    server = await startWsServer({
      router: core.router,
      hub: core.hub,
      token,
      port: options.port ?? 0,
      staticDir: options.staticDir === undefined ? findRenderer() : options.staticDir,
    });
  } catch (error) {
    core.detach();
    await paddock.close();
    throw error;
  }
  const endpointFile = paddockPaths(home).endpoint;
  writeEndpoint(endpointFile, {
    version: 1,
    host: 'serve',
    pid: process.pid,
    port: server.port,
    token,
    url: server.url,
    startedAt: new Date().toISOString(),
  });
  paddock.store.append({
    kind: 'host.started',
    actor: 'system',
    actorId: 'serve',
    payload: { pid: process.pid, port: server.port },
  });
  let closing: Promise<void> | null = null;
  return {
    url: server.url,
    port: server.port,
    token,
    close: () =>
      (closing ??= (async () => {
        removeEndpoint(endpointFile);
        await server.close();
        paddock.store.append({
          kind: 'host.stopped',
          actor: 'system',
          actorId: 'serve',
          payload: { pid: process.pid },
        });
        core.detach();
        await paddock.close();
      })()),
  };
}

/** out/renderer, from the built bundle (out/main) or from source (src/main). */
export function findRenderer(): string | null {
  const candidates = [
    join(__dirname, '..', 'renderer'),
    join(__dirname, '..', '..', 'out', 'renderer'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** Keeps the host running until SIGINT or SIGTERM, then shuts it down cleanly. */
export function closeOnSignals(
  host: HeadlessHost,
  onClosed: () => void = () => process.exit(0),
): void {
  const stop = () => void host.close().then(onClosed);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
}

if (require.main === module) {
  void startHeadlessHost().then((host) => {
    process.stdout.write(`Paddock is serving at ${host.url}\n`);
    closeOnSignals(host);
  });
}
