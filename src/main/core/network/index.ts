/** Per-session network: the allowlist proxy, decided by policy and the inbox, and recorded. */
export { PROXY_PORT, proxyEnvironment } from './environment';
export { REGISTRY_HOSTS } from './presets';
export {
  NetworkService,
  type NetworkContext,
  type NetworkServiceOptions,
  type SessionCredentials,
  type SessionNetwork,
} from './service';
