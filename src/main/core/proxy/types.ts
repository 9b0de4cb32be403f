import type { SessionCa } from './ca';
import type { RequestGuard } from './guard';
import type { PackageFetch } from './registry';

export interface DecisionRequest {
  host: string;
  port: number;
  method?: string;
  path?: string;
  /** A request read inside an inspected TLS tunnel (method and path are then known). */
  inspected?: boolean;
  /** A raw connection on a fixed-target tunnel listener: no HTTP is visible. */
  tunnel?: boolean;
}

export interface Decision {
  allow: boolean;
  /** The rule that matched, or the reason: goes into the audit record. */
  rule: string;
  /** Non-public addresses the rules name exactly; only then may the name resolve to one. */
  allowAddress?: string | string[];
  /**
   * On a CONNECT: terminate TLS with the session CA and decide every request inside. Refused
   * when the proxy has no inspection configured, and on a fixed-target tunnel (fail closed).
   */
  inspect?: boolean;
}

export type ConnectionOutcome = 'allowed' | 'denied' | 'invalid' | 'failed';

export interface ConnectionRecord {
  host: string | null;
  port: number | null;
  address: string | null;
  method?: string;
  path?: string;
  /**
   * Bytes sent to and received from the remote host. For a plain tunnel or forward request these
   * are the bytes on the upstream TCP connection; for an inspected tunnel they are the decrypted
   * HTTP bytes (heads and bodies) of every upstream TLS connection it used, without TLS framing.
   */
  bytesUp: number;
  bytesDown: number;
  decision: ConnectionOutcome;
  rule: string;
  durationMs: number;
  /** TLS was terminated and each request inside decided on its own. */
  inspected: boolean;
  /** How many request records this connection produced (forward: 0 or 1, tunnel: 0). */
  requests: number;
}

/** One HTTP request the proxy saw: a forward request, or one request inside an inspected tunnel. */
export interface RequestRecord {
  host: string;
  port: number;
  method: string;
  path: string;
  /** The status sent to the client; null when it left before any response. */
  status: number | null;
  decision: ConnectionOutcome;
  rule: string;
  /** Body bytes only: what the client uploaded and what it was sent back. */
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
  inspected: boolean;
  /** Registry fetches the path names (GET and HEAD only). */
  packages: PackageFetch[];
  /** What the request guard did to it (a credential put in), when anything. */
  guard?: string;
}

export type Resolve = (host: string) => Promise<string[]>;

export interface InspectionOptions {
  /** The session CA leaves are issued from; the sandbox must trust its certificate. */
  ca: SessionCa;
  /** Extra PEM roots trusted for upstream servers, besides Node's default roots. */
  upstreamCa?: string[];
}

export interface ProxyServerOptions {
  socketPath: string;
  decide: (request: DecisionRequest) => Promise<Decision>;
  resolve?: Resolve;
  onConnection: (record: ConnectionRecord) => void;
  onRequest?: (record: RequestRecord) => void;
  inspection?: InspectionOptions;
  /** Sees every request the proxy can read, once allowed, before it leaves (see guard.ts). */
  guard?: RequestGuard;
  maxHeadBytes?: number;
  headTimeoutMs?: number;
  connectTimeoutMs?: number;
}
