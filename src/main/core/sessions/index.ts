/** Sessions: agents at work in workspaces of their own, recorded. */
export { SessionManager, type SessionManagerOptions, type StartRequest } from './manager';
export { SessionError, type By } from './session-records';
