/**
 * A real Paddock home for the remote operator's tests: the store on disk, the vault in
 * the keychain the caller set up (useSecretService), the inbox, the credential broker metering
 * every call into `cost.usage` events, and a host directory where a local shell runs commands.
 */
import { join } from 'node:path';
import type { JsonObject } from '../shared/audit';
import { USAGE_EVENT } from '../shared/costs';
import { meteredUsage } from '../main/model-costs';
import { ApprovalService } from '../main/core/approvals';
import { BrokerService } from '../main/core/broker';
import { createUsageMeter, PriceTable } from '../main/core/costs';
import { parsePolicy, ready } from '../main/core/policy';
import { SettingsService } from '../main/core/settings';
import { AuditStore } from '../main/core/store';
import { keytarKeychain, refuseIndexEditsOutsideVault, VaultService } from '../main/core/vault';
import {
  openOperatorProvider,
  OperatorRun,
  remoteCommandDecider,
  type ModelProvider,
  type OperatorLimits,
  type OperatorRunOptions,
  type ProviderSetting,
  type RemoteShell,
} from '../main/core/operator';
import { localShell } from '../main/core/operator/testing';

export const PERSON = { actor: 'person', actorId: 'ada' } as const;
export const HOST = 'staging';

export interface HomeOptions {
  home: string;
  hostDir: string;
  policy: string;
  /** Secrets to put in the vault first. */
  secrets?: Record<string, string>;
  /** Inbox expiry in ms (default: the setting's minutes). */
  expiryMs?: number;
}

export async function operatorHome(options: HomeOptions) {
  await ready();
  const store = AuditStore.open({ home: options.home });
  const settings = new SettingsService(store, { 'vault.secrets': refuseIndexEditsOutsideVault });
  const vault = new VaultService(
    store,
    settings,
    keytarKeychain({ service: 'Paddock-operator-test', timeoutMs: 10_000 }),
  );
  for (const [name, value] of Object.entries(options.secrets ?? {}))
    await vault.set(name, value, {}, PERSON);
  const approvals = new ApprovalService(store, settings, options.expiryMs);
  const prices = PriceTable.bundled({});
  const broker = new BrokerService({
    secrets: () =>
      Object.entries(settings.get('vault.secrets')).map(([name, entry]) => ({ name, ...entry })),
    value: (name) => vault.value(name),
    upstreams: () => ({}),
    record: (sessionId, kind, payload) =>
      store.append({ kind, actor: 'system', actorId: 'broker', sessionId, payload }),
    meter: createUsageMeter,
    onCall: (sessionId, record) => {
      const usage = meteredUsage(record, prices);
      if (usage)
        store.append({
          kind: USAGE_EVENT,
          actor: 'system',
          actorId: 'broker',
          sessionId,
          payload: usage as unknown as JsonObject,
        });
    },
  });
  const policy = parsePolicy(options.policy, 'policy.personal');
  const decide = remoteCommandDecider({
    policy: () => policy,
    host: HOST,
    workspace: options.hostDir,
  });
  const knownSecrets = async () =>
    [...(await vault.values())].map(([name, value]) => ({ name, value }));
  return { store, settings, vault, approvals, broker, decide, knownSecrets, prices };
}

export type OperatorHome = Awaited<ReturnType<typeof operatorHome>>;

/** A provider of the settings' shape, opened on the home's broker for `sessionId`. */
export function brokeredProvider(
  home: OperatorHome,
  sessionId: string,
  provider: ProviderSetting,
  model: string,
  socketDir: string,
) {
  return openOperatorProvider({
    broker: home.broker,
    sessionId,
    provider,
    model,
    socketPath: join(socketDir, `${sessionId}.sock`),
  });
}

/** A run on the home, with the host directory's local shell unless another is given. */
export function operatorRun(
  home: OperatorHome,
  parts: {
    sessionId: string;
    provider: ModelProvider;
    hostDir: string;
    limits?: Partial<OperatorLimits>;
    shell?: RemoteShell;
    goal?: string;
  } & Partial<Pick<OperatorRunOptions, 'signal' | 'maxInvalidReplies' | 'spentUsd'>>,
): OperatorRun {
  const { sessionId, provider, hostDir, limits, shell, goal, ...rest } = parts;
  return new OperatorRun({
    sessionId,
    goal: goal ?? 'Find out what is in the notes and leave a done file.',
    host: HOST,
    limits: { maxSteps: 10, maxTimeMs: 30_000, maxBudgetUsd: null, ...limits },
    provider,
    shell: shell ?? localShell(hostDir),
    decide: home.decide,
    store: home.store,
    approvals: home.approvals,
    by: PERSON,
    knownSecrets: home.knownSecrets,
    ...rest,
  });
}
