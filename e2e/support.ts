/** Playwright fixtures for the end-to-end tests: a host per test, one Chromium per worker. */
import { expect, test as base, type Browser, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRepository } from '../src/main/core/git/testing';
import { launchChromium, ROOT, startHost, type Host } from './host';

export { CLI, ROOT, endpointOf, type Host } from './host';

export const test = base.extend<{ host: Host; page: Page }, { sharedBrowser: Browser }>({
  sharedBrowser: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies by destructuring
    async ({}, use) => {
      const { browser, close } = await launchChromium();
      await use(browser);
      await close();
    },
    { scope: 'worker' },
  ],
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    const host = await startHost();
    await use(host);
    await host.stop();
    rmSync(host.home, { recursive: true, force: true });
  },
  page: async ({ sharedBrowser }, use) => {
    const context = await sharedBrowser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await use(page);
    await context.close();
  },
});

export { expect } from '@playwright/test';

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

/** A git repository on `main` in a fresh temp folder, with `files` committed. */
export function tempRepository(prefix: string, files: Record<string, string>): string {
  return makeRepository(mkdtempSync(join(tmpdir(), prefix)), files);
}

/** `paddock exec --keep` of `script` in a fresh workspace of `repo`: the kept session's id and workspace. */
export function keptSession(host: Host, repo: string, script: string) {
  const run = host.cli(['exec', '--project', repo, '--keep', '--json', '--', 'sh', '-c', script]);
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as { sessionId: string; workspace: string; kept: boolean };
  expect(result.kept).toBe(true);
  return result;
}

/** The Sessions screen with session `id` opened, then `key` pressed (a tab of its detail). */
export async function openSessionTab(page: Page, host: Host, id: string, key: string) {
  await page.goto(host.url);
  await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
  await page.locator(`[data-testid="session-row"][data-id="${id}"] button`).click();
  await expect(page.getByTestId('session-detail')).toContainText(id);
  await page.keyboard.press(key);
}

/** A screenshot into test-results/screenshots, `height` tall, so a long panel shows at once. */
export async function screenshot(page: Page, name: string, height: number) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOTS, name) });
  await page.setViewportSize({ width: 1280, height: 800 });
}
