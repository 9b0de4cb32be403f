/**
 * The packaging configuration, checked where it can be here: electron-builder's own schema, every
 * file it names, the targets for each platform and the macOS hardened runtime's entitlements. The
 * packages themselves are built by `npm run dist` on a machine with internet access (electron-builder
 * downloads Electron and its tools), which this one has none of.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..', '..');
const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as {
  icon: string;
  npmRebuild: boolean;
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string }>;
  linux: { target: string[] };
  deb: { depends: string[] };
  mac: {
    target: string[];
    hardenedRuntime: boolean;
    entitlements: string;
    entitlementsInherit: string;
  };
  win: { target: string[] };
};

/** Width and height from a PNG's header. */
function pngSize(file: string): [number, number] {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('packaging (electron-builder.yml)', () => {
  it('is valid for electron-builder', async () => {
    const { validateConfiguration } =
      (await import('app-builder-lib/out/util/config/config.js')) as {
        validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
      };
    const logger = { isEnabled: false, add: () => undefined };
    await expect(validateConfiguration(config, logger)).resolves.toBeUndefined();
    // And the check can fail: an option electron-builder does not know.
    await expect(
      validateConfiguration({ ...config, linux: { ...config.linux, tray: true } }, logger),
    ).rejects.toThrow(/Invalid configuration object/);
  });

  it('builds AppImage and deb, a dmg with the hardened runtime, and an installer for Windows', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.deb.depends).toEqual(expect.arrayContaining(['bubblewrap', 'git']));
    expect(config.mac).toMatchObject({ target: ['dmg'], hardenedRuntime: true });
    expect(config.win.target).toEqual(['nsis']);
    const entitlements = readFileSync(join(ROOT, config.mac.entitlements), 'utf8');
    for (const key of [
      'allow-jit',
      'allow-unsigned-executable-memory',
      'disable-library-validation',
    ])
      expect(entitlements).toContain(`<key>com.apple.security.cs.${key}</key>`);
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements);
  });

  it('keeps native code out of the archive and ships Electron’s own better-sqlite3', () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node']));
    expect(config.extraResources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: 'build/native/electron', to: 'native' }),
        expect.objectContaining({ from: 'resources/icons', to: 'icons' }),
      ]),
    );
  });

  it('has the icons the app and the tray load, at their sizes', () => {
    expect(pngSize(join(ROOT, config.icon))).toEqual([1024, 1024]);
    const icons = join(ROOT, 'resources', 'icons');
    expect(pngSize(join(icons, 'icon-256.png'))).toEqual([256, 256]);
    for (const variant of ['idle', 'running', 'attention']) {
      expect(pngSize(join(icons, `tray-${variant}.png`))).toEqual([16, 16]);
      expect(pngSize(join(icons, `tray-${variant}@2x.png`))).toEqual([32, 32]);
    }
    expect(existsSync(join(ROOT, 'scripts', 'rebuild-electron-native.mjs'))).toBe(true);
  });
});
