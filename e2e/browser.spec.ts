import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { endpointOf, expect, ROOT, test } from './support';

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

test('the frame renders and an event caused through the CLI appears live on the Audit screen', async ({
  host,
  page,
}) => {
  await page.goto(host.url);
  const nav = page.getByRole('navigation', { name: 'Screens' });
  for (const screen of ['Sessions', 'Inbox', 'Audit', 'Costs', 'Settings'])
    await expect(nav.getByText(screen, { exact: false })).toBeVisible();
  await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
  // The token left the address bar once read.
  expect(page.url()).not.toContain('token=');

  await page.keyboard.press('g');
  await page.keyboard.press('a');
  const list = page.getByTestId('audit-list');
  await expect(list).toBeVisible();
  await expect(page.locator('[data-testid="audit-row"][data-kind="doctor.ran"]')).toHaveCount(0);

  // The CLI finds the running host through its endpoint file and goes through it.
  const doctor = host.cli(['doctor', '--json']);
  expect(doctor.stderr).toBe('');
  await expect(page.locator('[data-testid="audit-row"][data-kind="doctor.ran"]')).toHaveCount(1);

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'audit-live.png'), fullPage: true });
});

test('keyboard moves between every screen, and a reload stays on the screen', async ({
  host,
  page,
}) => {
  await page.goto(host.url);
  await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
  const title = page.getByRole('heading', { level: 1 });
  for (const [key, heading] of [
    ['s', /Sessions/],
    ['i', /Inbox/],
    ['c', /Costs/],
    [',', /Settings/],
    ['a', /Audit/],
  ] as const) {
    await page.keyboard.press('g');
    await page.keyboard.press(key);
    await expect(title).toHaveText(heading);
  }
  await page.reload();
  await expect(title).toHaveText(/Audit/);
  // A reload keeps working without the token in the URL (the tab remembers it).
  await expect(page.getByTestId('audit-list')).toBeVisible();
});

test('a page opened without the right token is refused and says what to do', async ({
  host,
  page,
}) => {
  await page.goto(host.url.replace(/token=[0-9a-f]+/, `token=${'0'.repeat(64)}`));
  await expect(page.getByText(/token/i).first()).toBeVisible();
  await expect(page.locator('[data-testid="audit-row"]')).toHaveCount(0);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'unauthorized.png') });
});

test('a page opened without any token says so instead of trying', async ({ host, page }) => {
  await page.goto(host.url.replace(/#token=[0-9a-f]+/, ''));
  await expect(page.getByText(/opened without its access token/)).toBeVisible();
});

test('a foreign page cannot reach the host', async ({ host, page }) => {
  // A page on another origin (here: a data URL) that even knows the real token is refused on its Origin.
  const { token } = endpointOf(host.home);
  await page.goto('data:text/html,<title>elsewhere</title>');
  const outcome = await page.evaluate(
    async ({ port, token }) => {
      return new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, [
          'paddock.v1',
          `paddock.token.${token}`,
        ]);
        ws.onopen = () => resolve('open');
        ws.onclose = (event) => resolve(`closed ${event.code}`);
      });
    },
    { port: host.port, token },
  );
  expect(outcome).toBe('closed 1006');
});
