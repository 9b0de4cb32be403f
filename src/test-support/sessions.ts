/**
 * A session manager on a fresh store, wired like `openPaddock` wires it, with the presets and
 * environment a test or benchmark chooses. For tests and benchmarks only.
 */
import type { AgentPreset } from '../main/core/agents';
import { ApprovalService } from '../main/core/approvals';
import { NetworkService, type NetworkContext } from '../main/core/network';
import { PolicyService } from '../main/core/policy';
import { ProjectsService } from '../main/core/projects';
import { SessionManager, type SessionManagerOptions } from '../main/core/sessions';
import { SettingsService } from '../main/core/settings';
import { AuditStore } from '../main/core/store';

export interface TestSessionsOptions {
  home: string;
  presets: readonly AgentPreset[];
  sourceEnv?: NodeJS.ProcessEnv;
  idleMs?: number;
  stopGraceMs?: number;
  workspaceSetup?: SessionManagerOptions['workspaceSetup'];
  sandbox?: SessionManagerOptions['sandbox'];
  envFilesAllowed?: SessionManagerOptions['envFilesAllowed'];
  knownSecrets?: SessionManagerOptions['knownSecrets'];
  modelBroker?: SessionManagerOptions['modelBroker'];
  /**
   * The sessions' network, made with the store and settings. Default: Paddock's own (the proxy,
   * decided by the person's policy in the settings and the inbox), as `openPaddock` makes it.
   */
  network?: (deps: {
    store: AuditStore;
    settings: SettingsService;
  }) => SessionManagerOptions['network'];
}

export function testSessions(options: TestSessionsOptions) {
  const store = AuditStore.open({ home: options.home });
  const settings = new SettingsService(store);
  const projects = new ProjectsService(store);
  const sessions = new SessionManager({
    store,
    projects,
    settings,
    home: options.home,
    gitIdentity: { name: 'Ada Lovelace', email: 'ada@example.com' },
    sourceEnv: options.sourceEnv ?? { PATH: process.env.PATH },
    customPresets: () => options.presets,
    idleMs: options.idleMs,
    stopGraceMs: options.stopGraceMs,
    workspaceSetup: options.workspaceSetup,
    sandbox: options.sandbox,
    envFilesAllowed: options.envFilesAllowed,
    knownSecrets: options.knownSecrets,
    modelBroker: options.modelBroker,
    network: (options.network ?? defaultNetwork)({ store, settings }),
  });
  const close = async () => {
    await sessions.shutdown();
    store.close();
  };
  return { store, settings, projects, sessions, close };
}

function defaultNetwork(deps: { store: AuditStore; settings: SettingsService }) {
  const network = new NetworkService({
    ...deps,
    policies: new PolicyService(deps.settings),
    approvals: new ApprovalService(deps.store, deps.settings),
    modelBaseUrl: () => deps.settings.get('agents.model.baseUrl'),
  });
  return (context: NetworkContext) => network.open(context);
}
