/**
 * The vault: secrets in the OS keychain, a non-secret index beside the settings, and sealing for
 * sensitive data that must touch disk. See service.ts.
 */
export {
  refuseIndexEditsOutsideVault,
  secretAccount,
  VaultService,
  VAULT_INDEX_SETTING,
  VAULT_KEY_ACCOUNT,
  VALUE_REUSE_MS,
  type SecretOptions,
  type VaultActor,
  type VaultOptions,
} from './service';
export {
  explainKeychainError,
  KEYCHAIN_SERVICE,
  keychainProblem,
  keytarKeychain,
  type Keychain,
  type KeytarKeychainOptions,
} from './keychain';
export { SEAL_VERSION, sealerFor, type Sealer } from './seal';
export { checkHeader, checkHost, checkHosts, checkName, checkValue } from './validate';
export { VaultError, type VaultErrorKind } from './errors';
