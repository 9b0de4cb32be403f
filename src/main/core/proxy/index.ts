/**
 * Per-session allowlist proxy: canonical host names, address classes, the HTTP/CONNECT server
 * with TLS inspection and fixed-target tunnels, the session CA, and registry fetch recognition.
 */
export { addressClass, type AddressClass } from './addresses';
export { createSessionCa, type LeafCertificate, type SessionCa } from './ca';
export { canonicalHost, parseTarget, type CanonicalHost, type ParsedTarget } from './hostname';
export {
  ProxyServer,
  type ConnectionOutcome,
  type ConnectionRecord,
  type Decision,
  type DecisionRequest,
  type InspectionOptions,
  type ProxyServerOptions,
  type RequestRecord,
  type Resolve,
} from './proxy-server';
export { packageFetch, type Ecosystem, type PackageFetch } from './registry';
export { endToEndHeaders, pathProblem, pathWithoutQuery, plainReason } from './http-shared';
export {
  decoderFor,
  GuardRefusal,
  type GuardedRequest,
  type GuardPlan,
  type GuardVerdict,
  type RequestGuard,
  type ResponseFilter,
} from './guard';
