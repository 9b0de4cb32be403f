/**
 * The client side of the WebSocket transport, shared by the renderer (browser WebSocket) and the
 * CLI (the `ws` package). Calls wait for their result; subscriptions are re-sent after a reconnect.
 */
import {
  ContractError,
  type CallName,
  type CallInput,
  type CallOutput,
  type Topic,
  type TopicPayload,
  type Transport,
} from './index';
import { PROTOCOL, TOKEN_PROTOCOL_PREFIX, type ClientFrame, type ServerFrame } from './wire';

/** The part of the WebSocket API both implementations share. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'unauthorized';

export interface WsTransportOptions {
  url: string;
  token: string;
  createSocket: SocketFactory;
  /** Keep reconnecting after a drop (the renderer); the CLI gives up instead. */
  reconnect?: boolean;
  callTimeoutMs?: number;
  onState?: (state: ConnectionState, detail?: string) => void;
}

export interface WsTransport extends Transport {
  /** Resolves once connected; rejects if the first connection fails. */
  ready: Promise<void>;
  close(): void;
}

const OPEN = 1;
/** Close code the server uses for a refused token or origin (4000-4999: application codes). */
export const CLOSE_UNAUTHORIZED = 4401;

export function createWsTransport(options: WsTransportOptions): WsTransport {
  const pending = new Map<
    number,
    {
      resolve: (v: unknown) => void;
      reject: (e: Error) => void;
      timer: ReturnType<typeof setTimeout>;
    }
  >();
  const listeners = new Map<Topic, Set<(payload: never) => void>>();
  let socket: SocketLike;
  let nextId = 1;
  let closedByUs = false;
  let everOpened = false;
  let retryDelay = 250;
  let resolveReady: () => void;
  let rejectReady: (error: Error) => void;
  const ready = new Promise<void>(
    (resolve, reject) => ((resolveReady = resolve), (rejectReady = reject)),
  );
  ready.catch(() => undefined);

  const send = (frame: ClientFrame) => {
    if (socket.readyState === OPEN) socket.send(JSON.stringify(frame));
  };
  const failAll = (error: Error) => {
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.reject(error);
    }
    pending.clear();
  };

  const connect = () => {
    socket = options.createSocket(options.url, [PROTOCOL, TOKEN_PROTOCOL_PREFIX + options.token]);
    // Open is not enough: the server accepts, then closes on a bad token. Its hello says we are in.
    socket.onopen = () => undefined;
    socket.onmessage = (event) => receive(String(event.data));
    socket.onerror = () => undefined; // onclose follows and says why
    socket.onclose = (event) => {
      const unauthorized = event.code === CLOSE_UNAUTHORIZED;
      const error = new ContractError(
        unauthorized ? 'unauthorized' : 'unavailable',
        unauthorized
          ? `Paddock refused this client: ${event.reason}`
          : 'The connection to Paddock closed.',
      );
      failAll(error);
      if (closedByUs) {
        options.onState?.('closed');
      } else if (unauthorized || !options.reconnect) {
        options.onState?.(unauthorized ? 'unauthorized' : 'closed', event.reason);
        rejectReady(error);
      } else {
        scheduleReconnect(error);
      }
    };
  };

  const scheduleReconnect = (error: Error) => {
    if (!everOpened && retryDelay > 4000) rejectReady(error);
    options.onState?.('reconnecting');
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5000);
  };

  const receive = (text: string) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'hello') {
      everOpened = true;
      retryDelay = 250;
      options.onState?.('open');
      for (const topic of listeners.keys()) send({ type: 'subscribe', topic });
      resolveReady();
    } else if (frame.type === 'event') {
      for (const listener of listeners.get(frame.topic) ?? []) listener(frame.payload as never);
    } else if (frame.type === 'result') {
      const call = pending.get(frame.id);
      if (!call) return;
      pending.delete(frame.id);
      clearTimeout(call.timer);
      if (frame.ok) call.resolve(frame.value);
      else
        call.reject(new ContractError(frame.error.code, frame.error.message, frame.error.issues));
    }
  };

  options.onState?.('connecting');
  connect();

  return {
    ready,
    call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
      if (socket.readyState !== OPEN)
        return Promise.reject(new ContractError('unavailable', 'Not connected to Paddock.'));
      const id = nextId++;
      return new Promise<CallOutput<N>>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new ContractError('unavailable', `Paddock did not answer ${name} in time.`));
        }, options.callTimeoutMs ?? 120_000);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        send({ type: 'call', id, name, input });
      });
    },
    subscribe<T extends Topic>(topic: T, listener: (payload: TopicPayload<T>) => void) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
        send({ type: 'subscribe', topic });
      }
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
        if (set.size > 0) return;
        listeners.delete(topic);
        send({ type: 'unsubscribe', topic });
      };
    },
    close() {
      closedByUs = true;
      socket.close(1000, 'client closed');
    },
  };
}
