/**
 * Settings → Secrets end to end, against the built headless host and a real Secret Service:
 * gnome-keyring on a private D-Bus session this file starts (src/test-support/keyring.ts),
 * whose address the host inherits. Values go in through the page and are read back from the
 * keychain by keytar in a child process on the same bus; the page never holds one after saving.
 *
 * The second test gives the host a bus with no keychain on it, and the section shows the vault's
 * refusal: what to install or start.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startSecretService, type SecretService } from '../src/test-support/keyring';
import { startHost, type Host } from './host';
import { CLI, expect, ROOT, test } from './support';

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const secretValue = (tag: string) => `sk-${tag}-${randomBytes(20).toString('hex')}`;

/** The value the keychain holds for a secret, read with keytar on the test's bus. */
function inKeychain(service: SecretService, name: string): string | null {
  const read = spawnSync(
    process.execPath,
    [
      '-e',
      `require('keytar').getPassword('Paddock', process.argv[1]).then((v) => process.stdout.write(JSON.stringify(v)))`,
      `secret:${name}`,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: service.address },
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  if (read.status !== 0) throw new Error(`keytar could not read the keychain: ${read.stderr}`);
  return JSON.parse(read.stdout) as string | null;
}

async function openSettings(page: Page, host: Host) {
  await page.goto(host.url);
  await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
  await page.keyboard.press('g');
  await page.keyboard.press(',');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Settings/);
}

async function withHost(
  service: SecretService,
  work: (host: Host) => Promise<void>,
): Promise<void> {
  const host = await startHost(undefined, { DBUS_SESSION_BUS_ADDRESS: service.address });
  try {
    await work(host);
  } finally {
    await host.stop();
    rmSync(host.home, { recursive: true, force: true });
  }
}

test('adds, rotates and removes secrets, and never shows a value after entry', async ({ page }) => {
  test.setTimeout(120_000);
  const service = await startSecretService();
  try {
    await withHost(service, async (host) => {
      await openSettings(page, host);
      const section = page.locator('section[aria-labelledby="settings-secrets"]');
      await expect(section.getByTestId('secrets-empty')).toContainText('No secrets yet.');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await section.screenshot({ path: join(SCREENSHOTS, 'settings-secrets-empty.png') });

      // Add: the name field has focus; the vault's own message comes back for a bad name.
      const first = secretValue('openai');
      await section.getByRole('button', { name: 'Add secret' }).click();
      const form = section.getByTestId('secret-form');
      const name = form.locator('input[name="secret-name"]');
      await expect(name).toBeFocused();
      await name.fill('OpenAI_KEY');
      const value = form.locator('input[name="secret-value"]');
      await expect(value).toHaveAttribute('type', 'password');
      await expect(value).toHaveAttribute('autocomplete', 'off');
      await value.fill(first);
      await form.locator('input[name="hosts"]').fill('api.openai.com');
      await expect(form.locator('input[name="secret-header"]')).toHaveValue(
        'Authorization: Bearer {}',
      );
      await page.keyboard.press('Enter');
      await expect(form.getByTestId('secret-form-error')).toContainText(
        'That is not a secret name (it has lower-case letters)',
      );

      // Leaving the hosts field made what was typed a chip; Enter in the name field sends the form.
      await name.fill('OPENAI_API_KEY');
      await expect(form.getByTestId('host-chip')).toHaveText(['api.openai.com×']);
      await section.screenshot({ path: join(SCREENSHOTS, 'settings-secrets-add.png') });
      await name.press('Enter');
      await expect(form).toHaveCount(0);
      await expect(section.getByTestId('secrets-notice')).toHaveText(
        'Saved OPENAI_API_KEY in the keychain. Its value is not shown again.',
      );
      await expect(section.getByRole('button', { name: 'Add secret' })).toBeFocused();
      const openai = section.locator('[data-testid="secret-row"][data-name="OPENAI_API_KEY"]');
      await expect(openai).toContainText('api.openai.com');
      await expect(openai).toContainText('Authorization: Bearer {}');
      await expect(openai).toContainText('never rotated');
      expect(inKeychain(service, 'OPENAI_API_KEY')).toBe(first);

      // Escape cancels a form, and nothing is stored.
      await section.getByRole('button', { name: 'Add secret' }).click();
      await expect(name).toBeFocused();
      await name.fill('NOT_SAVED');
      await page.keyboard.press('Escape');
      await expect(form).toHaveCount(0);
      await expect(section.getByRole('button', { name: 'Add secret' })).toBeFocused();

      // A secret set from the CLI (through this host) appears live, with its own header.
      const second = secretValue('anthropic');
      const cli = spawnSync(
        process.execPath,
        [
          CLI,
          'secrets',
          'set',
          'ANTHROPIC_API_KEY',
          '--host',
          'api.anthropic.com',
          '--host',
          '*.anthropic.com',
          '--header',
          'x-api-key: {}',
        ],
        {
          input: second,
          env: { ...process.env, PADDOCK_HOME: host.home },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(cli.status, cli.stderr).toBe(0);
      const anthropic = section.locator(
        '[data-testid="secret-row"][data-name="ANTHROPIC_API_KEY"]',
      );
      await expect(anthropic).toContainText('*.anthropic.com');
      await expect(anthropic).toContainText('x-api-key: {}');

      // Rotate asks for the new value only; hosts and header are kept.
      const rotated = secretValue('openai2');
      await openai.getByRole('button', { name: 'Rotate OPENAI_API_KEY' }).click();
      const rotateForm = openai.getByTestId('secret-form');
      await expect(rotateForm.locator('input[name="secret-name"]')).toHaveCount(0);
      await expect(rotateForm.locator('input[name="hosts"]')).toHaveCount(0);
      const newValue = rotateForm.locator('input[name="secret-value"]');
      await expect(newValue).toBeFocused();
      await expect(rotateForm).toContainText('Keeps api.openai.com and Authorization: Bearer {}');
      await page.keyboard.type(rotated);
      await section.screenshot({ path: join(SCREENSHOTS, 'settings-secrets-rotate.png') });
      await page.keyboard.press('Enter');
      await expect(rotateForm).toHaveCount(0);
      await expect(section.getByTestId('secrets-notice')).toHaveText(
        'Rotated OPENAI_API_KEY: the keychain holds the new value.',
      );
      await expect(openai).toContainText(/rotated \d{4}-\d\d-\d\d/);
      await expect(openai).toContainText('api.openai.com');
      await expect(openai.getByRole('button', { name: 'Rotate OPENAI_API_KEY' })).toBeFocused();
      expect(inKeychain(service, 'OPENAI_API_KEY')).toBe(rotated);

      // No value is anywhere in the page: not in the markup, not in a field.
      const markup = await page.content();
      for (const secret of [first, second, rotated]) expect(markup).not.toContain(secret);
      const fields = await page
        .locator('input')
        .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
      for (const secret of [first, second, rotated]) expect(fields).not.toContain(secret);

      await expect(section.getByTestId('secret-row')).toHaveCount(2);
      await section.screenshot({ path: join(SCREENSHOTS, 'settings-secrets.png') });

      // Remove asks first: Escape keeps it, Enter on the focused confirmation removes it.
      await anthropic.getByRole('button', { name: 'Remove ANTHROPIC_API_KEY' }).click();
      const confirm = anthropic.getByTestId('secret-confirm');
      await expect(confirm).toContainText('Remove ANTHROPIC_API_KEY?');
      await expect(confirm.getByRole('button', { name: 'Remove' })).toBeFocused();
      await section.screenshot({ path: join(SCREENSHOTS, 'settings-secrets-remove.png') });
      await page.keyboard.press('Escape');
      await expect(confirm).toHaveCount(0);
      await expect(
        anthropic.getByRole('button', { name: 'Remove ANTHROPIC_API_KEY' }),
      ).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(confirm).toBeVisible();
      await page.keyboard.press('Enter');
      await expect(anthropic).toHaveCount(0);
      await expect(section.getByTestId('secrets-notice')).toHaveText(
        'Removed ANTHROPIC_API_KEY; its value is deleted from the keychain.',
      );
      expect(inKeychain(service, 'ANTHROPIC_API_KEY')).toBeNull();
      expect(inKeychain(service, 'OPENAI_API_KEY')).toBe(rotated);
    });
  } finally {
    await service.stop();
  }
});

test('without a keychain the section shows the vault’s refusal and what to start', async ({
  page,
}) => {
  // A session bus with nothing providing org.freedesktop.secrets on it.
  const service = await startSecretService({ keyring: false });
  try {
    await withHost(service, async (host) => {
      await openSettings(page, host);
      const section = page.locator('section[aria-labelledby="settings-secrets"]');
      const problem = section.getByTestId('secrets-problem');
      await expect(problem).toContainText('The vault cannot be read.');
      await expect(problem).toContainText('No keychain is reachable');
      await expect(problem).toContainText('gnome-keyring');
      await expect(problem.getByRole('button', { name: 'Try again' })).toBeVisible();
      await expect(section.getByRole('button', { name: 'Add secret' })).toHaveCount(0);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await section.screenshot({ path: join(SCREENSHOTS, 'settings-secrets-no-keychain.png') });
    });
  } finally {
    await service.stop();
  }
});
