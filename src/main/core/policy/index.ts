/**
 * The policy engine: the policy file's schema and loader, permission rules, the decision order and
 * the shell command classifier. Call `ready()` once at start-up (it loads the WebAssembly shell
 * parser); until it resolves, every shell command is decided "ask".
 */
export { classifyCommand, type Classification, type ClassifyContext } from './classify';
export {
  addressesNamed,
  decide,
  inspectListed,
  inspectsHost,
  mergePolicies,
  type Decision,
  type DecideOptions,
  type MergedRule,
  type PermissionRequest,
  type RuleSource,
} from './decide';
export { PolicyError } from './errors';
export { parsePolicy, policyDigest } from './load';
export { hostMatches, parseRule, type Rule } from './rules';
export {
  SECTIONS,
  SUPPORTED_VERSIONS,
  type LocatedRule,
  type PermissionList,
  type Policy,
} from './schema';
export { isReady, ready } from './shell/parser';
export {
  PolicyService,
  PolicyServiceError,
  POLICY_FILE,
  type PolicySettings,
  type ProjectPolicy,
  type RepositoryPolicy,
  type TrustRecord,
} from './service';
