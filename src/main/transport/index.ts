/**
 * Serving the core over the contract: one router bound to a Paddock's services, the event hub fed
 * by the store, and the transports (WebSocket, Electron IPC, in-process) that carry them.
 */
import { ContractError, type SystemInfo, type Transport } from '../../shared/contract';
import { SettingsError } from '../core/settings';
import { StoreError } from '../core/store';
import type { Paddock } from '../paddock';
import { EventHub } from './event-hub';
import { auditHandlers } from './handlers/audit';
import { settingsHandlers } from './handlers/settings';
import { systemHandlers } from './handlers/system';
import { createRouter, type Router } from './router';

export { EventHub } from './event-hub';
export type { Router } from './router';
export { startWsServer, type WsServer, type WsServerOptions } from './ws-server';
export { createIpcAdapter, type IpcAdapter, type IpcCallEvent } from './ipc-adapter';
export { readEndpoint, removeEndpoint, writeEndpoint, type Endpoint } from './endpoint';

export interface ServedCore {
  router: Router;
  hub: EventHub;
  /** Stops feeding the hub. */
  detach(): void;
}

export function serveCore(paddock: Paddock, host: SystemInfo['host']): ServedCore {
  const router = createRouter(
    {
      ...systemHandlers(paddock, host),
      ...auditHandlers(paddock.store),
      ...settingsHandlers(paddock.settings, paddock.person),
    },
    (error): error is Error => error instanceof StoreError || error instanceof SettingsError,
  );
  const hub = new EventHub();
  const detach = paddock.store.onAppend((events) => hub.publish('audit.appended', events));
  return { router, hub, detach };
}

/** The contract as plain function calls, for a CLI that runs the core itself. */
export function inProcessTransport({ router, hub }: ServedCore): Transport {
  return {
    async call(name, input) {
      const result = await router.handle(name, input);
      if (result.ok) return result.value as never;
      throw new ContractError(result.error.code, result.error.message, result.error.issues);
    },
    subscribe: (topic, listener) => hub.subscribe(topic, listener),
  };
}
