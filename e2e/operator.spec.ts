/**
 * The Operator screen end to end: a real host with a private gnome-keyring, a real OpenSSH server
 * on loopback (it runs as this user, so the "remote" files are in a temp dir here) and a loopback
 * Anthropic Messages API scripted to reach a goal in several steps: one command the policy allows,
 * one it denies, one it holds in the inbox, one more allowed, then `finish`. The run starts from
 * the form (first refused, as main says, while the host key is not pinned), its steps appear as
 * they happen, the held one is allowed from the Inbox its step links to, and the run ends with the
 * model's summary.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../src/test-support/fixtures/anthropic-server';
import { RELEASE_POLICY, releaseScript } from '../src/test-support/fixtures/operator-release';
import { startSecretService } from '../src/test-support/keyring';
import { castText } from '../src/test-support/cast';
import { startSshd } from '../src/test-support/sshd';
import { startHost } from './host';
import { expect, screenshot, test, type Host } from './support';

const MODEL = 'claude-sonnet-4-5';
const KEY = 'sk-ant-api03-OPERATOR-e2e-0123456789abcdefghijklmnopqrstuvwxyz';
const GOAL = 'Read the notes and prepare the release directory.';
function ok(host: Host, args: string[], input?: string): string {
  const result = host.cli(args, input);
  expect(result.code, `paddock ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The SSH host (not pinned yet), the provider and its key, and the policy, as the CLI sets them. */
function configure(
  host: Host,
  sshd: Awaited<ReturnType<typeof startSshd>>,
  model: AnthropicServer,
) {
  const add = ['ssh', 'add', 'staging', '--address', '127.0.0.1', '--port', String(sshd.port)];
  ok(host, [...add, '--user', sshd.user], sshd.clientPrivateKey);
  ok(host, ['secrets', 'set', 'ANTHROPIC_API_KEY'], KEY);
  const provider = { name: 'loopback', api: 'anthropic-messages', baseUrl: model.url };
  const providers = JSON.stringify([{ ...provider, secret: 'ANTHROPIC_API_KEY' }]);
  ok(host, ['settings', 'set', 'operator.providers', providers]);
  const defaultModel = JSON.stringify({ provider: 'loopback', model: MODEL });
  ok(host, ['settings', 'set', 'operator.defaultModel', defaultModel]);
  ok(host, ['settings', 'set', 'policy.personal', RELEASE_POLICY]);
}

test('a run started from the form: steps live, one denied, one allowed from the Inbox, then the summary', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const world = await startWorld('Read the notes first.\u202e');
  const { dir, sshd, model, host } = world;
  try {
    await page.goto(host.url);
    await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);

    // g o opens the screen; n opens the form with the cursor on the goal.
    await page.keyboard.press('g');
    await page.keyboard.press('o');
    await expect(page.getByTestId('operator-empty')).toBeVisible();
    await page.keyboard.press('n');
    const form = page.getByTestId('operator-form');
    await expect(form.getByLabel('Goal')).toBeFocused();
    await page.keyboard.type(GOAL);

    // The host is not pinned: the form says how to pin it, and main refuses the start, saying so.
    await expect(form.getByTestId('operator-unpinned')).toContainText('paddock ssh test staging');
    await form.getByRole('button', { name: 'Start run' }).click();
    await expect(form.getByTestId('operator-start-error')).toContainText(
      'paddock ssh test staging',
    );
    await screenshot(page, 'operator-form.png', 800);
    expect(model.scriptedRequests()).toHaveLength(0);

    // Pinned from the CLI, the form follows; the start goes through and opens the run.
    ok(host, ['ssh', 'test', 'staging', '--yes-pin-fingerprint', sshd.hostKeyFingerprint]);
    await expect(form.getByTestId('operator-unpinned')).toHaveCount(0);
    await expect(form.getByRole('combobox', { name: 'Host' })).toContainText('staging (pinned)');
    await form.getByLabel('Max steps').fill('8');
    await form.getByRole('button', { name: 'Start run' }).click();

    const detail = page.getByTestId('operator-detail');
    await expect(detail.locator('.op-goal')).toHaveText(GOAL);
    const steps = detail.getByTestId('operator-step');
    const stepAt = (n: number) => detail.locator(`[data-testid="operator-step"][data-step="${n}"]`);

    // Step 1 ran: its output is the host's file; the hidden override in the thought shows as such.
    await expect(stepAt(1)).toHaveAttribute('data-state', 'allowed');
    await expect(stepAt(1).getByTestId('operator-output')).toHaveText('release notes: ship it\n');
    await expect(stepAt(1)).toContainText('allowed by rule Ssh(staging:cat:*)');
    await expect(stepAt(1).getByTestId('operator-thought').locator('.escaped')).toHaveText(
      '<U+202E>',
    );
    // Step 2 was denied by its rule and never ran.
    await expect(stepAt(2)).toHaveAttribute('data-state', 'denied');
    await expect(stepAt(2)).toContainText('denied by rule Ssh(staging:tee:*)');
    await expect(stepAt(2).getByTestId('operator-output')).toHaveCount(0);
    // Step 3 waits in the inbox, and the run says so.
    await expect(stepAt(3)).toHaveAttribute('data-state', 'waiting');
    await expect(detail).toHaveAttribute('data-status', 'waiting');
    await expect(page.getByTestId('operator-run').first()).toContainText('waiting for you');
    await expect(steps).toHaveCount(3);
    expect(existsSync(join(dir, 'release'))).toBe(false);
    expect(existsSync(join(dir, 'denied-marker'))).toBe(false);

    // While it waits: m writes a note to the model, x asks before stopping (Esc cancels), p
    // pauses it before its next model call.
    await page.keyboard.press('m');
    await expect(detail.getByLabel('Send a note to the model')).toBeFocused();
    await page.keyboard.type('Check the disk first.');
    await page.keyboard.press('Enter');
    await expect(detail.getByTestId('operator-notes')).toHaveText('1 sent');
    await detail.getByLabel('Send a note to the model').blur();
    await page.keyboard.press('x');
    await expect(detail.getByTestId('operator-confirm-stop')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(detail.getByTestId('operator-confirm-stop')).toHaveCount(0);
    await page.keyboard.press('p');
    await screenshot(page, 'operator-waiting.png', 900);

    // Its link opens the Inbox on that request; allowed there, the run goes on.
    await stepAt(3).getByTestId('operator-inbox-link').click();
    const request = page.locator('[data-testid="approval-row"][data-state="pending"]');
    await expect(request).toHaveCount(1);
    await expect(request).toHaveClass(/is-focused/);
    await expect(request).toContainText(`mkdir ${dir}/release`);
    await request.getByRole('button', { name: /^Allow once/ }).click();
    await expect(page.locator('[data-testid="approval-row"][data-state="allowed"]')).toHaveCount(1);

    // The held command ran; paused, the run asks the model nothing more until p resumes it.
    await page.keyboard.press('g');
    await page.keyboard.press('o');
    await expect(detail).toHaveAttribute('data-status', 'paused');
    await expect(stepAt(3).getByTestId('operator-output-meta')).toContainText('exit code 0');
    expect(existsSync(join(dir, 'release'))).toBe(true);
    expect(model.scriptedRequests()).toHaveLength(3);
    await expect(detail.getByRole('button', { name: /^Resume/ })).toBeVisible();
    await page.keyboard.press('p');
    await expect(detail).toHaveAttribute('data-status', 'finished');
    await expect(detail.getByTestId('operator-summary')).toContainText('Release dir made.');
    await expect(steps).toHaveCount(4);
    await expect(stepAt(3)).toHaveAttribute('data-state', 'allowed');
    await expect(stepAt(3)).toContainText('Held for approval, allowed by');
    await expect(stepAt(4).getByTestId('operator-output-meta')).toContainText('exit code 0');
    await expect(detail.getByTestId('limit-steps')).toContainText('5 of 8');
    await expect(detail.getByTestId('operator-sent-notes')).toContainText('Check the disk first.');
    expect(existsSync(join(dir, 'release', 'done.txt'))).toBe(true);
    expect(existsSync(join(dir, 'denied-marker'))).toBe(false);
    await screenshot(page, 'operator.png', 1100);
    const runId = await page.getByTestId('operator-run').first().getAttribute('data-id');

    // Settings lists the host, pinned, and the provider, with the commands that change them.
    await page.keyboard.press('g');
    await page.keyboard.press(',');
    const sshHost = page.locator('[data-testid="ssh-host"][data-name="staging"]');
    await expect(sshHost).toContainText(`${sshd.user}@127.0.0.1:${sshd.port}`);
    await expect(sshHost).toContainText(sshd.hostKeyFingerprint);
    await expect(page.getByTestId('operator-providers')).toContainText(model.url);
    await page.getByRole('heading', { name: 'SSH hosts' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'operator-settings.png', 1000);

    // The run is a session whose recording replays: its transcript, step by step, on the
    // Sessions screen's Replay tab, played to its end.
    await page.keyboard.press('g');
    await page.keyboard.press('s');
    await page.locator(`[data-testid="session-row"][data-id="${runId}"] button`).click();
    await expect(page.getByTestId('session-detail')).toContainText(runId ?? 'no run');
    await page.keyboard.press('y');
    const replay = page.getByTestId('replay');
    const screen = replay.getByTestId('replay-terminal').locator('.xterm-rows');
    await replay.getByTestId('replay-scrubber').focus();
    await page.keyboard.press('End');
    await expect(screen).toContainText('# step 4: Leave the done file.');
    await expect(screen).toContainText(`$ touch ${dir}/release/done.txt`);
    await expect(screen).toContainText('[NOT RUN: denied by Ssh(staging:tee:*)');
    await expect(screen).toContainText('[allowed by ');
    await expect(screen).toContainText('# finished: Release dir made.');
    await expect(replay.getByTestId('replay-marker')).not.toHaveCount(0);
    await screenshot(page, 'operator-replay.png', 900);
  } finally {
    await world.stop();
  }
});

test('taking over the host while a command is held: a shell in the run, recorded, handed back with Ctrl-]', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const world = await startWorld();
  const { dir, sshd, host } = world;
  try {
    ok(host, ['ssh', 'test', 'staging', '--yes-pin-fingerprint', sshd.hostKeyFingerprint]);
    await page.goto(host.url);
    await expect(page.locator('html[data-ready="true"]')).toHaveCount(1);
    await page.keyboard.press('g');
    await page.keyboard.press('o');
    await page.keyboard.press('n');
    await page.keyboard.type(GOAL);
    await page.getByTestId('operator-form').getByRole('button', { name: 'Start run' }).click();
    const detail = page.getByTestId('operator-detail');
    await expect(detail).toHaveAttribute('data-status', 'waiting');

    // t takes the host over: a shell there, the run held, the keys going to the shell.
    await page.keyboard.press('t');
    const panel = detail.getByTestId('operator-takeover');
    await expect(panel).toContainText('has the terminal on staging');
    await expect(page.getByTestId('operator-run').first()).toContainText('has the terminal');
    await expect(detail.getByRole('button', { name: /^(Pause|Resume)/ })).toBeDisabled();
    await expect(detail.getByRole('button', { name: /^Take over/ })).toBeDisabled();
    const terminal = panel.getByTestId('terminal');
    await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
    await page.keyboard.type(`echo typed-$((6*7)) | tee ${dir}/typed.txt`);
    await page.keyboard.press('Enter');
    await expect(terminal.locator('.xterm-rows')).toContainText('typed-42');
    expect(existsSync(join(dir, 'typed.txt'))).toBe(true);
    await screenshot(page, 'operator-takeover.png', 900);

    // Ctrl-] hands it back: the panel goes, the run waits on the inbox again.
    await page.keyboard.press('Control+BracketRight');
    await expect(panel).toHaveCount(0);
    await expect(detail).toHaveAttribute('data-status', 'waiting');
    await expect(detail.getByRole('button', { name: /^Take over/ })).toBeEnabled();

    // Stopped, the run's recording holds the person's keys and the take-over in its transcript.
    const id = (await page.getByTestId('operator-run').first().getAttribute('data-id')) ?? '';
    await page.keyboard.press('x');
    await detail.getByTestId('operator-confirm-stop').getByRole('button', { name: 'Stop' }).click();
    await expect(detail).toHaveAttribute('data-status', 'stopped');
    // The recording closes just after the run's end is shown.
    await expect
      .poll(() => ok(host, ['session', 'export', id, '--cast']))
      .toContain('terminal handed back by');
    const cast = ok(host, ['session', 'export', id, '--cast']);
    expect(castText(cast, 'i')).toContain('echo typed-$((6*7))');
    expect(cast).toContain('took over the terminal on staging');
    expect(cast).toContain('terminal handed back by');
  } finally {
    await world.stop();
  }
});

/** The host, the SSH server, the scripted model and the secret service, configured (not pinned). */
async function startWorld(firstThought?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-e2e-operator-'));
  writeFileSync(join(dir, 'notes.txt'), 'release notes: ship it\n');
  const service = await startSecretService();
  const sshd = await startSshd();
  const model = await startAnthropicServer({
    // A first thought may hide a right-to-left override, as a hostile model might.
    turns: releaseScript(dir, firstThought),
    scriptBy: 'request',
    answerModel: MODEL,
  });
  const host = await startHost(undefined, { DBUS_SESSION_BUS_ADDRESS: service.address });
  configure(host, sshd, model);
  return {
    dir,
    sshd,
    model,
    host,
    async stop() {
      await host.stop();
      rmSync(host.home, { recursive: true, force: true });
      await model.close();
      await sshd.stop();
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
