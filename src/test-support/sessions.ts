/**
 * A session manager on a fresh store, wired like `openPaddock` wires it, with the presets and
 * environment a test or benchmark chooses. For tests and benchmarks only.
 */
import type { AgentPreset } from '../main/core/agents';
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
  });
  const close = async () => {
    await sessions.shutdown();
    store.close();
  };
  return { store, settings, projects, sessions, close };
}
