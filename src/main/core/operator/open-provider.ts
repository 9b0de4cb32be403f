/**
 * A provider from the settings (`operator.providers`), opened on the session's credential broker:
 * the broker listens on `socketPath` with the provider's vault secret and base URL, and the
 * provider calls it with the placeholder.
 */
import type { SettingValue } from '../../../shared/settings';
import type { BrokerService, Provider } from '../broker';
import { createProvider, type ModelProvider } from './providers';

export type ProviderSetting = SettingValue<'operator.providers'>[number];

const BROKER_PROVIDER: Readonly<Record<ProviderSetting['api'], Provider>> = {
  'anthropic-messages': 'anthropic',
  'openai-chat': 'openai',
};

export interface OpenedProvider extends ModelProvider {
  /** Closes the provider's broker. */
  close(): Promise<void>;
}

export async function openOperatorProvider(options: {
  broker: Pick<BrokerService, 'openProviderBroker'>;
  sessionId: string;
  provider: ProviderSetting;
  model: string;
  socketPath: string;
}): Promise<OpenedProvider> {
  const { provider, model } = options;
  const broker = await options.broker.openProviderBroker({
    sessionId: options.sessionId,
    provider: BROKER_PROVIDER[provider.api],
    secret: provider.secret,
    upstream: provider.baseUrl,
    socketPath: options.socketPath,
  });
  return {
    ...createProvider({ api: provider.api, name: provider.name, model, broker }),
    close: () => broker.close(),
  };
}
