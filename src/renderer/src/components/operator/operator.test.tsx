/**
 * The Operator screen's parts rendered to HTML in Node: what the model and the host wrote arrives
 * escaped and whole, each decision says who made it, a held step links to its inbox request, and
 * the limits and status read right. Keys, focus and following the newest step need a browser and
 * are left to the end-to-end test.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { OperatorRunView } from '../../../../shared/operator';
import { textOf } from '../../test-support';
import { ALLOWED_BY_RULE, operatorRun, operatorStep } from './fixtures';

vi.mock('../../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: { operator: {}, on: () => () => undefined },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const { StepTimeline } = await import('./StepTimeline');
const { RunDetail } = await import('./RunDetail');

function view(overrides: Partial<OperatorRunView> = {}): OperatorRunView {
  return { ...operatorRun(), steps: [], ...overrides };
}

describe('the steps', () => {
  it('shows the command, the thought and the output escaped, never as the terminal would', () => {
    const hostile = view({
      steps: [
        operatorStep(1, {
          thought: 'Harmless.\u202e',
          command: 'echo ok\r\u001b[2Krm -rf /',
          decision: ALLOWED_BY_RULE,
          output: {
            exitCode: 0,
            signal: null,
            truncated: true,
            durationMs: 12.4,
            excerpt: 'line\r\n\u001b[31mred',
            blob: null,
          },
        }),
      ],
    });
    const text = textOf(renderToStaticMarkup(<StepTimeline run={hostile} />));
    expect(text).toContain('Harmless.<U+202E>');
    expect(text).toContain('echo ok\\r\\x1b[2Krm -rf /');
    expect(text).toContain('line\r\n\\x1b[31mred');
    expect(text).toContain('exit code 0 · 12 ms');
    expect(text).toContain('truncated');
    // The reason that only names the rule again is not repeated.
    expect(text).toContain('allowed by rule Ssh(staging:ls:*)');
    expect(text).not.toContain('rule: Ssh');
  });

  it('says who decided: a rule that denied, a person in the inbox (linked), the expiry', () => {
    const decided = view({
      status: 'finished',
      steps: [
        operatorStep(1, {
          decision: {
            allow: false,
            reason: 'denied by Ssh(staging:tee:*) (your policy)',
            actor: 'policy',
            actorId: 'Ssh(staging:tee:*)',
            approvalId: null,
          },
          durationMs: 0,
        }),
        operatorStep(2, {
          decision: { ...ALLOWED_BY_RULE, actor: 'person', actorId: 'ada', approvalId: 'apr_1' },
        }),
        operatorStep(3, {
          decision: { ...ALLOWED_BY_RULE, allow: false, actor: 'system', approvalId: 'apr_2' },
        }),
      ],
    });
    const html = renderToStaticMarkup(<StepTimeline run={decided} />);
    const text = textOf(html);
    expect(text).toContain('denied by rule Ssh(staging:tee:*) · denied by Ssh(staging:tee:*)');
    expect(text).toContain('Held for approval, allowed by ada');
    expect(text).toContain('Held for approval, denied by Paddock (no answer in time)');
    expect(html.match(/data-testid="operator-inbox-link"/g)).toHaveLength(2);
    expect(html).toContain('data-state="denied"');
    // A run that ended does not pretend an allowed step is still running.
    expect(text).toContain('No output recorded.');
  });

  it('shows the last step waiting on the inbox, with a link to the request', () => {
    const waiting = view({
      status: 'waiting',
      waitingOn: 'apr_3',
      steps: [operatorStep(1, { decision: ALLOWED_BY_RULE }), operatorStep(2)],
    });
    const html = renderToStaticMarkup(<StepTimeline run={waiting} />);
    expect(html).toContain('data-state="waiting"');
    expect(textOf(html)).toContain('Held for approval: waiting for you in the Inbox');
    expect(textOf(html)).toContain('Running on the host…');
  });
});

describe('the run', () => {
  it('shows its status in words, why it ended, the summary and its limits', () => {
    const ended = view({
      status: 'step-limit',
      reason: 'it used its 10 steps',
      summary: 'Half done.\u001b[0m',
      turns: 10,
      endedAt: '2026-01-01T10:03:00.000Z',
    });
    const text = textOf(renderToStaticMarkup(<RunDetail run={ended} />));
    expect(text).toContain('step limit reached on staging');
    expect(text).toContain('it used its 10 steps');
    expect(text).toContain('Half done.\\x1b[0m');
    expect(text).toContain('10 of 10');
    expect(text).toContain('3 min of 30 min');
    // An ended run has no actions and no note box.
    expect(text).not.toContain('Pause');
    expect(text).not.toContain('Send a note');
  });

  it('offers pause, stop and the note box while it runs', () => {
    const html = renderToStaticMarkup(<RunDetail run={view({ status: 'paused' })} />);
    expect(textOf(html)).toContain('Resume');
    expect(textOf(html)).toContain('Stop');
    expect(html).toContain('aria-label="Send a note to the model"');
  });
});

describe('taking over the host', () => {
  it('offers to take over a live run, and shows the terminal with hand back while it is taken', () => {
    const running = textOf(renderToStaticMarkup(<RunDetail run={view()} />));
    expect(running).toContain('Take over');
    expect(running).not.toContain('Hand back');

    const html = renderToStaticMarkup(
      <RunDetail run={view({ status: 'paused', takenOverBy: 'ada' })} />,
    );
    const taken = textOf(html);
    expect(taken).toContain('ada has the terminal on staging');
    expect(html).toMatch(/data-status="paused" data-taken-over="true">ada has the terminal</);
    expect(taken).toContain('Hand back');
    expect(html).toContain('data-testid="terminal"');
    expect(html).toContain('aria-label="Terminal on staging: keys go to the host&#x27;s shell"');
    // The run cannot be resumed, nor taken twice, until the terminal is handed back.
    expect(html).toMatch(
      /<button type="button" class="button" disabled="" title="Hand the terminal back first">Resume/,
    );
    expect(html).toMatch(/disabled="" title="A login shell on staging[^"]*">Take over/);

    const ended = textOf(
      renderToStaticMarkup(<RunDetail run={view({ status: 'stopped', takenOverBy: null })} />),
    );
    expect(ended).not.toContain('Take over');
  });
});
