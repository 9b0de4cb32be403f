/**
 * The timeline's reading of audit events: the category of every kind Paddock records, what one
 * line says, the agent's reports marked apart from what Paddock observed, and runs of terminal
 * chunks collapsed into one entry.
 */
import { describe, expect, it } from 'vitest';
import type { Actor, AuditEvent, JsonObject } from '../../../../shared/audit';
import {
  appendEntries,
  categoryOf,
  describeEntry,
  describeEvent,
  entryIndexOf,
  formatOffset,
  isReportedByAgent,
  recordingMsOf,
  type Category,
} from './entries';

const START = Date.parse('2026-01-01T10:00:00.000Z');

function event(
  seq: number,
  kind: string,
  payload: JsonObject = {},
  actor: Actor = 'system',
  actorId = 'sessions',
): AuditEvent {
  return {
    seq,
    id: `s-${seq}`,
    ts: new Date(START + seq * 1000).toISOString(),
    sessionId: 'ses_1234abcd',
    kind,
    actor,
    actorId,
    payload,
    blobs:
      kind === 'terminal.output' || kind === 'session.exec' ? [`${seq}`.padStart(64, 'a')] : [],
    prevHash: '',
    sessionPrevHash: '',
    hash: '',
  };
}

const chunk = (seq: number, bytes: number, startMs = seq * 10, kind = 'terminal.output') =>
  event(
    seq,
    kind,
    { bytes, startMs, endMs: startMs + 5, offset: 0, frames: [] },
    'system',
    'recorder',
  );

describe('categoryOf', () => {
  const expected: Array<[string, Category]> = [
    ['session.created', 'task'],
    ['agent.reported.prompt', 'prompt'],
    ['session.message.queued', 'prompt'],
    ['session.message.delivered', 'prompt'],
    ['hook.user-prompt-submit', 'prompt'],
    ['agent.reported.tool-used', 'command'],
    ['hook.post-tool-use', 'command'],
    ['session.exec', 'command'],
    ['workspace.setup.started', 'command'],
    ['workspace.setup.finished', 'command'],
    ['workspace.snapshot', 'file'],
    ['workspace.copied', 'file'],
    ['network.connection', 'network'],
    ['network.request', 'network'],
    ['network.package', 'network'],
    ['broker.call', 'network'],
    ['broker.exfiltration', 'network'],
    ['policy.decided', 'approval'],
    ['approval.requested', 'approval'],
    ['approval.decided', 'approval'],
    ['approval.expired', 'approval'],
    ['redaction.applied', 'redaction'],
    ['gates.run.started', 'gate'],
    ['gates.run.finished', 'gate'],
    ['review.statement', 'signoff'],
    ['review.rejected', 'signoff'],
    ['review.sent-back', 'signoff'],
    ['review.bundle.exported', 'signoff'],
    ['review.bundle.imported', 'signoff'],
    ['session.promoted', 'promotion'],
    ['terminal.output', 'output'],
    ['terminal.input', 'input'],
    ['terminal.started', 'session'],
    ['terminal.resize', 'session'],
    ['terminal.closed', 'session'],
    ['session.running', 'session'],
    ['session.waiting', 'session'],
    ['session.exited', 'session'],
    ['sandbox.started', 'session'],
    ['sandbox.breach', 'session'],
    ['cost.usage', 'cost'],
    ['cost.budget.warning', 'cost'],
    ['blob.dropped', 'dropped'],
    ['audit.pruned', 'dropped'],
    ['operator.started', 'task'],
    ['operator.step.thought', 'thought'],
    ['operator.reply.invalid', 'thought'],
    ['operator.command.proposed', 'command'],
    ['operator.command.decided', 'decision'],
    ['operator.command.output', 'output'],
    ['operator.model.called', 'network'],
    ['operator.note', 'prompt'],
    ['operator.paused', 'session'],
    ['operator.takeover.started', 'session'],
    ['operator.finished', 'session'],
    ['doctor.ran', 'other'],
    ['something.new', 'other'],
  ];
  it.each(expected)('%s is %s', (kind, category) => {
    expect(categoryOf(kind)).toBe(category);
  });
});

describe('operator steps', () => {
  it('say what the model proposed, who decided, and what the host printed', () => {
    const lines = [
      event(
        1,
        'operator.step.thought',
        { step: 2, thought: 'Check the\nservice.' },
        'agent',
        'operator:m',
      ),
      event(
        2,
        'operator.command.proposed',
        { step: 2, host: 'staging', command: 'systemctl status app' },
        'agent',
        'operator:m',
      ),
      event(
        3,
        'operator.command.decided',
        { step: 2, allow: false, reason: 'denied by Ssh(staging:rm:*)' },
        'policy',
        'Ssh(staging:rm:*)',
      ),
      event(
        4,
        'operator.command.output',
        { step: 2, exitCode: 3, durationMs: 12, outputBytes: 2048, truncated: false },
        'system',
        'ssh:staging',
      ),
    ].map(describeEvent);
    expect(lines).toEqual([
      'Step 2: “Check the service.”',
      'Step 2 on staging: $ systemctl status app',
      'Step 2: not run by policy Ssh(staging:rm:*) · “denied by Ssh(staging:rm:*)”',
      expect.stringMatching(/^Step 2 output: 2(\.0)? KiB · exit 3 · /),
    ]);
    const takeover = [
      event(5, 'operator.takeover.started', {}, 'person', 'ada'),
      event(6, 'operator.takeover.ended', { seconds: 42, takenBy: 'ada' }, 'person', 'ada'),
    ].map(describeEvent);
    expect(takeover).toEqual([
      'Took over the host’s terminal (the run holds)',
      'Handed the host’s terminal back after 42 s (the run goes on)',
    ]);
    // The model's thought and proposal are its own report; the decision and output Paddock's.
    expect(isReportedByAgent(event(1, 'operator.step.thought', {}, 'agent', 'operator:m'))).toBe(
      true,
    );
    expect(
      isReportedByAgent(event(4, 'operator.command.output', {}, 'system', 'ssh:staging')),
    ).toBe(false);
  });
});

describe('isReportedByAgent', () => {
  it('marks what the agent reported, never what Paddock observed', () => {
    const prompt = event(1, 'agent.reported.prompt', { detail: 'fix it' }, 'agent', 'claude');
    expect(isReportedByAgent(prompt)).toBe(true);
    expect(isReportedByAgent(event(2, 'hook.post-tool-use', {}, 'agent', 'claude'))).toBe(true);
    expect(isReportedByAgent(event(3, 'x', { reportedByAgent: true }))).toBe(true);
    expect(isReportedByAgent(event(4, 'session.exec', {}, 'person', 'ada'))).toBe(false);
    expect(isReportedByAgent(event(5, 'policy.decided', {}, 'policy', 'policy'))).toBe(false);
    expect(isReportedByAgent(event(6, 'terminal.output', {}, 'system', 'recorder'))).toBe(false);
  });

  it('carries the mark into the entry', () => {
    const [reported, observed] = appendEntries(
      [],
      [
        event(1, 'agent.reported.tool-used', { detail: 'Bash' }, 'agent', 'claude'),
        event(2, 'session.exec', { argv: ['ls'], exitCode: 0 }, 'person', 'ada'),
      ],
    );
    expect(reported?.reported).toBe(true);
    expect(observed?.reported).toBe(false);
  });
});

describe('describeEvent', () => {
  it('says who decided an approval and how long it waited', () => {
    const decided = event(
      9,
      'approval.decided',
      { id: 'apr_1', allow: true, scope: 'session', reason: 'fine', waitedMs: 12_000 },
      'person',
      'ada',
    );
    expect(describeEvent(decided)).toBe('Allowed (session) by person ada · after 12 s · “fine”');
    const expired = event(10, 'approval.expired', { allow: false, waitedMs: 600_000 });
    expect(describeEvent(expired)).toContain('Expired, denied by system sessions · after 10 min');
  });

  it('gives a command with its exit code and time', () => {
    const exec = event(3, 'session.exec', {
      argv: ['sh', '-c', 'echo hi'],
      exitCode: 2,
      durationMs: 1500,
    });
    expect(describeEvent(exec)).toBe("$ sh -c 'echo hi' · exit 2 · 1.5 s");
  });

  it('quotes the task and prompts on one line', () => {
    expect(
      describeEvent(event(1, 'session.created', { task: 'fix\nthe test', agentPreset: 'claude' })),
    ).toBe('Task: “fix the test” · claude');
    const prompt = event(2, 'agent.reported.prompt', { detail: 'go on' }, 'agent', 'claude');
    expect(describeEvent(prompt)).toBe('Prompt: “go on”');
  });

  it('keeps invisible characters (to be escaped), folding only line breaks and spaces', () => {
    const prompt = event(2, 'agent.reported.prompt', { detail: 'a\u202Eb\u200Bc' }, 'agent', 'x');
    expect(describeEvent(prompt)).toContain('a\u202Eb\u200Bc');
  });

  it('says which content a tombstone dropped and when it was from', () => {
    const tombstone = event(40, 'blob.dropped', {
      hash: 'f'.repeat(64),
      reason: 'retention: older than 30 days',
      bytes: 65_536,
      events: [12, 13],
      before: '2026-01-31T00:00:00.000Z',
    });
    expect(describeEvent(tombstone)).toBe(
      'Content dropped: 64 KiB · named by events #12, #13 · retention: older than 30 days · older than 2026-01-31T00:00:00.000Z',
    );
  });

  it('describes gates, sign-offs, promotion, network and redactions in words', () => {
    expect(
      describeEvent(
        event(1, 'gates.run.finished', {
          verdict: 'fail',
          results: [
            { name: 'tests', status: 'failed' },
            { name: 'secrets', status: 'passed' },
          ],
        }),
      ),
    ).toBe('Gates failed · 2 gates · not passed: tests');
    expect(
      describeEvent(event(2, 'review.statement', { decision: 'approve', signer: 'Grace' })),
    ).toBe('Signed: approve by Grace');
    expect(
      describeEvent(event(3, 'session.promoted', { targetBranch: 'main', mode: 'squash' })),
    ).toBe('Promoted to main · squash');
    expect(
      describeEvent(
        event(4, 'network.connection', {
          host: 'evil.example',
          port: 443,
          decision: 'denied',
          rule: 'no rule',
        }),
      ),
    ).toBe('evil.example:443 · refused · “no rule”');
    expect(
      describeEvent(event(5, 'redaction.applied', { stream: 'output', ruleId: 'github-token' })),
    ).toBe('Secret masked in the output · rule github-token');
    expect(describeEvent(event(6, 'session.waiting', { from: 'running', reason: 'asks' }))).toBe(
      'Session waiting · asks · was running',
    );
  });

  it('falls back to the payload’s plain fields for kinds it does not know', () => {
    expect(describeEvent(event(1, 'doctor.ran', { ok: true, checks: 7, nested: { a: 1 } }))).toBe(
      'doctor.ran · ok=true checks=7',
    );
  });
});

describe('appendEntries', () => {
  it('collapses consecutive output chunks into one entry with their total bytes', () => {
    const entries = appendEntries(
      [],
      [
        event(1, 'session.created', { task: 't' }),
        chunk(2, 100),
        chunk(3, 50),
        chunk(4, 10),
        event(5, 'redaction.applied', { stream: 'output' }),
        chunk(6, 7),
        chunk(7, 3, 70, 'terminal.input'),
      ],
    );
    expect(entries.map((entry) => [entry.key, entry.category])).toEqual([
      [1, 'task'],
      [2, 'output'],
      [5, 'redaction'],
      [6, 'output'],
      [7, 'input'],
    ]);
    const run = entries[1]?.run;
    expect(run?.chunks.map((c) => c.seq)).toEqual([2, 3, 4]);
    expect(run?.bytes).toBe(160);
    expect(run?.lastSeq).toBe(4);
    expect(describeEntry(entries[1] as (typeof entries)[number])).toBe(
      'Output: 160 B · 3 chunks · over 25 ms',
    );
  });

  it('grows a run across pages without changing the entries already handed out', () => {
    const first = appendEntries([], [chunk(1, 10), chunk(2, 10)]);
    const firstRun = first[0]?.run;
    const second = appendEntries(first, [chunk(3, 10), chunk(4, 10)]);
    expect(second).toHaveLength(1);
    expect(second[0]?.run?.chunks).toHaveLength(4);
    expect(second[0]?.run?.bytes).toBe(40);
    // The first page's entry is untouched: a memoised row showing it still shows what it had.
    expect(firstRun?.chunks).toHaveLength(2);
    expect(firstRun?.bytes).toBe(20);
  });

  it('skips events it already holds (a page and the live stream overlap)', () => {
    const first = appendEntries([], [event(1, 'a.b'), chunk(2, 10), chunk(3, 10)]);
    const again = appendEntries(first, [chunk(2, 10), chunk(3, 10), event(4, 'c.d')]);
    expect(again.map((entry) => entry.key)).toEqual([1, 2, 4]);
    expect(again[1]?.run?.chunks).toHaveLength(2);
  });

  it('stays linear for 100,000 chunks read a page at a time', () => {
    let entries = appendEntries([], []);
    const started = performance.now();
    for (let page = 0; page < 100; page++)
      entries = appendEntries(
        entries,
        Array.from({ length: 1000 }, (_, i) => chunk(page * 1000 + i + 1, 64)),
      );
    expect(entries).toHaveLength(1);
    expect(entries[0]?.run?.chunks).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('entryIndexOf', () => {
  const entries = appendEntries([], [event(1, 'a.b'), chunk(5, 1), chunk(6, 1), event(9, 'c.d')]);
  it('finds the entry holding a seq, including one inside a run', () => {
    expect(entryIndexOf(entries, 1)).toBe(0);
    expect(entryIndexOf(entries, 6)).toBe(1);
    expect(entryIndexOf(entries, 9)).toBe(2);
    expect(entryIndexOf(entries, 100)).toBe(2);
    expect(entryIndexOf(entries, 0)).toBe(-1);
  });
});

describe('recordingMsOf', () => {
  const entries = appendEntries(
    [],
    [
      event(1, 'session.created'),
      event(2, 'terminal.started', { cols: 80, rows: 24 }, 'system', 'recorder'),
      chunk(3, 10, 1234),
      event(8, 'approval.requested', { subject: 'Bash(ls)' }),
    ],
  );
  const recordings = [{ seq: 2, ts: new Date(START + 2000).toISOString() }];
  it('uses a chunk’s own time, else the time since the recording started', () => {
    expect(recordingMsOf(entries[0] as (typeof entries)[number], recordings)).toBeNull();
    expect(recordingMsOf(entries[2] as (typeof entries)[number], recordings)).toBe(1234);
    expect(recordingMsOf(entries[3] as (typeof entries)[number], recordings)).toBe(6000);
  });
});

describe('formatOffset', () => {
  it('is minutes and seconds, with hours once there are some', () => {
    expect(formatOffset(0)).toBe('+0:00');
    expect(formatOffset(62_000)).toBe('+1:02');
    expect(formatOffset(3_723_000)).toBe('+1:02:03');
  });
});
