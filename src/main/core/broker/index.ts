/**
 * The broker: placeholders instead of keys in the agent's hands. Per session (BrokerService), a
 * model broker that swaps the real key in on the way to the provider and takes it out of what
 * comes back, and a credential guard on the proxy's path that does the same for every other secret
 * on its bound hosts, and refuses (and records) a placeholder sent anywhere else.
 */
export {
  isPlaceholderShaped,
  newPlaceholder,
  PLACEHOLDER_PATTERN,
  PLACEHOLDER_PREFIX,
  PlaceholderSet,
  type FoundPlaceholder,
} from './placeholders';
export {
  brokerBaseUrls,
  DEFAULT_UPSTREAMS,
  ModelBroker,
  PROVIDERS,
  type BrokerCallRecord,
  type BrokerCredential,
  type ModelBrokerOptions,
  type Provider,
} from './model-broker';
export { boundTo } from './bindings';
export {
  MAX_PREVIEW_BYTES,
  previewOf,
  type Admission,
  type CallPreview,
  type ResponseMeter,
} from './call-preview';
export { redactAll, redactText, ValueRedactor, ValueStop, type Replacement } from './redact';
export {
  CredentialGuard,
  type BoundSecret,
  type CredentialGuardOptions,
  type ExfiltrationAttempt,
} from './credential-guard';
export {
  BrokerService,
  type BrokerEventKind,
  type BrokerServiceOptions,
  type ProviderBroker,
  type SessionCredentials,
} from './service';
export {
  BROKER_PORT,
  openSessionBroker,
  type SessionBroker,
  type SessionBrokerOptions,
} from './session-broker';
