/**
 * The desktop app, driven through Playwright's Electron support. Electron's binary is downloaded
 * on first use, which cannot happen on machines without internet access (such as this project's
 * CI): there the test says so and does not run. Everything it drives (core, contract, IPC adapter,
 * renderer) is tested without Electron elsewhere in the suite.
 */
import { _electron as electron } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, ROOT, test } from './support';

function electronBinary(): string | null {
  const pkg = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(
    process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist'),
    readFileSync(pathFile, 'utf8'),
  );
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
const SKIP_REASON =
  'Electron binary not installed: it downloads on first use and this machine has no internet access. The core, the IPC adapter and the renderer are covered by the other tests.';

test.describe('desktop app (Electron)', () => {
  test.skip(!binary, SKIP_REASON);

  test('opens a hardened window that reaches the core over IPC only', async () => {
    const home = mkdtempSync(join(tmpdir(), 'paddock-electron-'));
    const app = await electron.launch({
      executablePath: binary as string,
      args: [join(ROOT, 'out', 'main', 'index.js')],
      env: { ...process.env, PADDOCK_HOME: home, PADDOCK_TEST_HOOKS: '1' },
    });
    try {
      const page = await app.firstWindow();
      await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
      const surface = await page.evaluate(() => ({
        require: typeof (globalThis as unknown as { require?: unknown }).require,
        process: typeof (globalThis as unknown as { process?: unknown }).process,
        bridge: Object.keys((globalThis as unknown as { paddockIpc: object }).paddockIpc).sort(),
      }));
      expect(surface).toEqual({
        require: 'undefined',
        process: 'undefined',
        bridge: ['calls', 'subscribe'],
      });
      // The desktop bridge: notifications and main's requests to open a screen, nothing else.
      expect(
        await page.evaluate(() =>
          Object.keys((globalThis as unknown as { paddockDesktop: object }).paddockDesktop).sort(),
        ),
      ).toEqual(['notify', 'onNotificationClick', 'onOpen']);
      // The window's settings, as Electron applied them.
      const preferences = await app.evaluate(({ BrowserWindow }) => {
        const [window] = BrowserWindow.getAllWindows();
        // Undocumented but long-standing: the preferences the renderer was really given.
        const contents = window?.webContents as unknown as { getLastWebPreferences(): object };
        return contents.getLastWebPreferences();
      });
      expect(preferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        webviewTag: false,
      });
      // The tray, with its menu as the person sees it on a fresh home.
      const tray = await app.evaluate(() => {
        const hooks = (
          globalThis as unknown as {
            paddockTestHooks: {
              hasTray(): boolean;
              trayState(): { tooltip: string; menu: Array<{ label: string }> };
            };
          }
        ).paddockTestHooks;
        const state = hooks.trayState();
        return {
          hasTray: hooks.hasTray(),
          tooltip: state.tooltip,
          labels: state.menu.map((item) => item.label),
        };
      });
      expect(tray).toEqual({
        hasTray: true,
        tooltip: 'Paddock: no sessions running',
        labels: ['Open Paddock', 'No requests waiting', 'Pause all sessions', 'Quit Paddock'],
      });
      // A new window is refused, and a permission request is denied.
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(
        1,
      );
      await page.evaluate(() =>
        (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/'),
      );
      await page.waitForTimeout(300);
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(
        1,
      );
      expect(
        await page.evaluate(
          async () =>
            (
              await (
                globalThis as unknown as {
                  navigator: { permissions: { query(q: object): Promise<{ state: string }> } };
                }
              ).navigator.permissions.query({ name: 'notifications' })
            ).state,
        ),
      ).not.toBe('granted');
      // Navigation away from Paddock's page is refused.
      await page.evaluate(
        () =>
          ((globalThis as unknown as { location: { href: string } }).location.href =
            'https://example.com/'),
      );
      await page.waitForTimeout(300);
      expect(page.url()).toMatch(/^file:.*index\.html/);
      await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'electron.png') });
    } finally {
      await app.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
