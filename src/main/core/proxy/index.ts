/** Per-session allowlist proxy: canonical host names, address classes, and the HTTP/CONNECT server. */
export { addressClass, type AddressClass } from './addresses';
export { canonicalHost, parseTarget, type CanonicalHost, type ParsedTarget } from './hostname';
export {
  ProxyServer,
  type ConnectionOutcome,
  type ConnectionRecord,
  type Decision,
  type DecisionRequest,
  type ProxyServerOptions,
  type Resolve,
} from './proxy-server';
