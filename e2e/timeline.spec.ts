/**
 * A session's timeline end to end: a real host, a kept one-shot session (`paddock exec --keep`)
 * that prints a marker and a token the recorder masks, then the gates run by the CLI (a command
 * gate from the person's policy among them). The timeline shows the task, the session's states,
 * the output, the redaction and the gates in order, each named in words; an output entry opens to
 * what was printed; j/k move through it. From the Audit screen a search for the marker (narrowed
 * to output by the kind filter) leads back into the timeline at that event.
 */
import { rmSync } from 'node:fs';
import type { Page } from '@playwright/test';
import {
  expect,
  keptSession,
  openSessionTab,
  screenshot,
  tempRepository,
  test,
  type Host,
} from './support';

const POLICY = [
  'version: 1',
  'gates:',
  '  tests:',
  '    - name: value check',
  '      run: cat value.txt',
  '',
].join('\n');
/** Printed by the session as `quagga42`: the command line holds `quagga%s` and `42` apart, so only the output matches. */
const MARKER = 'quagga42';
const SCRIPT = [
  "printf 'quagga%s\\n' 42",
  // The recorder masks what looks like a GitHub token: a `redaction.applied` event.
  "printf 'token ghp_%s\\n' abcdefghijklmnopqrstuvwxyz0123456789",
  'echo better > value.txt',
].join('; ');

/** A kept session that ran SCRIPT, with one gate run on it: its id. */
function seededSession(host: Host, repo: string): string {
  expect(host.cli(['settings', 'set', 'policy.personal', POLICY]).stderr).toBe('');
  const { sessionId } = keptSession(host, repo, SCRIPT);
  const gates = host.cli(['gates', 'run', sessionId]);
  expect(gates.stderr).toBe('');
  return sessionId;
}

async function openTimeline(page: Page, host: Host, id: string) {
  await openSessionTab(page, host, id, 'l');
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toHaveAttribute('data-loaded', 'true');
  return timeline;
}

const entryOf = (page: Page, kind: string) =>
  page.locator(`[data-testid="timeline-entry"][data-kind="${kind}"]`);

test('a session’s timeline: every kind in order, in words, opened to its output, and reached from a search', async ({
  page,
  host,
}) => {
  test.setTimeout(60_000);
  const repo = tempRepository('paddock-e2e-timeline-', { 'value.txt': 'good\n' });
  try {
    const sessionId = seededSession(host, repo);
    const timeline = await openTimeline(page, host, sessionId);

    // In order, as recorded: the task first, the gates' verdict last of these.
    const kinds = await timeline
      .locator('[data-testid="timeline-entry"]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-kind')));
    const order = [
      'session.created',
      'session.running',
      'terminal.started',
      'terminal.output',
      'session.exited',
      'workspace.snapshot',
      'gates.run.started',
      'session.exec',
      'gates.run.finished',
    ].map((kind) => kinds.indexOf(kind));
    expect(
      order.every((at) => at !== -1),
      `kinds shown: ${kinds.join(', ')}`,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(kinds).toContain('redaction.applied');

    // Each named in words, with who acted.
    const task = entryOf(page, 'session.created');
    await expect(task.locator('.tl-category')).toHaveText('◆Task');
    await expect(task).toContainText('Task: “sh -c');
    await expect(entryOf(page, 'redaction.applied')).toContainText('Redaction');
    await expect(entryOf(page, 'redaction.applied')).toContainText('Secret masked in the output');
    // The secrets gate counts what the recorder masked: the token fails it.
    await expect(entryOf(page, 'gates.run.finished')).toContainText(
      'Gates failed · 3 gates · not passed: secrets',
    );
    await expect(entryOf(page, 'gates.run.finished').locator('.tl-category')).toHaveText('▣Gate');
    await expect(entryOf(page, 'session.exec')).toContainText('$ sh -c');
    await expect(entryOf(page, 'session.exec')).toContainText('exit 0');
    // Paddock observed all of this: nothing is marked as the agent's report.
    await expect(timeline.locator('[data-reported="true"]')).toHaveCount(0);

    // The output opens to what was printed, the token masked.
    const output = entryOf(page, 'terminal.output').first();
    await output.locator('.tl-line').click();
    const printed = output.getByTestId('timeline-output');
    await expect(printed).toContainText(MARKER);
    await expect(printed).not.toContainText('abcdefghijklmnopqrstuvwxyz0123456789');
    await expect(output.getByTestId('timeline-detail')).toContainText('terminal.output');

    // The gate's command opens to its own output.
    const gateCommand = entryOf(page, 'session.exec');
    await gateCommand.locator('.tl-line').click();
    await expect(gateCommand.getByTestId('timeline-output')).toContainText('better');

    // j/k move the selection (and focus) through the entries, not through the sessions.
    await task.locator('.tl-line').focus();
    await page.keyboard.press('j');
    await expect(timeline.locator('.tl-entry.is-selected')).toHaveAttribute(
      'data-kind',
      'session.running',
    );
    await page.keyboard.press('k');
    await expect(timeline.locator('.tl-entry.is-selected')).toHaveAttribute(
      'data-kind',
      'session.created',
    );
    await expect(task.locator('.tl-line')).toBeFocused();

    // Tall enough for every entry, the opened ones too.
    await screenshot(page, 'timeline.png', 1150);

    // From the Audit screen: the marker, narrowed to output, then into the timeline at it.
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await page.keyboard.press('/');
    await page.keyboard.type(MARKER);
    await page.keyboard.press('Tab'); // out of the box (the words stay), onto the Filters button
    await page.keyboard.press('f');
    const filters = page.getByTestId('audit-filters');
    await expect(filters.getByLabel('Project')).toBeFocused();
    await filters.getByLabel('Kind').selectOption({ label: 'Output' });
    const hits = page.getByTestId('audit-row');
    await expect(hits).toHaveCount(1);
    await expect(hits.first()).toHaveAttribute('data-kind', 'terminal.output');
    const seq = await hits.first().getAttribute('data-seq');
    await screenshot(page, 'timeline-search.png', 1150);
    await hits.first().getByTestId('audit-open-timeline').click();

    await expect(page.getByTestId('session-detail')).toContainText(sessionId);
    const selected = page.locator('[data-testid="timeline"] .tl-entry.is-selected');
    await expect(selected).toHaveAttribute('data-kind', 'terminal.output');
    // The run of chunks holding the hit starts at or before it.
    expect(Number(await selected.getAttribute('data-seq'))).toBeLessThanOrEqual(Number(seq));
    await expect(selected.locator('.tl-line')).toBeFocused();

    // It is open at what matched; "Play from here" hands the moment to the replay and shows it.
    await expect(selected.getByTestId('timeline-output')).toContainText(MARKER);
    await selected.getByTestId('timeline-play').click();
    await expect(
      page.getByRole('group', { name: 'Show' }).getByRole('button', { name: 'Replay' }),
    ).toHaveAttribute('aria-pressed', 'true');
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});
