/**
 * SSH hosts for the remote operator: records in the `ssh.hosts` setting (written only here), private
 * keys in the vault, host keys pinned at first connect, and pooled connections for commands and
 * terminals. See service.ts.
 */
export {
  SshService,
  type SshConnectOptions,
  type SshServiceDeps,
  type SshShellOptions,
} from './service';
export {
  keySecretOf,
  refuseHostEditsOutsideSsh,
  SSH_HOSTS_SETTING,
  type NewSshHost,
  type SshActor,
} from './hosts';
export type { SshExecOptions, SshExecResult } from './exec';
export { fingerprintOfBlob } from './connection';
export { SshError, type SshErrorKind } from './errors';
export { checkFingerprint, checkPrivateKey } from './validate';
