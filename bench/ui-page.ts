/**
 * The page a UI benchmark drives: Paddock's renderer from a headless host, in Chromium, and the
 * fresh start each round begins from (the Sessions screen, reloaded, nothing else read yet).
 */
import type { Browser, Page } from 'playwright';
import type { Host } from '../e2e/host';
import { progress } from './lib';

export async function openBenchPage(browser: Browser, host: Host): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (error) => progress(`page error: ${error.message}`));
  await page.goto(host.url);
  await page.locator('html[data-ready="true"]').waitFor();
  return page;
}

export async function reloadOnSessions(page: Page): Promise<void> {
  await page.evaluate(() => {
    location.hash = '#/sessions';
  });
  await page.reload();
  await page.locator('html[data-ready="true"]').waitFor();
}
