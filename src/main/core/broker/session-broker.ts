/**
 * A session's model broker, as a session gets it: when the vault holds the key for the agent's
 * provider (`ANTHROPIC_API_KEY` for Claude Code, `OPENAI_API_KEY` for Codex), the agent is pointed
 * at the broker, bridged into its sandbox, and holds a placeholder; the broker puts the real key in
 * on the way to the provider. Without such a secret, nothing changes (the model settings apply).
 */
import { join } from 'node:path';
import { brokerBaseUrls, ModelBroker, type BrokerCallRecord, type Provider } from './model-broker';
import { newPlaceholder } from './placeholders';

/** Inside the sandbox the broker listens here (the proxy is on 3128). */
export const BROKER_PORT = 3129;

/** Which vault secret each provider's key is, and the header it travels in. */
const PROVIDER_KEYS: Readonly<
  Record<Provider, { secret: string; header: 'x-api-key' | 'authorization-bearer' }>
> = {
  anthropic: { secret: 'ANTHROPIC_API_KEY', header: 'x-api-key' },
  openai: { secret: 'OPENAI_API_KEY', header: 'authorization-bearer' },
};

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
  /** The names of the secrets the vault holds (its index: no keychain is asked for this). */
  secretNames: () => readonly string[];
  /** The real value, asked on every call (a rotation takes effect at once). */
  secretValue: (name: string) => Promise<string>;
  upstreams: Partial<Record<Provider, string>>;
  onCall: (record: BrokerCallRecord) => void;
  upstreamCa?: string[];
}

export interface SessionBroker {
  /** What the agent is given instead of the model settings. */
  model: { baseUrl: string; apiKey: string };
  bridge: { socket: string; port: number };
  close(): Promise<void>;
}

/** The session's broker, or null when its agent's provider has no key in the vault. */
export async function openSessionBroker(
  options: SessionBrokerOptions,
): Promise<SessionBroker | null> {
  const provider = AGENT_PROVIDERS[options.agent];
  if (!provider) return null;
  const key = PROVIDER_KEYS[provider];
  if (!options.secretNames().includes(key.secret)) return null;
  const placeholder = newPlaceholder(key.secret);
  const socket = join(options.bridgeDir, 'broker.sock');
  const broker = await ModelBroker.start({
    socketPath: socket,
    upstreams: options.upstreams,
    credentials: {
      [provider]: { placeholder, header: key.header, value: () => options.secretValue(key.secret) },
    },
    onCall: options.onCall,
    ...(options.upstreamCa ? { upstreamCa: options.upstreamCa } : {}),
  });
  const urls = brokerBaseUrls(`http://127.0.0.1:${BROKER_PORT}`);
  return {
    model: {
      baseUrl: provider === 'anthropic' ? urls.ANTHROPIC_BASE_URL : urls.OPENAI_BASE_URL,
      apiKey: placeholder,
    },
    bridge: { socket, port: BROKER_PORT },
    close: () => broker.close(),
  };
}
