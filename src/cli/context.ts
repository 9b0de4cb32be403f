/**
 * What every command gets: where Paddock's home is, how to print, and the contract client.
 *
 * When a Paddock host (the desktop app or `paddock serve`) is running for this home, commands talk
 * to it through its endpoint file and the WebSocket: one writer, and the UI sees the CLI's events
 * live. When none is running, the command runs the core in-process: writers take the store's lock
 * for as long as the command lasts; readers open the store read-only.
 */
import { paddockPaths, resolvePaddockHome } from '../main/core/home';
import { readEndpoint } from '../main/transport/endpoint';
import { createApi } from '../shared/contract/client';
import type { PaddockApi } from '../shared/contract';
import type { SocketLike } from '../shared/contract/ws-client';

export type Access = 'read' | 'write';

/** The connection to a running host, for commands that follow it for a while. */
export interface HostLink {
  /** Resolves with why, once the connection dropped (not when the command closes it). */
  lost: Promise<string>;
}

export interface CliContext {
  home: string;
  print(line: string): void;
  /**
   * Runs `work` against the running host if there is one, else against an in-process core, or
   * `inProcess` when given: a reader that needs less than the whole core (loading the whole core
   * takes longer than most reports).
   */
  withApi<T>(
    access: Access,
    work: (api: PaddockApi) => Promise<T>,
    inProcess?: () => Promise<T>,
  ): Promise<T>;
  /**
   * Runs `work` against a host, starting one in the background (and saying so) when none runs.
   * `link.lost` resolves, with why, if the connection to the host drops while `work` runs.
   */
  withHost<T>(work: (api: PaddockApi, link: HostLink) => Promise<T>): Promise<T>;
  /** Messages for the person that are not the command's output. */
  note(line: string): void;
}

export function createContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const home = resolvePaddockHome({ env });
  return {
    home,
    print: (line) => process.stdout.write(`${line}\n`),
    note: (line) => process.stderr.write(`${line}\n`),
    async withApi(access, work, inProcess) {
      const remote = await connectToHost(home);
      if (remote) {
        try {
          return await work(remote.api);
        } finally {
          remote.close();
        }
      }
      return inProcess ? inProcess() : runInProcess(home, access, work);
    },
    async withHost(work) {
      let remote = await connectToHost(home);
      if (!remote) {
        const { startInBackground } = await import('./background');
        const endpoint = await startInBackground(home);
        process.stderr.write(
          `Started Paddock in the background (pid ${endpoint.pid}) so sessions outlive this command: ${endpoint.url}\n\`paddock stop\` stops it.\n`,
        );
        remote = await connectToHost(home);
        if (!remote) throw new Error('The background Paddock host started but does not answer.');
      }
      try {
        return await work(remote.api, remote);
      } finally {
        remote.close();
      }
    },
  };
}

async function runInProcess<T>(
  home: string,
  access: Access,
  work: (api: PaddockApi) => Promise<T>,
): Promise<T> {
  // Loaded when needed: the whole core takes longer to load than many commands take to run.
  const [{ openPaddock }, { inProcessTransport, serveCore }] = await Promise.all([
    import('../main/paddock'),
    import('../main/transport'),
  ]);
  const paddock = openPaddock({
    home,
    readonly: access === 'read',
    lockCommand: `paddock ${process.argv.slice(2).join(' ')}`,
  });
  const core = serveCore(paddock, 'in-process');
  try {
    return await work(createApi(inProcessTransport(core)));
  } finally {
    core.detach();
    await paddock.close();
  }
}

/** The running host's client, or null when there is none (or it no longer answers). */
export async function connectToHost(
  home: string,
): Promise<({ api: PaddockApi; close(): void } & HostLink) | null> {
  const endpoint = readEndpoint(paddockPaths(home).endpoint);
  if (!endpoint) return null;
  let closing = false;
  let lose: (why: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (lose = resolve));
  const [{ default: WebSocket }, { createWsTransport }] = await Promise.all([
    import('ws'),
    import('../shared/contract/ws-client'),
  ]);
  const transport = createWsTransport({
    url: `ws://127.0.0.1:${endpoint.port}/ws`,
    token: endpoint.token,
    reconnect: false,
    onState: (state, detail) => {
      if ((state === 'closed' || state === 'unauthorized') && !closing)
        lose(detail ? `${state}: ${detail}` : state);
    },
    createSocket: (url, protocols) =>
      new WebSocket(url, protocols, { handshakeTimeout: 2000 }) as unknown as SocketLike,
  });
  try {
    await transport.ready;
  } catch {
    return null; // a host that died without removing its endpoint: the store's lock decides who writes
  }
  return {
    api: createApi(transport),
    lost,
    close: () => {
      closing = true;
      transport.close();
    },
  };
}
