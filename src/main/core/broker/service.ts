/**
 * The broker service: per session, one set of placeholders shared by the model broker (the
 * agent's provider credential) and the proxy's credential guard (every other secret bound to
 * hosts), so a placeholder means the same secret wherever it turns up. The set lives as long as
 * the session: a restarted agent keeps its placeholders, and an ended session forgets them.
 */
import type { JsonObject } from '../../../shared/audit';
import { CredentialGuard, type BoundSecret } from './credential-guard';
import type { Admission, CallPreview } from './call-preview';
import {
  ModelBroker,
  type BrokerCallRecord,
  type ModelBrokerOptions,
  type Provider,
} from './model-broker';
import { PlaceholderSet } from './placeholders';
import { openSessionBroker, type SessionBroker } from './session-broker';

export type BrokerEventKind = 'broker.call' | 'broker.exfiltration';

export interface BrokerServiceOptions {
  /** The vault's index as it is now: names, hosts and header templates, never values. */
  secrets: () => readonly BoundSecret[];
  /** A secret's real value from the keychain. */
  value: (name: string) => Promise<string>;
  upstreams: () => Partial<Record<Provider, string>>;
  /** Writes one of the broker's audit events for a session. */
  record: (sessionId: string, kind: BrokerEventKind, payload: JsonObject) => void;
  /** Extra PEM roots trusted for model upstreams (tests' loopback HTTPS servers). */
  upstreamCa?: string[];
  /** Asked before each model call of a session goes out (budgets). */
  admit?: (sessionId: string, preview: CallPreview) => Promise<Admission>;
  /** Reads usage from model responses (costs). */
  meter?: ModelBrokerOptions['meter'];
  /** Hears of every model call of a session once it is over, after its `broker.call` event. */
  onCall?: (sessionId: string, record: BrokerCallRecord) => void;
}

/** A model broker opened for a caller inside Paddock (see `openProviderBroker`). */
export interface ProviderBroker {
  socketPath: string;
  /** What the caller sends as its key, in `header`. */
  placeholder: string;
  header: 'x-api-key' | 'authorization-bearer';
  close(): Promise<void>;
}

/** A session's credentials as its proxy applies them. */
export interface SessionCredentials {
  /** A placeholder for each secret bound to hosts, in a variable of the secret's name. */
  env: Record<string, string>;
  guard: CredentialGuard;
  /** Whether a secret is bound to the host: its TLS is then opened, so the value can go in. */
  bindsHost(host: string, port: number): boolean;
}

/**
 * Variables a secret's placeholder never takes: the sandbox, the proxy and the agent set these,
 * and a secret of that name must not steer the session's own environment.
 */
const RESERVED_VARIABLE =
  /^(?:PATH|HOME|TERM|SHELL|USER|LOGNAME|LANG|PWD|TMPDIR|TZ|NO_PROXY|(?:HTTPS?|ALL)_PROXY|NODE_OPTIONS|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|GIT_SSL_CAINFO|PIP_CERT|NPM_CONFIG_CAFILE|LC_[A-Z0-9_]*|LD_[A-Z0-9_]*|DYLD_[A-Z0-9_]*|PADDOCK_[A-Z0-9_]*)$/;

const allowed = async (): Promise<Admission> => ({ allow: true });

export class BrokerService {
  private readonly sessions = new Map<
    string,
    { placeholders: PlaceholderSet; guard: CredentialGuard }
  >();

  constructor(private readonly options: BrokerServiceOptions) {}

  /** The session's credentials, made on first use. */
  credentials(sessionId: string): SessionCredentials {
    const { placeholders, guard } = this.session(sessionId);
    const env: Record<string, string> = {};
    for (const secret of this.options.secrets())
      if (secret.hosts.length > 0 && !RESERVED_VARIABLE.test(secret.name))
        env[secret.name] = placeholders.add(secret.name);
    return { env, guard, bindsHost: (host, port) => guard.bindsHost(host, port) };
  }

  /** The session's model broker, or null when the vault holds no credential for its agent. */
  openModelBroker(context: {
    sessionId: string;
    agent: string;
    bridgeDir: string;
  }): Promise<SessionBroker | null> {
    const { sessionId } = context;
    return openSessionBroker({
      ...context,
      ...this.callHooks(sessionId),
      placeholders: this.session(sessionId).placeholders,
      secretNames: () => this.options.secrets().map((secret) => secret.name),
      secretValue: (name) => this.options.value(name),
      upstreams: this.options.upstreams(),
    });
  }

  /**
   * A model broker for a caller inside Paddock rather than an agent (the remote operator): one
   * provider, the vault secret and the upstream the caller names, on a Unix socket of its choosing.
   * The caller holds a placeholder, as an agent would, and its calls are recorded, admitted
   * (budgets) and metered as the session's.
   */
  async openProviderBroker(context: {
    sessionId: string;
    provider: Provider;
    secret: string;
    upstream: string;
    socketPath: string;
  }): Promise<ProviderBroker> {
    const { sessionId, provider, secret, upstream, socketPath } = context;
    if (!this.options.secrets().some((entry) => entry.name === secret))
      throw new Error(`the vault holds no secret ${secret} (paddock secrets set ${secret})`);
    const placeholder = this.session(sessionId).placeholders.add(secret);
    const header = provider === 'anthropic' ? 'x-api-key' : 'authorization-bearer';
    const { onCall, ...hooks } = this.callHooks(sessionId);
    const broker = await ModelBroker.start({
      ...hooks,
      socketPath,
      upstreams: { [provider]: upstream },
      credentials: { [provider]: { placeholder, header, value: () => this.options.value(secret) } },
      onCall,
    });
    return { socketPath, placeholder, header, close: () => broker.close() };
  }

  /** What every model broker of the session reports to and asks: records, budgets, meters. */
  private callHooks(
    sessionId: string,
  ): Pick<ModelBrokerOptions, 'onCall' | 'upstreamCa' | 'meter' | 'admit'> {
    return {
      onCall: (record) => {
        // A plain copy: the record's nested objects are JSON already.
        this.options.record(sessionId, 'broker.call', JSON.parse(JSON.stringify(record)));
        this.options.onCall?.(sessionId, record);
      },
      ...(this.options.upstreamCa ? { upstreamCa: this.options.upstreamCa } : {}),
      ...(this.options.meter ? { meter: this.options.meter } : {}),
      ...(this.options.admit
        ? { admit: (preview: CallPreview) => this.options.admit?.(sessionId, preview) ?? allowed() }
        : {}),
    };
  }

  /** Forgets an ended session's placeholders. */
  endSession(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  private session(sessionId: string): { placeholders: PlaceholderSet; guard: CredentialGuard } {
    let session = this.sessions.get(sessionId);
    if (!session) {
      const placeholders = new PlaceholderSet();
      const guard = new CredentialGuard({
        placeholders,
        secrets: this.options.secrets,
        value: this.options.value,
        onExfiltration: (attempt) =>
          this.options.record(sessionId, 'broker.exfiltration', { ...attempt }),
      });
      session = { placeholders, guard };
      this.sessions.set(sessionId, session);
    }
    return session;
  }
}
