/**
 * How the renderer reaches main, whichever host it runs in: the preload's typed client in Electron,
 * the authenticated WebSocket in a browser. Everything else in the renderer sees only PaddockApi.
 */
import { create } from 'zustand';
import { createApi } from '../../../shared/contract/client';
import {
  bridgeTransport,
  ContractError,
  type IpcBridge,
  type PaddockApi,
  type Transport,
} from '../../../shared/contract';
import {
  createWsTransport,
  type ConnectionState,
  type SocketLike,
} from '../../../shared/contract/ws-client';

declare global {
  interface Window {
    /** Exposed by the Electron preload. */
    paddockIpc?: IpcBridge;
  }
}

interface ConnectionStore {
  state: ConnectionState;
  detail: string | null;
  transport: 'ipc' | 'websocket';
}

export const useConnection = create<ConnectionStore>(() => ({
  state: 'connecting',
  detail: null,
  transport: 'websocket',
}));

const TOKEN_KEY = 'paddock.token';

/** The token arrives once in the URL fragment (never sent to a server); it is kept for reloads of this tab. */
function takeToken(): string {
  const match = /(?:^#|&)token=([0-9a-f]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function connect(): PaddockApi {
  if (window.paddockIpc) {
    useConnection.setState({ state: 'open', transport: 'ipc' });
    return createApi(bridgeTransport(window.paddockIpc));
  }
  const token = takeToken();
  if (!token) {
    useConnection.setState({
      state: 'unauthorized',
      detail: 'This page was opened without its access token.',
    });
    return createApi(refusedTransport());
  }
  const transport = createWsTransport({
    url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws`,
    token,
    reconnect: true,
    createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
    onState: (state, detail) => useConnection.setState({ state, detail: detail ?? null }),
  });
  return createApi(transport);
}

/** Without a token there is nothing to try: every call says so. */
function refusedTransport(): Transport {
  const refused = new ContractError(
    'unauthorized',
    'This page was opened without its access token.',
  );
  return { call: () => Promise.reject(refused), subscribe: () => () => undefined };
}

export const api: PaddockApi = connect();
