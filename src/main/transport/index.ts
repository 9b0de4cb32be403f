/**
 * Serving the core over the contract: one router bound to a Paddock's services, the event hub fed
 * by the store, and the transports (WebSocket, Electron IPC, in-process) that carry them.
 */
import {
  ContractError,
  sessionOutputTopic,
  type SystemInfo,
  type Transport,
} from '../../shared/contract';
import { AgentError } from '../core/agents';
import { PriceTable } from '../core/costs';
import { ProjectError } from '../core/projects';
import { ApprovalError } from '../core/approvals';
import { PolicyError, PolicyServiceError } from '../core/policy';
import { SessionError } from '../core/sessions';
import { SettingsError } from '../core/settings';
import { WorkspaceError } from '../core/workspaces';
import { StoreError } from '../core/store';
import { VaultError } from '../core/vault';
import { GateError } from '../core/gates';
import { PromotionError } from '../core/promotion';
import { IdentityError } from '../core/identity';
import { SignoffError } from '../core/signoff';
import { SshError } from '../core/ssh';
import { OperatorError } from '../core/operator';
import type { Paddock } from '../paddock';
import { EventHub } from './event-hub';
import { auditHandlers } from './handlers/audit';
import { approvalHandlers } from './handlers/approvals';
import { costsHandlers } from './handlers/costs';
import { policyHandlers } from './handlers/policy';
import { reviewHandlers } from './handlers/review';
import { identityHandlers } from './handlers/identity';
import { secretsHandlers } from './handlers/secrets';
import { sessionHandlers } from './handlers/sessions';
import { sshHandlers } from './handlers/ssh';
import { operatorHandlers } from './handlers/operator';
import { settingsHandlers } from './handlers/settings';
import { systemHandlers } from './handlers/system';
import { createRouter, type Router } from './router';

export { EventHub } from './event-hub';
export type { Router } from './router';
export { startWsServer, type WsServer, type WsServerOptions } from './ws-server';
export { createIpcAdapter, fromOwnPage, type IpcAdapter, type IpcCallEvent } from './ipc-adapter';
export { readEndpoint, removeEndpoint, writeEndpoint, type Endpoint } from './endpoint';

export interface ServedCore {
  router: Router;
  hub: EventHub;
  /** Stops feeding the hub. */
  detach(): void;
}

/** Errors whose message is written for the person: passed on as `failed`, with the message. */
function isUserFacing(error: unknown): error is Error {
  return [
    StoreError,
    SettingsError,
    ProjectError,
    SessionError,
    WorkspaceError,
    AgentError,
    PolicyError,
    PolicyServiceError,
    ApprovalError,
    VaultError,
    GateError,
    PromotionError,
    IdentityError,
    SignoffError,
    SshError,
    OperatorError,
  ].some((kind) => error instanceof kind);
}

export function serveCore(paddock: Paddock, host: SystemInfo['host']): ServedCore {
  const router = createRouter(
    {
      ...systemHandlers(paddock, host),
      ...auditHandlers(paddock.store, paddock.person),
      ...settingsHandlers(paddock.settings, paddock.person),
      ...sessionHandlers(paddock.projects, paddock.sessions, paddock.person, paddock.operator),
      ...policyHandlers(paddock.policies, paddock.person),
      ...approvalHandlers(paddock.approvals, paddock.person),
      ...secretsHandlers(paddock.vault, paddock.person),
      ...reviewHandlers(paddock.gates, paddock.person),
      ...identityHandlers(paddock.identity, paddock.person),
      ...sshHandlers(paddock.ssh, paddock.person),
      ...operatorHandlers(paddock.operator, paddock.person),
      ...costsHandlers(
        paddock.store,
        paddock.home,
        () => PriceTable.bundled(paddock.settings.get('costs.prices')),
        { settings: paddock.settings, sessions: paddock.sessions, projects: paddock.projects },
      ),
    },
    isUserFacing,
  );
  const hub = new EventHub();
  const unsubscribe = [
    paddock.store.onAppend((events) => hub.publish('audit.appended', events)),
    paddock.sessions.onOutput((sessionId, data, seq) => {
      hub.publish('session.output', { sessionId, data, seq });
      hub.publish(sessionOutputTopic(sessionId), { sessionId, data, seq });
    }),
    paddock.sessions.onChange((session) => hub.publish('session.changed', session)),
    paddock.approvals.onChange((request) => hub.publish('approvals.changed', request)),
    paddock.gates.onChange((sessionId) => hub.publish('review.changed', { sessionId })),
    paddock.operator.onChange((change) => hub.publish('operator.changed', change)),
  ];
  return { router, hub, detach: () => unsubscribe.forEach((stop) => stop()) };
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
