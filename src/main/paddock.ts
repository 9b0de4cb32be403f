/**
 * The composition root: the core services for one Paddock home, wired together. The CLI, the
 * headless host and the Electron host all start Paddock through here.
 */
import { userInfo } from 'node:os';
import { resolvePaddockHome } from './core/home';
import { SettingsService } from './core/settings';
import { AuditStore } from './core/store';

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
  /** Who the person at this machine is (the OS user until signing identities exist). */
  person: Person;
  close(): void;
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
  return {
    home,
    store,
    settings: new SettingsService(store),
    person: { actor: 'person', actorId: localUserName() },
    close: () => store.close(),
  };
}

export function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
