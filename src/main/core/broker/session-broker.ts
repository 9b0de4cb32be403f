/**
 * A session's model broker, as a session gets it: when the vault holds a credential for the
 * agent's provider (an API key or a bearer token for Claude Code, `OPENAI_API_KEY` for Codex), the
 * agent is pointed at the broker, bridged into its sandbox, and holds a placeholder; the broker
 * puts the real value in on the way to the provider. Without one, the model settings apply.
 */
import { join } from 'node:path';
import {
  brokerBaseUrls,
  ModelBroker,
  type BrokerCallRecord,
  type ModelBrokerOptions,
  type Provider,
} from './model-broker';
import { MODEL_CREDENTIALS } from '../../../shared/vault';
import type { PlaceholderSet } from './placeholders';

/** Inside the sandbox the broker listens here (the proxy is on 3128). */
export const BROKER_PORT = 3129;

/** How a provider's credential travels: the header the broker puts the real value in. */
type CredentialHeader = 'x-api-key' | 'authorization-bearer';

/**
 * The vault secrets each provider's credential may be, in order of preference, and how each
 * travels (shared: Settings says where these keys go). The agent holds the placeholder in a
 * variable of the secret's own name.
 */
const PROVIDER_CREDENTIALS: Readonly<
  Record<Provider, ReadonlyArray<{ secret: string; header: CredentialHeader }>>
> = MODEL_CREDENTIALS;

/** The provider each built-in agent calls. */
const AGENT_PROVIDERS: Readonly<Record<string, Provider>> = {
  claude: 'anthropic',
  codex: 'openai',
};

export interface SessionBrokerOptions {
  sessionId: string;
  /** The agent preset (`claude`, `codex`, ...). */
  agent: string;
  /** The session's bridge directory (its socket goes there). */
  bridgeDir: string;
  /** The session's placeholders: the broker's is the same one the proxy knows. */
  placeholders: PlaceholderSet;
  /** The names of the secrets the vault holds (its index: no keychain is asked for this). */
  secretNames: () => readonly string[];
  /** The real value, asked on every call (a rotation takes effect at once). */
  secretValue: (name: string) => Promise<string>;
  upstreams: Partial<Record<Provider, string>>;
  onCall: (record: BrokerCallRecord) => void;
  upstreamCa?: string[];
  admit?: ModelBrokerOptions['admit'];
  meter?: ModelBrokerOptions['meter'];
}

export interface SessionBroker {
  /**
   * What the agent is given instead of the model settings: the broker's URL, and the placeholder
   * in the variable the credential's secret is named after.
   */
  model: { baseUrl: string; apiKey: string; keyVariable: string };
  bridge: { socket: string; port: number };
  close(): Promise<void>;
}

/** The session's broker, or null when its agent's provider has no credential in the vault. */
export async function openSessionBroker(
  options: SessionBrokerOptions,
): Promise<SessionBroker | null> {
  const provider = AGENT_PROVIDERS[options.agent];
  if (!provider) return null;
  const names = options.secretNames();
  const credential = PROVIDER_CREDENTIALS[provider].find(({ secret }) => names.includes(secret));
  if (!credential) return null;
  const placeholder = options.placeholders.add(credential.secret);
  const socket = join(options.bridgeDir, 'broker.sock');
  const broker = await ModelBroker.start({
    socketPath: socket,
    upstreams: options.upstreams,
    credentials: {
      [provider]: {
        placeholder,
        header: credential.header,
        value: () => options.secretValue(credential.secret),
      },
    },
    onCall: options.onCall,
    ...(options.upstreamCa ? { upstreamCa: options.upstreamCa } : {}),
    ...(options.admit ? { admit: options.admit } : {}),
    ...(options.meter ? { meter: options.meter } : {}),
  });
  const urls = brokerBaseUrls(`http://127.0.0.1:${BROKER_PORT}`);
  return {
    model: {
      baseUrl: provider === 'anthropic' ? urls.ANTHROPIC_BASE_URL : urls.OPENAI_BASE_URL,
      apiKey: placeholder,
      keyVariable: credential.secret,
    },
    bridge: { socket, port: BROKER_PORT },
    close: () => broker.close(),
  };
}
