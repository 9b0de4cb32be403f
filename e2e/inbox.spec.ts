/**
 * The inbox end to end: the real Claude Code in a session of the built host asks to run inline
 * code (the classifier cannot prove it safe); the request arrives live, with a notification; `p`
 * allows it for the project, and the next identical request passes without a prompt.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnthropicServer } from '../src/test-support/fixtures/anthropic-server';
import { startHost } from './host';
import { expect, ROOT, test } from './support';

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
const APPEND = `node -e "require('fs').appendFileSync('held.txt', 'x')"`;
const bash = (command: string) => ({
  content: [{ type: 'tool_use' as const, name: 'Bash', input: { command, description: 'append' } }],
});

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-e2e-inbox-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], {
      cwd: dir,
    });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# demo\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return dir;
}

test('requests arrive live; p allows for the project, and the same request then passes', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const model = await startAnthropicServer({
    turns: [bash(APPEND), bash(APPEND), { content: [{ type: 'text', text: 'Appended twice.' }] }],
  });
  const host = await startHost();
  const repo = repository();
  try {
    host.cli(['settings', 'set', 'agents.model.baseUrl', model.url]);
    await page.goto(host.url);
    await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await expect(page.getByText('Nothing is waiting for you.')).toBeVisible();

    const started = host.cli([
      'session',
      'start',
      '--project',
      repo,
      '--agent',
      'claude',
      '--task',
      'Append twice.',
      '--detach',
    ]);
    expect(started.code, started.stderr).toBe(0);
    const workspace = JSON.parse(host.cli(['session', 'list', '--json']).stdout)[0]
      .workspace as string;

    const row = page.locator('[data-testid="approval-row"][data-state="pending"]');
    await expect(row).toHaveCount(1, { timeout: 60_000 });
    await expect(row).toContainText('appendFileSync');
    await expect(page.getByTestId('inbox-count')).toHaveText('1');
    // One notification, once the coalescing window (1 s) closes.
    await expect.poll(() => page.evaluate('window.__paddockNotifications')).toBe(1);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'inbox.png') });

    await row.click();
    await page.keyboard.press('p');
    await expect(page.getByTestId('confirm-project')).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.locator('[data-testid="approval-row"][data-state="allowed"]')).toHaveCount(1);

    const held = join(workspace, 'held.txt');
    // The second, identical request is answered by the project rule: no new row, and it ran.
    await expect
      .poll(() => (existsSync(held) ? readFileSync(held, 'utf8').length : 0), { timeout: 60_000 })
      .toBe(2);
    await expect(page.locator('[data-testid="approval-row"]')).toHaveCount(1);
    await expect(page.locator('[data-testid="approval-row"][data-state="pending"]')).toHaveCount(0);
    expect(
      JSON.parse(host.cli(['settings', 'list', '--json']).stdout)['approvals.project'],
    ).toEqual({
      [JSON.parse(host.cli(['project', 'list', '--json']).stdout)[0].path]: [`Bash(${APPEND})`],
    });

    // Visible and removable in Settings.
    await page.keyboard.press('g');
    await page.keyboard.press(',');
    const answers = page.getByTestId('project-answers');
    await expect(answers).toContainText('appendFileSync');
    await page.screenshot({
      path: join(SCREENSHOTS, 'settings-project-answers.png'),
      fullPage: true,
    });
    await answers.getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByText('Nothing is allowed for a whole project yet.')).toBeVisible();
  } finally {
    await host.stop();
    await model.close();
    rmSync(host.home, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  }
});
