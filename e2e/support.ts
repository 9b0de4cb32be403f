/** Playwright fixtures for the end-to-end tests: a host per test, one Chromium per worker. */
import { test as base, type Browser, type Page } from '@playwright/test';
import { rmSync } from 'node:fs';
import { launchChromium, startHost, type Host } from './host';

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
