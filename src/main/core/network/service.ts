/**
 * The network service: each sandboxed session gets its own proxy, on a Unix socket in its bridge
 * directory, reached inside as 127.0.0.1:3128. The proxy asks here about every connection (and,
 * on inspected hosts, every request):
 *
 * - the policies decide first (deny, ask, allow), with Paddock's presets after the person's own
 *   allows: the agent's API host and the package registries;
 * - what no rule decides goes to the approval inbox with the session, the agent and the best guess
 *   at the command; the connection waits for the answer (once, session or project) and is denied
 *   when the request expires;
 * - every connection, inspected request and package fetched is an audit event.
 *
 * A local model endpoint in the settings is reached through its own tunnel, decided and recorded
 * here like any connection: the sandbox sees nothing of the host's loopback but what is bridged.
 */
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { JsonObject } from '../../../shared/audit';
import type { ApprovalService } from '../approvals';
import {
  addressesNamed,
  decide,
  inspectListed,
  inspectsHost,
  parseRule,
  type Policy,
  type ProjectPolicy,
} from '../policy';
import {
  addressClass,
  createSessionCa,
  pathWithoutQuery,
  ProxyServer,
  type ConnectionRecord,
  type Decision,
  type DecisionRequest,
  type RequestRecord,
  type RequestGuard,
  type Resolve,
} from '../proxy';
import { bridgeDir, type LoopbackBridge } from '../sandbox';
import type { AppendInput, AuditStore } from '../store';
import { connectedCommands } from './caller';
import { PROXY_PORT, proxyEnvironment } from './environment';
import { endpointOf, presetPolicy, withPresets } from './presets';

export interface NetworkServiceOptions {
  store: AuditStore;
  policies: { load(projectPath: string, commit: string): Promise<ProjectPolicy> };
  approvals: Pick<ApprovalService, 'allowedBefore' | 'request'>;
  /** The model endpoint agents are pointed at (setting `agents.model.baseUrl`), or ''. */
  modelBaseUrl: () => string;
  /** How names resolve (default: the system's resolver); tests name loopback servers here. */
  resolve?: Resolve;
  /** Roots trusted for upstream servers beside the system's (tests' loopback HTTPS servers). */
  upstreamCa?: string[];
  /** Audit events are written in batches, one fsync each, this often (default 20 ms). */
  flushMs?: number;
  /** The session's credentials (the broker's), applied by its proxy to every request it reads. */
  credentials?: (sessionId: string) => SessionCredentials;
}

/** What a session's proxy needs of its credentials: see core/broker. */
export interface SessionCredentials {
  /** Variables for the session's processes: a placeholder per secret bound to hosts. */
  env: Record<string, string>;
  guard: RequestGuard;
  /** Whether a secret is bound to the host: its TLS is then opened, so the value can go in. */
  bindsHost(host: string, port: number): boolean;
}

/** What the service needs to know of the session a proxy serves. */
export interface NetworkContext {
  sessionId: string;
  projectPath: string;
  /** The agent preset (`claude`, `exec`, ...). */
  agent: string;
  baseCommit: string;
  /** The session's processes now (host pids), for the best guess at a connection's command. */
  processes: () => readonly number[];
}

export interface SessionNetwork {
  bridges: LoopbackBridge[];
  env: Record<string, string>;
  close(): Promise<void>;
}

const PROXY = { actor: 'system', actorId: 'proxy' } as const;
/** A loaded policy is used again for this long: a connection must not wait on a YAML parse. */
const POLICY_TTL_MS = 2000;
const MAX_SUBJECT_PATH = 200;

export class NetworkService {
  private readonly pending: AppendInput[] = [];
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: NetworkServiceOptions) {}

  /** Starts a session's proxy (and its model tunnel); `close` stops both and writes what is left. */
  async open(context: NetworkContext): Promise<SessionNetwork> {
    const dir = bridgeDir(context.sessionId);
    const ca = await createSessionCa(context.sessionId);
    const files = { ca: join(dir, 'ca.pem'), bundle: join(dir, 'ca-bundle.pem') };
    writeFileSync(files.ca, ca.certPem, { mode: 0o644 });
    writeFileSync(files.bundle, [...rootCertificates, ca.certPem].join('\n'), { mode: 0o644 });
    const policy = this.policyCache(context);
    // Hosts named as registries (presets, `network.inspect`): only their fetches are packages.
    const registries = new Set<string>();
    const model = endpointOf(this.options.modelBaseUrl());
    const credentials = this.options.credentials?.(context.sessionId);
    const proxy = await ProxyServer.start({
      socketPath: join(dir, 'proxy.sock'),
      decide: (request) =>
        this.decide(context, policy, model, registries, request, credentials ?? null),
      ...(credentials ? { guard: credentials.guard } : {}),
      ...(this.options.resolve ? { resolve: this.options.resolve } : {}),
      inspection: {
        ca,
        ...(this.options.upstreamCa ? { upstreamCa: this.options.upstreamCa } : {}),
      },
      onConnection: (record) => this.recordConnection(context.sessionId, record),
      onRequest: (record) =>
        this.recordRequest(
          context.sessionId,
          record,
          registries.has(`${record.host}:${record.port}`),
        ),
    });
    const bridges: LoopbackBridge[] = [{ socket: join(dir, 'proxy.sock'), port: PROXY_PORT }];
    if (model && isLoopback(model.host)) {
      const socket = join(dir, 'model.sock');
      await proxy.listenTunnel(socket, model);
      bridges.push({ socket, port: model.port });
    }
    return {
      bridges,
      // The proxy's own variables win over a secret's placeholder of the same name.
      env: { ...credentials?.env, ...proxyEnvironment(files) },
      close: async () => {
        await proxy.close();
        // The connections it destroyed report their records as they close: after this turn.
        await new Promise((resolve) => setImmediate(resolve));
        this.flush();
      },
    };
  }

  /** Writes the events waiting for their batch (Paddock is stopping). */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.pending.splice(0);
    if (!batch.length) return;
    try {
      this.options.store.appendMany(batch);
    } catch (error) {
      // Only when the store is gone (Paddock stopping): say what is lost rather than crash.
      console.error(
        `paddock: ${batch.length} network records could not be written: ${(error as Error).message}`,
      );
    }
  }

  private async decide(
    context: NetworkContext,
    policy: () => Promise<Policies>,
    model: { host: string; port: number } | null,
    registries: Set<string>,
    request: DecisionRequest,
    credentials: SessionCredentials | null,
  ): Promise<Decision> {
    if (request.tunnel) {
      // Only the model endpoint has a tunnel; it was named by the person in the settings.
      const named = model !== null && request.host === model.host && request.port === model.port;
      return named
        ? { allow: true, rule: 'the model endpoint in the settings', allowAddress: model.host }
        : { allow: false, rule: 'no tunnel to this address' };
    }
    const policies = await policy();
    if (inspectListed(request.host, request.port, policies))
      registries.add(`${request.host}:${request.port}`);
    const visible =
      request.method !== undefined && request.path !== undefined
        ? { method: request.method, path: request.path }
        : {};
    const verdict = decide(
      { tool: 'Network', host: request.host, port: request.port, ...visible },
      { ...policies, workspace: '/' },
    );
    // A host a secret is bound to is opened too: the value can only go into a request it reads.
    const inspect =
      !request.inspected &&
      !visible.method &&
      (inspectsHost(request.host, request.port, policies) ||
        credentials?.bindsHost(request.host, request.port) === true);
    // A non-public address is reached only where a rule names it exactly, or a person was asked
    // about exactly that address.
    const named = addressesNamed(request.port, policies);
    if (verdict.decision === 'deny') return { allow: false, rule: verdict.reason };
    if (verdict.decision === 'allow')
      return { allow: true, rule: verdict.reason, inspect, allowAddress: named };
    // Nobody is asked about a loopback, private or metadata address: only a rule can name one.
    const kind = isIP(request.host)
      ? addressClass(request.host)
      : isLocalhostName(request.host)
        ? 'loopback'
        : 'public';
    if (kind !== 'public')
      return { allow: false, rule: `a ${kind} address (${request.host}) that no rule names` };
    const aboutRequest = verdict.rule !== undefined && namesRequest(verdict.rule);
    // Inside an allowed connection, only a rule about requests asks again: the person (or a rule)
    // allowed the host, and is not asked about each of its paths.
    if (request.inspected && !aboutRequest)
      return { allow: true, rule: 'the connection to this host was allowed' };
    const answer = await this.ask(context, request, verdict.reason, aboutRequest);
    const asked = isIP(request.host) ? [request.host] : [];
    return { ...answer, inspect, allowAddress: [...named, ...asked] };
  }

  /** What no rule decides: an earlier answer for the session or project, or a new question. */
  private async ask(
    context: NetworkContext,
    request: DecisionRequest,
    reason: string,
    aboutRequest: boolean,
  ): Promise<{ allow: boolean; rule: string }> {
    // A person answers about a host; about one request only where a rule asks about requests.
    const subject = aboutRequest
      ? subjectOf(request)
      : subjectOf({ host: request.host, port: request.port });
    const before = this.options.approvals.allowedBefore(
      context.sessionId,
      context.projectPath,
      subject,
    );
    if (before) return { allow: true, rule: `${subject} was allowed for the ${before}` };
    const commands = connectedCommands(context.processes(), PROXY_PORT);
    const { answer } = this.options.approvals.request({
      sessionId: context.sessionId,
      projectPath: context.projectPath,
      agent: context.agent,
      kind: 'network',
      subject,
      tool: 'Network',
      input: JSON.stringify({
        host: request.host,
        port: request.port,
        ...(request.method
          ? { method: request.method, path: pathWithoutQuery(request.path ?? '') }
          : {}),
        ...(commands.length ? { command: commands.join(' | ') } : {}),
      }),
      risk: 'medium',
      reason,
      context: commands.length
        ? `${commands.length === 1 ? 'Command' : 'One of these commands'}: ${commands.join('\n')}`
        : 'The command that opened the connection could not be told.',
    });
    const { allow, reason: why } = await answer;
    return { allow, rule: why };
  }

  /** The session's policies, with the presets for its agent, loaded again every few seconds. */
  private policyCache(context: NetworkContext): () => Promise<Policies> {
    const presets = presetPolicy(context.agent, modelHostRule(this.options.modelBaseUrl()));
    let cached: { at: number; policies: Promise<Policies> } | null = null;
    return () => {
      if (!cached || performance.now() - cached.at > POLICY_TTL_MS) {
        const policies = this.options.policies
          .load(context.projectPath, context.baseCommit)
          .then((loaded) => ({
            personal: withPresets(loaded.personal, presets),
            ...(loaded.repository
              ? {
                  repository: {
                    policy: loaded.repository.policy,
                    trusted: loaded.repository.trusted,
                  },
                }
              : {}),
          }));
        // A policy that failed to load is not kept: the next connection tries again (and fails closed).
        policies.catch(() => (cached = null));
        cached = { at: performance.now(), policies };
      }
      return cached.policies;
    };
  }

  private recordConnection(sessionId: string, record: ConnectionRecord): void {
    const { path, ...rest } = record;
    this.enqueue({
      kind: 'network.connection',
      ...PROXY,
      sessionId,
      payload: {
        ...rest,
        ...(path === undefined ? {} : { path: pathWithoutQuery(path) }),
      } as JsonObject,
    });
  }

  private recordRequest(sessionId: string, record: RequestRecord, registry: boolean): void {
    const { packages, path, ...rest } = record;
    this.enqueue({
      kind: 'network.request',
      ...PROXY,
      sessionId,
      payload: { ...rest, path: pathWithoutQuery(path) } as JsonObject,
    });
    // A path shaped like a package elsewhere (`/login` on any host) is no package fetch.
    for (const fetched of registry ? packages : [])
      this.enqueue({
        kind: 'network.package',
        ...PROXY,
        sessionId,
        payload: { ...fetched, host: record.host, decision: record.decision } as JsonObject,
      });
  }

  private enqueue(event: AppendInput): void {
    this.pending.push(event);
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.flushMs ?? 20);
  }
}

interface Policies {
  personal: Policy;
  repository?: { policy: Policy; trusted: boolean };
}

/** The policy form of what is asked: what a session or project answer covers. */
function subjectOf(request: DecisionRequest): string {
  const host = isIP(request.host) === 6 ? `[${request.host}]` : request.host;
  const method = request.method ? `${request.method} ` : '';
  const path = request.path ? pathWithoutQuery(request.path).slice(0, MAX_SUBJECT_PATH) : '';
  return `Network(${method}${host}:${request.port}${path})`;
}

/** Whether a rule's text names a method or a path (it is about requests, not a whole host). */
function namesRequest(ruleText: string): boolean {
  const parsed = parseRule(ruleText);
  return (
    parsed.ok &&
    parsed.rule.matcher?.kind === 'host' &&
    (parsed.rule.matcher.method !== undefined || parsed.rule.matcher.path !== undefined)
  );
}

/** `localhost` and its subdomains are loopback by definition (RFC 6761), whatever DNS says. */
function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || (isIP(host) !== 0 && addressClass(host) === 'loopback');
}

/** A remote model endpoint (a gateway the person set) is allowed like the agent's own API host. */
function modelHostRule(url: string): string | null {
  const endpoint = endpointOf(url);
  if (!endpoint || isLoopback(endpoint.host)) return null;
  const host = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}
