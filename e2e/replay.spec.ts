/**
 * The Replay tab end to end: a kept one-shot session (`paddock exec --keep`) prints three lines a
 * second apart; a gate run on it afterwards (`paddock gates run`) gives the scrubber a command
 * mark. The Replay tab (key y) plays the recording with Space, Home goes back to the start, a
 * click on the scrubber seeks between the second and third lines, the command mark seeks to the
 * end, and the timeline's "Play from here" on the first output brings the replay back there.
 */
import { rmSync } from 'node:fs';
import { expect, keptSession, openSessionTab, screenshot, tempRepository, test } from './support';

const POLICY = [
  'version: 1',
  'gates:',
  '  tests:',
  '    - name: echo',
  '      run: echo gate',
  '',
].join('\n');
const SCRIPT = [
  "printf '\\033[1;32mfirst line\\033[0m\\n'",
  'sleep 1',
  "printf 'second line\\n'",
  'sleep 1',
  "printf '\\033[33mthird line\\033[0m\\n'",
  // ~590 KB more: enough output for keyframes (one per 256 Ki), made by the page's index.
  'seq 1 100000',
  "printf 'last line\\n'",
].join('; ');

test('the Replay tab plays a recording, seeks with the scrubber and its marks', async ({
  page,
  host,
}) => {
  test.setTimeout(60_000);
  const repo = tempRepository('paddock-e2e-replay-', { 'README.md': '# replay\n' });
  try {
    expect(host.cli(['settings', 'set', 'policy.personal', POLICY]).stderr).toBe('');
    const { sessionId } = keptSession(host, repo, SCRIPT);
    const gates = host.cli(['gates', 'run', sessionId]);
    expect(gates.code, gates.stderr).not.toBeNull();

    await openSessionTab(page, host, sessionId, 'y');
    const replay = page.getByTestId('replay');
    const screen = replay.getByTestId('replay-terminal').locator('.xterm-rows');
    const time = replay.getByTestId('replay-time');
    await expect(time).toHaveText(/^0:00 \/ 0:0[2-4]$/);
    await expect(screen).not.toContainText('first line');

    // Space plays it to the end (focus off the session's row: Space would press that button).
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press(' ');
    await expect(screen).toContainText('first line');
    await expect(screen).toContainText('last line', { timeout: 8000 });
    await expect(replay.getByTestId('replay-play')).toContainText('Play');
    const played = await screen.innerText();

    // Home: back to the start; on the scrubber too, where the keys are the replay's.
    await page.keyboard.press('Home');
    await expect(screen).not.toContainText('first line');
    const scrubber = replay.getByTestId('replay-scrubber');
    await scrubber.focus();
    // Once indexed, End restores a keyframe and writes the rest: the screen playing drew.
    await expect(replay.getByTestId('replay-indexing')).toHaveCount(0);
    await expect(replay).toHaveAttribute('data-keyframes', /^[2-9]$/);
    await page.keyboard.press('End');
    await expect(screen).toContainText('last line');
    await expect(replay).toHaveAttribute('data-seek-from', 'keyframe');
    expect(await screen.innerText()).toBe(played);
    await page.keyboard.press('Home');
    await expect(time).toHaveText(/^0:00 /);
    await expect(screen).not.toContainText('first line');

    // A click three quarters along the scrubber: after the second line, before the third.
    const box = await scrubber.boundingBox();
    if (!box) throw new Error('no scrubber');
    await scrubber.click({ position: { x: box.width * 0.75, y: box.height / 2 } });
    await expect(screen).toContainText('second line');
    await expect(screen).not.toContainText('third line');
    await screenshot(page, 'replay.png', 800);

    // The gate's command, run after the recording ended, is marked at its end.
    const mark = replay.getByTestId('replay-marker').first();
    await expect(mark).toHaveAttribute('title', /Ran .*echo gate/);
    await mark.click({ force: true });
    await expect(screen).toContainText('last line');

    // "Play from here" on the timeline's first output: the Replay tab, at that moment.
    await page.keyboard.press('l');
    const output = page.locator('[data-testid="timeline"] .tl-entry[data-kind="terminal.output"]');
    await output.first().locator('.tl-line').click();
    await output.first().getByTestId('timeline-play').click();
    await expect(screen).toContainText('first line');
    await expect(screen).not.toContainText('second line');
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});
