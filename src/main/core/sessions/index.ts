/** Sessions: agents at work in workspaces of their own, recorded. */
export {
  type SessionModelBroker,
  NO_MODEL_KEY,
  SessionManager,
  type ExecRequest,
  type ExecResult,
  type SessionManagerOptions,
  type StartRequest,
  type WorkspaceSetup,
} from './manager';
export type { ExecIo, ExecOptions } from './exec';
export type {
  OtherRecording,
  OtherTerminalOptions,
  TerminalKeys,
  TerminalSize,
} from './other-terminal';
export { SessionError, type By, type NewSession } from './session-records';
