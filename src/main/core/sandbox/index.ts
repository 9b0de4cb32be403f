/** Containment: every process of a session runs in an OS sandbox (bubblewrap on Linux, Seatbelt on macOS). */
export { bubblewrapArgs, bubblewrapBackend } from './bubblewrap';
export { createCgroup } from './cgroup';
export { PROTECTED_FILES } from './workspace-guard';
export { bridgeDir, removeBridgeDir } from './bridge-dir';
export {
  SandboxService,
  SandboxUnavailableError,
  type ContainedRun,
  type ContainRequest,
  type SandboxServiceOptions,
} from './service';
export type { LoopbackBridge, SandboxBackend, SandboxLimits, SandboxSpec } from './spec';
