#!/usr/bin/env node
/**
 * Builds better-sqlite3's native addon for Electron's ABI into build/native/electron/, leaving the
 * Node build in node_modules alone (the CLI, the headless host and the tests load that one). The
 * desktop app names this file in PADDOCK_SQLITE_BINDING before the store opens (src/main/index.ts),
 * and electron-builder ships it as resources/native/ (electron-builder.yml).
 *
 * node-pty and keytar need nothing: they use N-API, whose one build serves Node and Electron.
 *
 * It downloads Electron's headers (from electronjs.org, through @electron/rebuild), so it runs on a
 * machine with internet access: `npm start`, `npm run dev` and `npm run dist` run it first. It does
 * nothing when the build for this Electron and this better-sqlite3 is there already.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'build', 'native', 'electron-src');
const OUT = join(ROOT, 'build', 'native', 'electron');
const ADDON = 'better_sqlite3.node';

const versionOf = (pkg) =>
  JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
const electron = versionOf('electron');
const sqlite = versionOf('better-sqlite3');
const stamp = `electron ${electron}, better-sqlite3 ${sqlite}, ${process.platform}-${process.arch}`;
const stampFile = join(OUT, 'BUILT_FOR');

if (
  existsSync(join(OUT, ADDON)) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8') === stamp
) {
  console.log(`better-sqlite3 for Electron: up to date (${stamp})`);
  process.exit(0);
}

// A private copy of the package, so the rebuild writes its build/ there and not into node_modules.
rmSync(WORK, { recursive: true, force: true });
mkdirSync(join(WORK, 'node_modules'), { recursive: true });
cpSync(join(ROOT, 'node_modules', 'better-sqlite3'), join(WORK, 'node_modules', 'better-sqlite3'), {
  recursive: true,
  filter: (source) => !source.includes(`${join('better-sqlite3', 'build')}`),
});
writeFileSync(
  join(WORK, 'package.json'),
  JSON.stringify({
    name: 'paddock-native',
    private: true,
    dependencies: { 'better-sqlite3': sqlite },
  }),
);

console.log(`better-sqlite3 for Electron: building (${stamp}); this downloads Electron's headers`);
try {
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({
    buildPath: WORK,
    electronVersion: electron,
    onlyModules: ['better-sqlite3'],
    force: true,
  });
} catch (error) {
  console.error(
    `Could not build better-sqlite3 for Electron ${electron}: ${error instanceof Error ? error.message : error}\n` +
      'It needs internet access (Electron headers from electronjs.org) and a C++ toolchain (python3, make, g++ or Xcode/MSVC).\n' +
      'The CLI and `paddock serve` do not need it; only the desktop app does.',
  );
  rmSync(WORK, { recursive: true, force: true });
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
cpSync(join(WORK, 'node_modules', 'better-sqlite3', 'build', 'Release', ADDON), join(OUT, ADDON));
writeFileSync(stampFile, stamp);
rmSync(WORK, { recursive: true, force: true });
console.log(`better-sqlite3 for Electron: ${join('build', 'native', 'electron', ADDON)}`);
