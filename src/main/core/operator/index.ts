/**
 * The remote operator (#17): a model working on another machine in a loop (think, act, observe)
 * under Paddock's policy, inbox and audit. The loop takes its collaborators injected: a model
 * provider (called through the credential broker), the host's shell (the SSH hosts service), the
 * policy's decision for a command on that host, the store and the inbox.
 */
export { remoteCommandDecider, type CommandDecider, type RemoteDecisionOptions } from './decide';
export {
  OperatorError,
  OperatorRun,
  type OperatorLimits,
  type OperatorOutcome,
  type OperatorResult,
  type OperatorRunOptions,
  type Who,
} from './loop';
export { openOperatorProvider, type OpenedProvider, type ProviderSetting } from './open-provider';
export { OPERATOR_TOOLS, type OperatorAction, type ToolSpec } from './protocol';
export {
  createProvider,
  ModelCallError,
  type ModelProvider,
  type ModelReply,
  type ModelRequest,
  type ProviderApi,
} from './providers';
export type { RemoteResult, RemoteRunOptions, RemoteShell } from './remote-shell';
export { OperatorService, type OperatorServiceDeps, type OperatorStartInput } from './service';
export { remotePlace, sshRemoteShell, type RemotePlace } from './ssh-shell';
