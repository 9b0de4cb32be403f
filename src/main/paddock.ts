/**
 * The composition root: the core services for one Paddock home, wired together. The CLI, the
 * headless host and the Electron host all start Paddock through here.
 */
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { resolvePaddockHome } from './core/home';
import { parseCustomPresets } from './core/agents';
import {
  parsePolicy,
  PolicyService,
  PolicyServiceError,
  ready,
  type ProjectPolicy,
} from './core/policy';
import { agentGate } from './agent-gate';
import { modelCosts, type ModelCosts } from './model-costs';
import { ApprovalService } from './core/approvals';
import {
  claudeHookArgs,
  HookServer,
  writeClaudeHookSettings,
  writeClaudeMcpConfig,
} from './core/hooks';
import { BrokerService } from './core/broker';
import { NetworkService } from './core/network';
import { ProjectsService } from './core/projects';
import { bridgeDir } from './core/sandbox';
import { SessionManager, type WorkspaceSetup } from './core/sessions';
import { SettingsService } from './core/settings';
import { AuditStore } from './core/store';
import { keytarKeychain, refuseIndexEditsOutsideVault, VaultService } from './core/vault';
import { LIVE_STATES } from '../shared/sessions';
import { PayloadRedactor, type KnownSecret } from './core/recorder';
import { startRetention } from './core/retention';
import type { GateService } from './core/gates';
import { reviewGates } from './review';
import { IdentityService } from './core/identity';
import { refuseHostEditsOutsideSsh, SshService } from './core/ssh';
import { OperatorService } from './core/operator';

const VAULT_CHANGES = new Set(['vault.secret.set', 'vault.secret.rotated', 'vault.secret.removed']);

export interface PaddockOptions {
  home?: string;
  /** Read-only: no writer lock, for commands that only look (next to a running writer). */
  readonly?: boolean;
  /** Shown to another process that finds the store busy. */
  lockCommand?: string;
}

export interface Paddock {
  home: string;
  store: AuditStore;
  settings: SettingsService;
  projects: ProjectsService;
  sessions: SessionManager;
  policies: PolicyService;
  approvals: ApprovalService;
  /** Quality gates, sign-off and promotion of sessions' changes. */
  gates: GateService;
  /** The person's Ed25519 signing identity (its private key in the OS keychain). */
  identity: IdentityService;
  /** Secrets in the OS keychain; its index is the `vault.secrets` setting, which only it changes. */
  vault: VaultService;
  /** SSH hosts for the remote operator (records in `ssh.hosts`, which only it changes; keys in the vault). */
  ssh: SshService;
  /** Remote operator runs: a model working on an SSH host, each run a session. */
  operator: OperatorService;
  /** Who the person at this machine is (the OS user until signing identities exist). */
  person: Person;
  /** Stops live sessions, then closes the store. */
  close(): Promise<void>;
}

export interface Person {
  actor: 'person';
  actorId: string;
}

export function openPaddock(options: PaddockOptions = {}): Paddock {
  const home = options.home ?? resolvePaddockHome();
  const store = AuditStore.open({
    home,
    readonly: options.readonly,
    lockCommand: options.lockCommand,
  });
  let writingIdentity = false;
  const settings = new SettingsService(store, {
    'agents.custom': (value) => parseCustomPresets(value as unknown[]),
    'policy.personal': (value) => parsePolicy(value as string, 'policy.personal'),
    'vault.secrets': refuseIndexEditsOutsideVault,
    'ssh.hosts': refuseHostEditsOutsideSsh,
    'identity.self': () => {
      if (!writingIdentity)
        throw new Error(
          'your identity changes only with `paddock identity create` and `paddock identity import`, which keep it in step with the keychain.',
        );
    },
  });
  // keytar loads, and the keychain is first asked, only when a vault operation runs.
  const keychain = keytarKeychain();
  const vault = new VaultService(store, settings, keychain);
  const ssh = new SshService({ store, settings, vault });
  const identity = new IdentityService({
    keychain,
    store: {
      get: () => settings.get('identity.self'),
      set: (info, by) => {
        writingIdentity = true;
        try {
          settings.set('identity.self', info, by);
        } finally {
          writingIdentity = false;
        }
      },
    },
    audit: (kind, payload, by) => store.append({ kind, ...by, payload }),
  });
  // The shell parser (WebAssembly) loads in the background; until then commands are asked.
  void ready();
  const policies = new PolicyService(settings);
  const approvals = new ApprovalService(store, settings);
  const projects = new ProjectsService(store);
  /**
   * The vault's values, read for a session's recording, also keep them out of every audit payload
   * from then on (the filter is synchronous; the keychain is not). A change to the vault rebuilds it.
   */
  const redactPayloads = async (): Promise<KnownSecret[]> => {
    const secrets = [...(await vault.values())].map(([name, value]) => ({ name, value }));
    if (!options.readonly)
      store.setPayloadFilter(secrets.length > 0 ? new PayloadRedactor(secrets).filter : null);
    return secrets;
  };
  store.onAppend((events) => {
    if (events.some((event) => VAULT_CHANGES.has(event.kind)))
      // A failed refresh keeps the filter there was; the next session start tries again.
      void redactPayloads().catch(() => undefined);
  });
  const broker = new BrokerService({
    secrets: () =>
      Object.entries(settings.get('vault.secrets')).map(([name, entry]) => ({ name, ...entry })),
    value: (name) => vault.value(name),
    upstreams: () => ({
      anthropic: settings.get('broker.upstream.anthropic'),
      openai: settings.get('broker.upstream.openai'),
    }),
    record: (sessionId, kind, payload) =>
      store.append({ kind, actor: 'system', actorId: 'broker', sessionId, payload }),
    // Set below, once the sessions exist: every model call is asked about and priced there.
    admit: (sessionId, preview) => requireCosts().admit(sessionId, preview),
    meter: (provider, contentType, path) => requireCosts().meter(provider, contentType, path),
    onCall: (sessionId, record) => requireCosts().recordCall(sessionId, record),
  });
  let costs: ModelCosts | null = null;
  const requireCosts = (): ModelCosts => {
    if (!costs) throw new Error('model costs are not wired yet');
    return costs;
  };
  const network = new NetworkService({
    store,
    policies,
    approvals,
    modelBaseUrl: () => settings.get('agents.model.baseUrl'),
    credentials: (sessionId) => broker.credentials(sessionId),
  });
  // Set below, once the sessions exist: the endpoint's handlers need them.
  let hooks: HookServer | null = null;
  const gitPerson = gitIdentity();
  const sessions = new SessionManager({
    store,
    projects,
    settings,
    home,
    gitIdentity: gitPerson,
    authorIdentity: () => identity.current(),
    customPresets: () => parseCustomPresets(settings.get('agents.custom')),
    workspaceSetup: async (project, baseCommit) =>
      workspaceSetupOf(project.path, await policies.load(project.path, baseCommit)),
    // Only a trusted version of the repository's policy can show agents the project's secrets.
    envFilesAllowed: async (project, baseCommit) => {
      const repository = (await policies.load(project.path, baseCommit)).repository;
      return repository?.trusted === true && repository.policy.sandbox?.envFiles === 'allow';
    },
    network: (context) => network.open(context),
    modelBroker: ({ sessionId, agent }) =>
      broker.openModelBroker({ sessionId, agent, bridgeDir: bridgeDir(sessionId) }),
    knownSecrets: redactPayloads,
    agentHooks: async (sessionId, preset, sessionDir) => {
      if (preset.homeSetup !== 'claude-code' || !hooks) return { args: [], bridges: [], files: [] };
      const { url } = await hooks.register(sessionId);
      // A sandboxed agent reaches the same URL through its own socket, bridged at the same port.
      const bridge = await hooks.bridge(sessionId, join(bridgeDir(sessionId), 'hooks.sock'));
      const file = join(sessionDir, 'claude-settings.json');
      writeClaudeHookSettings(file, url, settings.get('approvals.expiryMinutes'));
      const mcp = writeClaudeMcpConfig(
        join(sessionDir, 'mcp.json'),
        settings.get('agents.mcpServers'),
      );
      return {
        args: [...claudeHookArgs(file), ...mcp],
        bridges: [bridge],
        files: [file, ...mcp.slice(1)],
      };
    },
  });
  const operator = new OperatorService({
    store,
    settings,
    sessions,
    ssh,
    approvals,
    broker,
    knownSecrets: redactPayloads,
    socketDir: bridgeDir,
  });
  hooks = new HookServer(agentGate({ store, sessions, projects, policies, approvals }));
  costs = modelCosts({ store, settings, policies, projects, sessions, approvals });
  const gates = reviewGates({
    store,
    sessions,
    projects,
    policies,
    approvals,
    person: () => gitPerson,
    knownSecrets: redactPayloads,
    identity,
  });
  // A session that ended takes its hook URL and its pending requests with it.
  sessions.onChange((session) => {
    if (LIVE_STATES.includes(session.state)) return;
    hooks?.unregister(session.id);
    approvals.endSession(session.id);
    broker.endSession(session.id);
  });
  if (!options.readonly) approvals.expireLeftovers();
  if (!options.readonly) sessions.recoverAfterRestart();
  // Retention (#15): the audit.retentionDays setting, applied soon after start and daily.
  const retention = options.readonly ? null : startRetention({ store, settings });
  return {
    home,
    store,
    settings,
    projects,
    sessions,
    policies,
    approvals,
    gates,
    vault,
    identity,
    ssh,
    operator,
    person: { actor: 'person', actorId: localUserName() },
    close: async () => {
      if (!options.readonly) approvals.shutdown();
      await hooks?.close();
      // Before the connections and the store: a run's last step and its end are recorded.
      await operator.close();
      await ssh.close();
      await sessions.shutdown();
      costs?.budgets.close();
      await retention?.stop();
      store.close();
    },
  };
}

/**
 * The repository policy's `workspace` section as the sessions run it. It copies files and runs a
 * command, so it needs the person's trust in this exact version of the policy.
 */
function workspaceSetupOf(projectPath: string, policy: ProjectPolicy): WorkspaceSetup | null {
  const section = policy.repository?.policy.workspace;
  if (!section || (section.copy.length === 0 && !section.setup)) return null;
  if (!policy.repository?.trusted)
    throw new PolicyServiceError(
      `${projectPath}'s .paddock/policy.yaml sets up workspaces (copies files, runs a command), and you have not trusted this version of it. Read it with \`paddock policy show --project ${projectPath}\`, then \`paddock policy trust --project ${projectPath}\`.`,
    );
  return {
    copy: section.copy,
    command: section.setup,
    timeoutMs: section.setupTimeoutSeconds ? section.setupTimeoutSeconds * 1000 : undefined,
  };
}

/** The person's git identity, from their own git configuration (read once; they trust it). */
function gitIdentity(): { name: string; email: string } {
  const read = (key: string) => {
    try {
      return execFileSync('git', ['config', '--global', '--get', key], {
        encoding: 'utf8',
        timeout: 2000,
      }).trim();
    } catch {
      return '';
    }
  };
  const user = localUserName();
  return { name: read('user.name') || user, email: read('user.email') || `${user}@localhost` };
}

export function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
