/**
 * Which build of better-sqlite3's native addon this process loads. Node (the CLI, the headless
 * host, the tests) loads the one npm built. Electron has another ABI, so the desktop app loads its
 * own build (scripts/rebuild-electron-native.mjs) and names it in this variable before the store
 * opens; worker threads inherit it. Agents never see it: their environment is built from an
 * allowlist.
 */
export const SQLITE_BINDING_ENV = 'PADDOCK_SQLITE_BINDING';

export function sqliteOptions(): { nativeBinding?: string } {
  const binding = process.env[SQLITE_BINDING_ENV];
  return binding ? { nativeBinding: binding } : {};
}
