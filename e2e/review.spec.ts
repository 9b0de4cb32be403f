/**
 * The Review tab end to end: a real host, a real git repository and the person's policy naming a
 * command gate. A kept one-shot session (`paddock exec --keep`) changes value.txt; the gates run
 * from the keyboard, fail with the command's output, and Promote stays disabled with the blocker
 * beside it. The work is then fixed in the workspace, the results go stale, the gates pass, and
 * promotion lands exactly that on the repository's main branch. A session that adds a CI workflow
 * shows it marked protected, and the protected paths gate asking for a sign-off: the person (Ada,
 * an identity made with the CLI, her key in a private gnome-keyring the test starts) signs her
 * approval with `s`, it counts, the change lands, and the signed statement is in the landed
 * commit's git note.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startSecretService } from '../src/test-support/keyring';
import { startHost } from './host';
import {
  expect,
  keptSession,
  openSessionTab,
  screenshot,
  tempRepository,
  test,
  type Host,
} from './support';

/** The panel scrolls inside the viewport: a tall one shows the gates, blockers and diff at once. */
const TALL = 1400;
const POLICY = [
  'version: 1',
  'gates:',
  '  tests:',
  '    - name: value check',
  '      run: cat value.txt; grep -q good value.txt',
  '',
].join('\n');

/** The Sessions screen with `id` opened in its Review tab (the key v, from the list). */
async function openReview(page: Page, host: Host, id: string) {
  await openSessionTab(page, host, id, 'v');
  const panel = page.getByTestId('review-panel');
  await expect(panel).toBeVisible();
  // Read once: the gates have not run on this work yet.
  await expect(panel.getByTestId('gates-not-run')).toBeVisible();
  return panel;
}

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });

test('the gates fail with their output and block promotion; fixed, they pass and Promote lands it on main', async ({
  page,
  host,
}) => {
  test.setTimeout(60_000);
  const repo = tempRepository('paddock-e2e-review-', { 'value.txt': 'bad\n' });
  try {
    expect(host.cli(['settings', 'set', 'policy.personal', POLICY]).stderr).toBe('');
    const { sessionId, workspace } = keptSession(host, repo, 'echo almost > value.txt');
    const panel = await openReview(page, host, sessionId);

    // What would land is already shown, before any gate runs.
    await expect(panel.locator('[data-testid="diff-file"][data-path="value.txt"]')).toBeVisible();

    // r runs the gates: the command gate fails, with its output.
    await page.keyboard.press('r');
    const run = panel.getByTestId('gate-run');
    await expect(run).toHaveAttribute('data-verdict', 'fail');
    const valueCheck = run.locator('[data-testid="gate"][data-name="value check"]');
    await expect(valueCheck).toHaveAttribute('data-status', 'failed');
    await expect(valueCheck).toContainText('failed with exit code 1');
    await expect(valueCheck).toContainText("sh -c 'cat value.txt; grep -q good value.txt'");
    const output = valueCheck.locator('.gate-output');
    await expect(output.locator('pre')).toHaveText('almost');
    await expect(output.locator('pre')).toBeVisible();
    // The built-in gates ran too, and passed.
    await expect(run.locator('[data-testid="gate"][data-name="secrets"]')).toHaveAttribute(
      'data-status',
      'passed',
    );
    await expect(run.locator('[data-testid="gate"][data-name="protected paths"]')).toHaveAttribute(
      'data-status',
      'passed',
    );

    // Promote is disabled, with the blocker beside it; p does nothing.
    await expect(panel.getByTestId('review-promote')).toBeDisabled();
    await expect(panel.getByTestId('review-blockers')).toContainText('Cannot promote yet:');
    await expect(panel.getByTestId('review-blockers')).toContainText('the value check gate failed');
    await page.keyboard.press('p');
    await expect(panel.getByTestId('promote-form')).toHaveCount(0);
    await screenshot(page, 'review-failed.png', TALL);

    // The work is fixed in the workspace: re-read, the results are stale and still block.
    writeFileSync(join(workspace, 'value.txt'), 'good\n');
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expect(panel.getByTestId('review-stale')).toBeVisible();
    await expect(run).toHaveAttribute('data-stale', 'true');
    await expect(panel.getByTestId('review-blockers')).toContainText('stale');
    await expect(panel.getByTestId('review-promote')).toBeDisabled();
    await screenshot(page, 'review-stale.png', TALL);

    // r again: they pass, nothing blocks.
    await page.keyboard.press('r');
    await expect(run).toHaveAttribute('data-verdict', 'pass');
    await expect(run).not.toHaveAttribute('data-stale', 'true');
    await expect(panel.getByTestId('review-stale')).toHaveCount(0);
    await expect(valueCheck).toHaveAttribute('data-status', 'passed');
    await expect(valueCheck.locator('.gate-output pre')).toHaveText('good');
    await expect(panel.getByTestId('review-blockers')).toHaveCount(0);
    await expect(panel.getByTestId('review-ready')).toHaveText('Ready to land on main.');
    await expect(panel.getByTestId('review-promote')).toBeEnabled();
    const mainBefore = git(repo, 'rev-parse', 'main').trim();

    // p opens the confirmation (squash by default); Enter promotes.
    await page.keyboard.press('p');
    const form = panel.getByTestId('promote-form');
    await expect(form).toBeVisible();
    await expect(form.getByLabel('Squash: one commit on main')).toBeChecked();
    await page.keyboard.press('Enter');
    const promoted = panel.getByTestId('review-promoted');
    await expect(promoted).toContainText('Promoted to main');
    await expect(promoted).toContainText('squashed into one commit');
    await expect(form).toHaveCount(0);
    await expect(panel.getByTestId('review-run')).toBeDisabled();
    await expect(panel.getByTestId('review-promote')).toHaveCount(0);

    // On disk: main holds the fixed value, one commit on from where it was.
    expect(git(repo, 'show', 'main:value.txt')).toBe('good\n');
    expect(git(repo, 'rev-parse', 'main~1').trim()).toBe(mainBefore);
    const after = git(repo, 'rev-parse', 'main').trim();
    await expect(promoted).toContainText(`${mainBefore.slice(0, 7)} → ${after.slice(0, 7)}`);
    await expect(panel.getByTestId('review-landed')).toContainText(
      `The change is on main now, in commit ${after.slice(0, 7)}`,
    );
    await expect(page.getByTestId('session-state')).toHaveText('promoted');
    await screenshot(page, 'review-promoted.png', TALL);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});

/**
 * A host whose keychain is a private gnome-keyring (src/test-support/keyring.ts), as signing needs
 * one for the person's identity; both are stopped whatever happens.
 */
async function withKeychainHost(work: (host: Host) => Promise<void>): Promise<void> {
  const service = await startSecretService();
  try {
    const host = await startHost(undefined, { DBUS_SESSION_BUS_ADDRESS: service.address });
    try {
      await work(host);
    } finally {
      await host.stop();
      rmSync(host.home, { recursive: true, force: true });
    }
  } finally {
    await service.stop();
  }
}

test('a change to a CI workflow is marked protected and needs a sign-off; Ada signs it, it lands, and the statement travels in git', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const repo = tempRepository('paddock-e2e-review-', { 'value.txt': 'bad\n' });
  try {
    await withKeychainHost(async (host) => {
      // The person's signing identity, made in a terminal: the key goes to the keychain.
      const created = host.cli(['identity', 'create', 'Ada']);
      expect(created.code, created.stderr).toBe(0);
      const shown = host.cli(['identity', 'show', '--json']);
      expect(shown.code, shown.stderr).toBe(0);
      const ada = JSON.parse(shown.stdout) as { name: string; fingerprint: string };
      expect(ada.name).toBe('Ada');

      expect(host.cli(['settings', 'set', 'policy.personal', POLICY]).stderr).toBe('');
      const { sessionId } = keptSession(
        host,
        repo,
        'echo good > value.txt; mkdir -p .github/workflows; printf "on: push\\n" > .github/workflows/ci.yml',
      );
      const panel = await openReview(page, host, sessionId);

      // Before any run: the workflow is listed as protected, and marked in the diff.
      const ciPath = '.github/workflows/ci.yml';
      await expect(panel.getByTestId('protected-paths')).toContainText(ciPath);
      const ciFile = panel.locator(`[data-testid="diff-file"][data-path="${ciPath}"]`);
      await expect(ciFile.getByTestId('protected-mark')).toBeVisible();
      await expect(
        panel
          .locator('[data-testid="diff-file"][data-path="value.txt"]')
          .getByTestId('protected-mark'),
      ).toHaveCount(0);

      // The tests pass; the protected paths gate fails and needs a person's sign-off.
      await page.keyboard.press('r');
      const run = panel.getByTestId('gate-run');
      await expect(run).toHaveAttribute('data-verdict', 'needs-signoff');
      await expect(run.locator('[data-testid="gate"][data-name="value check"]')).toHaveAttribute(
        'data-status',
        'passed',
      );
      const gate = run.locator('[data-testid="gate"][data-name="protected paths"]');
      await expect(gate).toHaveAttribute('data-status', 'failed');
      await expect(gate).toContainText('action: require-signoff');
      await expect(gate).toContainText(ciPath);
      await expect(panel.getByTestId('review-promote')).toBeDisabled();
      await expect(panel.getByTestId('review-blockers')).toContainText(
        'the protected paths gate needs a sign-off',
      );
      // No policy signoff section: the person's own approval is what is asked, and they sign as Ada.
      const signoffs = panel.getByTestId('signoffs');
      await expect(signoffs.getByTestId('signoff-met')).toHaveText('✗ not met');
      await expect(signoffs.getByTestId('signoff-missing')).toBeVisible();
      await expect(signoffs).toContainText('You sign as Ada');
      await expect(signoffs.getByTestId('signoff-statement')).toHaveCount(0);
      await screenshot(page, 'review-protected.png', TALL);

      // s asks to sign an approval of this landing with Ada's key; Enter signs it.
      await page.keyboard.press('s');
      const form = panel.getByTestId('sign-off-form');
      await expect(form).toBeVisible();
      await expect(form).toContainText('Your approval is signed with Ada');
      await page.keyboard.press('Enter');
      await expect(form).toHaveCount(0);

      // Ada's approval is listed and counts; the requirement is met and nothing blocks.
      const statement = signoffs.locator('[data-testid="signoff-statement"][data-counts="true"]');
      await expect(statement).toHaveCount(1);
      await expect(signoffs.getByTestId('signoff-statement')).toHaveCount(1);
      await expect(statement).toContainText('Approved by Ada');
      await expect(statement.locator('.tag')).toHaveText('you');
      await expect(statement.locator('code')).toHaveAttribute('title', ada.fingerprint);
      await expect(statement.getByTestId('statement-counts')).toHaveText('counts');
      await expect(signoffs.getByTestId('signoff-met')).toHaveText('✓ met');
      await expect(signoffs.getByTestId('signoff-missing')).toHaveCount(0);
      await expect(run).toHaveAttribute('data-verdict', 'needs-signoff');
      await expect(run.getByTestId('gates-signed-off')).toHaveText('✓ signed off');
      await expect(panel.getByTestId('review-blockers')).toHaveCount(0);
      await expect(panel.getByTestId('review-ready')).toHaveText('Ready to land on main.');
      await expect(panel.getByTestId('review-promote')).toBeEnabled();
      await screenshot(page, 'review-signoff.png', TALL);

      // Then it promotes, workflow and all.
      await page.keyboard.press('p');
      await expect(panel.getByTestId('promote-form')).toBeVisible();
      await page.keyboard.press('Enter');
      await expect(panel.getByTestId('review-promoted')).toContainText('Promoted to main');
      expect(git(repo, 'show', `main:${ciPath}`)).toBe('on: push\n');

      // The signed statement travelled with git: one DSSE envelope in the landed commit's note.
      const note = git(repo, 'notes', '--ref=paddock', 'show', 'main').trim().split('\n');
      expect(note).toHaveLength(1);
      const envelope = JSON.parse(note[0] ?? '') as { payloadType: string };
      expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    });
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});
