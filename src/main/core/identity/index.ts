/**
 * A person's Ed25519 signing identity: the private key in the OS keychain, the public key in
 * OpenSSH form, and passphrase-sealed backups. See service.ts.
 */
export {
  identityAccount,
  IdentityService,
  type IdentityActor,
  type IdentityAudit,
  type IdentityDeps,
  type IdentitySignature,
  type IdentityStore,
} from './service';
export { fingerprintOf, parseOpenSshEd25519, toOpenSsh, type ParsedOpenSshKey } from './openssh';
export {
  BACKUP_FORMAT,
  MIN_PASSPHRASE_LENGTH,
  openBackup,
  sealBackup,
  type BackupContents,
} from './backup';
export { IdentityError, type IdentityErrorKind } from './errors';
