/**
 * Trust on the Audit screen: a store whose file was changed behind Paddock's back (a payload
 * edited with the append-only triggers dropped) shows the first broken link when the chain is
 * verified, with what it means, and an untouched store says it holds.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDIT_PAYLOAD_3, storeOfTenEvents, tamper } from '../src/test-support/tampered-store';
import { startHost } from './host';
import { expect, ROOT, test } from './support';

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

test('the Audit screen shows the first broken link of a tampered store', async ({ page }) => {
  test.setTimeout(60_000);
  const home = mkdtempSync(join(tmpdir(), 'paddock-e2e-tampered-'));
  storeOfTenEvents(home);
  tamper(home, EDIT_PAYLOAD_3);
  const host = await startHost(home);
  try {
    await page.goto(host.url);
    await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const panel = page.locator('.verify-panel');
    await expect(panel).toContainText('Chain broken: first broken link is edited at #3');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'audit-tampered.png') });
  } finally {
    await host.stop();
    rmSync(home, { recursive: true, force: true });
  }
});

test('an untouched store verifies on the Audit screen', async ({ page, host }) => {
  await page.goto(host.url);
  await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
  await page.keyboard.press('g');
  await page.keyboard.press('a');
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.locator('.verify-panel')).not.toContainText('Chain broken');
  await expect(page.locator('.verify-panel')).toContainText(/holds|verif/i);
});
