/** The scrubber's marks from audit events, and where they fall in the recording. */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../shared/audit';
import { proxyEvent } from '../../test-support';
import { markersOf, recordingStart, secondsInto } from './markers';

const START = '2026-01-01T10:00:00.000Z';

function event(seq: number, kind: string, secondsIn: number, payload: JsonObject = {}) {
  const ts = new Date(Date.parse(START) + secondsIn * 1000).toISOString();
  return { ...proxyEvent(seq, kind, payload), ts, actorId: 'ada' };
}

describe('markers', () => {
  const events = [
    event(1, 'session.created', -1),
    event(2, 'terminal.started', 0),
    event(3, 'terminal.output', 1),
    event(4, 'agent.reported.prompt', 2.5, { detail: 'fix the flaky test' }),
    event(5, 'policy.decided', 4, { subject: 'Bash(npm test)', decision: 'ask' }),
    event(6, 'approval.requested', 4.01, { subject: 'Bash(npm test)', risk: 'medium' }),
    event(7, 'approval.decided', 30, { allow: true, scope: 'once' }),
    event(8, 'session.exec', 70, { argv: ['npm', 'test'], exitCode: 1, durationMs: 10_000 }),
    event(9, 'session.message.delivered', 80, { text: 'try again' }),
    event(10, 'agent.reported.tool-used', 81, { detail: 'Bash' }),
  ];

  it('counts from terminal.started', () => {
    expect(recordingStart(events)).toBe(START);
    expect(secondsInto(START, '2026-01-01T10:01:00.500Z')).toBe(60.5);
  });

  it('marks prompts, approvals and commands with a title each, in time order', () => {
    expect(
      markersOf(events, START).map(({ kind, seconds, title }) => [kind, seconds, title]),
    ).toEqual([
      ['prompt', 2.5, 'Prompt (as the agent reports it): fix the flaky test'],
      ['command', 4, 'Bash(npm test): ask by the policy'],
      ['approval', 4.01, 'Approval asked: Bash(npm test) (medium risk)'],
      ['approval', 30, 'Allowed by ada (once)'],
      // Written when it ended: marked where it began.
      ['command', 60, 'Ran npm test (exit 1)'],
      ['prompt', 80, 'Message typed in: try again'],
    ]);
  });

  it("marks an operator run's notes, proposed commands and refusals", () => {
    const run = [
      event(1, 'terminal.started', 0),
      event(2, 'operator.step.thought', 1, { step: 1, thought: 'Look.' }),
      event(3, 'operator.command.proposed', 1, { step: 1, host: 'staging', command: 'ls' }),
      event(4, 'operator.command.decided', 1, { step: 1, allow: true, reason: 'read-only' }),
      event(5, 'operator.note', 2, { text: 'the service is paddock-demo' }),
      event(6, 'operator.command.proposed', 3, { step: 2, host: 'staging', command: 'tee x' }),
      event(7, 'operator.command.decided', 3, {
        step: 2,
        allow: false,
        reason: 'denied by Ssh(staging:tee:*)',
      }),
      event(8, 'operator.takeover.started', 4),
      event(9, 'operator.takeover.ended', 9, { seconds: 5, takenBy: 'ada' }),
    ];
    expect(markersOf(run, START).map(({ kind, seconds, title }) => [kind, seconds, title])).toEqual(
      [
        ['command', 1, 'Step 1 on staging: ls'],
        ['prompt', 2, 'Note to the model from ada: the service is paddock-demo'],
        ['command', 3, 'Step 2 on staging: tee x'],
        ['command', 3, 'Step 2 not run (ada): denied by Ssh(staging:tee:*)'],
        ['prompt', 4, 'ada took over the terminal on the host'],
        ['prompt', 9, 'Handed back by ada after 5 s'],
      ],
    );
  });

  it('shows what an agent wrote that could hide or reorder text as escapes, cut to a line', () => {
    const hostile = event(4, 'agent.reported.prompt', 1, {
      detail: `rm -rf /\u202E\r\n\x1b[2J${'x'.repeat(300)}`,
    });
    const [marker] = markersOf([hostile], START);
    expect(marker?.title).toContain('rm -rf /<U+202E>\\r \\x1b[2J');
    expect(marker?.title.length).toBeLessThanOrEqual(200);
  });
});
