/**
 * The Review view in Node (no DOM here, as for the other screens): the store against a mocked
 * contract (what each decision sends, that a failure keeps the form, that `review.changed` reads
 * the shown session again) and the view rendered to HTML from fixture states. Focus and the keys'
 * effect in a page are left to the end-to-end tests.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReviewState } from '../../../../shared/gates';
import { textOf } from '../../test-support';
import {
  BINDING,
  failingReview,
  GRACE_FINGERPRINT,
  gateRun,
  IDENTITY,
  LANDING_DIFF,
  passingReview,
  SESSION_ID,
  signoffStatus,
  staleReview,
  statement,
} from './fixtures';

const calls = vi.hoisted(() => ({
  gates: { run: vi.fn(), status: vi.fn() },
  review: {
    promote: vi.fn(),
    reject: vi.fn(),
    sendBack: vi.fn(),
    sign: vi.fn(),
    export: vi.fn(),
    import: vi.fn(),
  },
  identity: { show: vi.fn() },
  saveTextFile: vi.fn(),
  listeners: new Map<string, (payload: unknown) => void>(),
}));

// No DOM in these tests: the download itself is the browser's, what is saved is checked here.
vi.mock('../../download', () => ({ saveTextFile: calls.saveTextFile }));

vi.mock('../../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: {
      gates: calls.gates,
      review: calls.review,
      identity: calls.identity,
      on: (topic: string, listener: (payload: unknown) => void) => {
        calls.listeners.set(topic, listener);
        return () => calls.listeners.delete(topic);
      },
    },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const store = await import('../../store/review');
const { useReview, emptyReviews, reviewOf, availability, EMPTY_REVIEW, NO_IDENTITY } = store;
const { ReviewView } = await import('./ReviewPanel');
const { reviewKey, REVIEW_SHORTCUTS } = await import('./keys');
const { commandLine, formatMs, shortFingerprint } = await import('./format');
const { default: DiffReview } = await import('../diff/DiffReview');
const { diffFiles, protectedPatterns } = await import('../diff/diffModel');
const { escapeChar } = await import('../../escape-text');

/** The view for one session, as the store holds it now (or with `state` put in first). */
function render(state?: ReviewState, extra: Partial<typeof EMPTY_REVIEW> = {}): string {
  if (state) seed(state, extra);
  const store = useReview.getState();
  return renderToStaticMarkup(
    <ReviewView
      sessionId={SESSION_ID}
      review={reviewOf(store, SESSION_ID)}
      form={store.form}
      identity={store.identity}
      live={false}
    />,
  );
}

function seed(state: ReviewState, extra: Partial<typeof EMPTY_REVIEW> = {}) {
  useReview.setState({
    bySession: new Map([[SESSION_ID, { ...EMPTY_REVIEW, state, ...extra }]]),
  });
}

/** What the buttons would say now, for the session seeded. */
function whyNot() {
  const store = useReview.getState();
  return availability(reviewOf(store, SESSION_ID), store.identity);
}

/** The opening tag of the element with this test id. */
function tagOf(html: string, testId: string): string {
  const match = new RegExp(`<[^>]*data-testid="${testId}"[^>]*>`).exec(html);
  if (!match) throw new Error(`no element ${testId}`);
  return match[0];
}

const fakeEvent = () => ({ preventDefault: vi.fn() }) as unknown as KeyboardEvent;

beforeEach(() => {
  useReview.setState(emptyReviews());
  for (const group of [calls.gates, calls.review, calls.identity])
    for (const fn of Object.values(group)) fn.mockReset();
  calls.saveTextFile.mockReset();
  calls.gates.status.mockResolvedValue(passingReview());
  calls.identity.show.mockResolvedValue(IDENTITY);
});

describe('a passing run', () => {
  it('shows every gate with its status in words, action, command, duration and evidence', () => {
    const html = render(passingReview());
    const text = textOf(html);
    expect(text).toContain('The gates passed');
    expect(text).toContain('2 passed, 0 failed');
    expect(html.match(/data-testid="gate"/g)).toHaveLength(2);
    expect(html).toContain('gate-status--passed');
    expect(text).toContain('✓ passed');
    expect(text).toContain('unit tests');
    expect(text).toContain('action: block');
    expect(text).toContain('42 tests passed');
    expect(text).toContain('npm test · exit code 0');
    expect(text).toContain('4.2 s');
    expect(text).toContain('350 ms');
    expect(text).toContain('evidence: audit event #812');
    expect(text).not.toContain('stale');
  });

  it('offers Promote, says where it lands, and lists no blockers', () => {
    const html = render(passingReview());
    expect(tagOf(html, 'review-promote')).not.toContain('disabled');
    expect(html).not.toContain('data-testid="review-blockers"');
    expect(textOf(html)).toContain('Ready to land on main.');
    // Every action shows its key.
    for (const label of [
      'Run the gates again r',
      'Promote… p',
      'Send back… b',
      'Reject… x',
      'Sign off… s',
      'Export for review e',
    ])
      expect(textOf(html)).toContain(label);
  });
});

describe('a failing run', () => {
  it('shows failures and errors in colour and words, with findings and how commands ended', () => {
    const html = render(failingReview());
    const text = textOf(html);
    expect(text).toContain('The gates failed');
    expect(text).toContain('0 passed, 2 failed, 1 error');
    expect(html).toContain('gate-status--failed');
    expect(html).toContain('gate-status--error');
    expect(text).toContain('✗ failed');
    expect(text).toContain('error: it could not run');
    expect(text).toContain('action: warn');
    expect(text).toContain('src/app.test.ts:12 expected 2, got 3');
    expect(text).toContain('(in terminal recording) an AWS access key');
    expect(text).toContain("npm test -- --grep 'a b' · exit code 1");
    expect(text).toContain('npx eslint . · no exit code (killed)');
    expect(text).toContain('evidence: audit event #813');
  });

  it('keeps the output tail in an expandable block, open when the gate failed, escaped and whole', () => {
    const html = render(failingReview());
    expect(html).toMatch(
      /<details class="gate-output" open=""><summary>Output: the last 2 lines<\/summary><pre/,
    );
    const text = textOf(html);
    expect(text).toContain('FAIL src/app.test.ts\r\n\\x1b[31mexpected 2, got 3\\x1b[0m');
    // No raw ESC anywhere: the agent's colours cannot restyle the page.
    expect([...text].filter((char) => char !== '\r' && escapeChar(char) !== null)).toEqual([]);
  });
});

describe('blockers', () => {
  it('are listed beside a disabled Promote button, which points to them', () => {
    const html = render(failingReview());
    const promote = tagOf(html, 'review-promote');
    expect(promote).toContain('disabled');
    expect(promote).toContain('aria-describedby="review-blockers"');
    const text = textOf(html);
    expect(text).toContain('Cannot promote yet:');
    expect(text).toContain('the gate "unit tests" failed');
    expect(text).not.toContain('Ready to land');
  });

  it('keep p from opening the promote form', () => {
    seed(failingReview());
    expect(whyNot().promote).toMatch(/blocked/);
    reviewKey('p', SESSION_ID, fakeEvent());
    expect(useReview.getState().form).toBeNull();
    reviewKey('x', SESSION_ID, fakeEvent());
    expect(useReview.getState().form?.kind).toBe('reject');
  });
});

describe('a stale run', () => {
  it('says why in a banner and dims the gates', () => {
    const html = render(staleReview());
    expect(textOf(html)).toContain(
      'These results are stale: the work changed since the gates ran; main moved. Run the gates again.',
    );
    expect(tagOf(html, 'review-stale')).toContain('role="alert"');
    expect(tagOf(html, 'gate-run')).toContain('is-stale');
    expect(tagOf(html, 'gate-run')).toContain('data-stale="true"');
    // Nothing to sign off on until the gates have checked what would land now.
    expect(tagOf(html, 'review-signOff')).toContain('disabled');
  });
});

describe('protected paths', () => {
  const state = passingReview({
    protectedChanges: [{ path: '.github/workflows/ci.yml', pattern: '.github/**' }],
  });

  it('are listed in the review with the pattern that matched', () => {
    const text = textOf(render(state));
    expect(text).toContain('1 protected path changes');
    expect(text).toContain('.github/workflows/ci.yml matches .github/**');
  });

  it('are marked in the file list and on the file, with words for screen readers', () => {
    const html = renderToStaticMarkup(
      <DiffReview diff={LANDING_DIFF} protectedPaths={state.protectedChanges} />,
    );
    // Once in the list, once on the file's heading; the other file has none.
    expect(html.match(/data-testid="protected-mark"/g)).toHaveLength(2);
    expect(html).toContain('data-pattern=".github/**"');
    const text = textOf(html);
    // Both places say why in words (for screen readers; the tooltip for the eye).
    const why = 'protected: runs outside the sandbox later (matches .github/**)';
    expect(text.split(why)).toHaveLength(3);
    expect(html).toMatch(
      /class="diff-file is-protected"[^>]*data-path=".github\/workflows\/ci.yml"/,
    );
    expect(html).toMatch(/class="diff-file"[^>]*data-path="src\/app.ts"/);
  });

  it('count a rename by either name', () => {
    const files = diffFiles({
      baseCommit: 'a',
      files: [
        { path: 'ci-old.yml', oldPath: '.github/ci.yml', status: 'R', additions: 0, deletions: 0 },
      ],
      patch:
        'diff --git a/.github/ci.yml b/ci-old.yml\nsimilarity index 100%\nrename from .github/ci.yml\nrename to ci-old.yml\n',
    });
    const marks = protectedPatterns(files, [{ path: '.github/ci.yml', pattern: '.github/**' }]);
    expect([...marks.values()]).toEqual(['.github/**']);
  });
});

describe('what the state says about itself', () => {
  it('notes that the gates ran on the merge result', () => {
    const text = textOf(
      render(passingReview({ merged: true, lastRun: gateRun({ merged: true }) })),
    );
    expect(text).toContain('The target moved:');
    expect(text).toContain('the gates ran on the merge of the work with it');
  });

  it('shows a problem as an error, with what to do', () => {
    const html = render(
      passingReview({
        current: null,
        diff: null,
        problem: 'merging main into the work conflicts in src/app.ts',
        lastRun: null,
        blockers: ['what would land cannot be computed'],
      }),
    );
    expect(tagOf(html, 'review-problem')).toContain('role="alert"');
    const text = textOf(html);
    expect(text).toContain('Nothing can land as it is: merging main into the work conflicts');
    expect(text).toContain('Send it back to the agent b');
    expect(text).toContain('The gates have not run on this work yet.');
    expect(text).toContain('Sign-offs are checked against what would land: see above.');
    expect(tagOf(html, 'review-promote')).toContain('disabled');
    expect(tagOf(html, 'review-signOff')).toContain('disabled');
    expect(tagOf(html, 'review-export')).toContain('disabled');
  });

  it('shows a promotion: branch, before → after, mode, checkout', () => {
    const html = render(
      passingReview({
        promoted: {
          sessionId: SESSION_ID,
          targetBranch: 'main',
          mode: 'squash',
          before: '1111111aaaa',
          after: '2222222bbbb',
          binding: BINDING,
          checkoutUpdated: true,
          workspaceRemoved: false,
          at: '2026-01-01T11:00:00.000Z',
        },
      }),
    );
    const text = textOf(html);
    expect(text).toContain('Promoted to main (squashed into one commit): 1111111 → 2222222');
    expect(text).toContain('it was fast-forwarded');
    expect(text).toContain('workspace is kept');
    // Nothing left to decide, sign or send for review.
    expect(html).not.toContain('data-testid="review-promote"');
    expect(html).not.toContain('data-testid="signoffs"');
    expect(html).not.toContain('data-testid="review-remote"');
    expect(tagOf(html, 'review-reject')).toContain('disabled');
  });

  it('shows a rejection: reason, by, at', () => {
    const text = textOf(
      render(
        passingReview({
          rejected: { reason: 'wrong approach', by: 'ada', at: '2026-01-01T11:00:00.000Z' },
        }),
      ),
    );
    expect(text).toMatch(/Rejected by ada, .*: wrong approach/);
  });
});

describe('running the gates', () => {
  it('shows progress while the run goes on, then reads the new state', async () => {
    let finish: (value: unknown) => void = () => undefined;
    calls.gates.run.mockReturnValue(new Promise((resolve) => (finish = resolve)));
    seed(staleReview());
    const running = store.runGates(SESSION_ID);
    expect(reviewOf(useReview.getState(), SESSION_ID).running).toBe(true);
    const html = render();
    expect(html).toContain('data-testid="gates-running"');
    expect(html).toContain('<progress aria-label="Running the gates"');
    expect(tagOf(html, 'review-run')).toContain('disabled');
    finish(gateRun());
    await running;
    expect(calls.gates.run).toHaveBeenCalledWith({ id: SESSION_ID });
    const after = reviewOf(useReview.getState(), SESSION_ID);
    expect(after.running).toBe(false);
    expect(after.state).toEqual(passingReview());
  });

  it('says why a run failed, and what to do next', async () => {
    calls.gates.run.mockRejectedValue({ code: 'failed', message: 'the sandbox is not available' });
    seed(passingReview());
    expect(await store.runGates(SESSION_ID)).toBe(false);
    const text = textOf(render());
    expect(text).toContain('The gates could not run: the sandbox is not available');
    expect(text).toContain('run the gates again (r)');
  });
});

describe('the reject form', () => {
  it('opens with the reasons going to the agent, and sends {reason, sendBack}', async () => {
    calls.review.reject.mockResolvedValue({ rejected: true, sentBack: null });
    seed(failingReview());
    store.openForm('reject', SESSION_ID);
    // No identity read: the rejection is not signed unless asked for.
    expect(useReview.getState().form).toEqual({
      kind: 'reject',
      sessionId: SESSION_ID,
      reason: '',
      sendBack: true,
      sign: false,
    });
    const html = render();
    expect(html).toContain('data-testid="reject-form"');
    expect(html).toMatch(/<textarea id="reject-reason"/);
    expect(html).toMatch(/<input type="checkbox" checked=""/);
    expect(textOf(html)).toContain('Send the reasons to the agent');

    // Nothing to send without a reason.
    expect(await store.submitForm()).toBe(false);
    expect(calls.review.reject).not.toHaveBeenCalled();

    store.editForm('reject', { reason: '  the tests are not fixed  ', sendBack: false });
    expect(await store.submitForm()).toBe(true);
    expect(calls.review.reject).toHaveBeenCalledWith({
      id: SESSION_ID,
      reason: 'the tests are not fixed',
      sendBack: false,
    });
    expect(calls.review.sign).not.toHaveBeenCalled();
    expect(useReview.getState().form).toBeNull();
    expect(calls.gates.status).toHaveBeenCalledWith({ id: SESSION_ID });
  });

  it('says how the reasons reached the agent', async () => {
    calls.review.reject.mockResolvedValue({
      rejected: true,
      sentBack: { delivered: 'queued', message: 'fix the tests' },
    });
    seed(failingReview());
    expect(await store.reject(SESSION_ID, 'no', true)).toBe(true);
    expect(textOf(render())).toContain(
      'Sent to the agent: it is typed in when the agent next waits',
    );
  });

  it('stays open with the reason when the call fails', async () => {
    calls.review.reject.mockRejectedValue({ code: 'failed', message: 'the session is gone' });
    seed(failingReview());
    store.openForm('reject', SESSION_ID);
    store.editForm('reject', { reason: 'no' });
    expect(await store.submitForm()).toBe(false);
    expect(useReview.getState().form).toMatchObject({ kind: 'reject', reason: 'no' });
    expect(textOf(render())).toContain('Not rejected: the session is gone');
  });
});

describe('the other decisions', () => {
  it('promote: squash and keep the workspace unless chosen otherwise', async () => {
    calls.review.promote.mockResolvedValue({});
    seed(passingReview());
    reviewKey('p', SESSION_ID, fakeEvent());
    expect(useReview.getState().form).toEqual({
      kind: 'promote',
      sessionId: SESSION_ID,
      mode: 'squash',
      removeWorkspace: false,
    });
    const html = render();
    expect(html).toMatch(/<input type="radio" name="promote-mode" checked="" value="squash"/);
    expect(textOf(html)).toContain('Remove the session’s workspace afterwards');
    store.editForm('promote', { mode: 'merge', removeWorkspace: true });
    await store.submitForm();
    expect(calls.review.promote).toHaveBeenCalledWith({
      id: SESSION_ID,
      mode: 'merge',
      removeWorkspace: true,
    });
  });

  it('promote: a refusal says so and what to do', async () => {
    calls.review.promote.mockRejectedValue({ code: 'failed', message: 'the results are stale' });
    seed(passingReview());
    expect(await store.promote(SESSION_ID, 'squash', false)).toBe(false);
    const text = textOf(render());
    expect(text).toContain('Not promoted: the results are stale');
    expect(text).toContain('Nothing landed.');
  });

  it('send back: the note only when one was written', async () => {
    calls.review.sendBack.mockResolvedValue({ delivered: 'restarted', message: 'x' });
    seed(failingReview());
    await store.sendBack(SESSION_ID, '   ');
    expect(calls.review.sendBack).toHaveBeenLastCalledWith({ id: SESSION_ID });
    await store.sendBack(SESSION_ID, 'look at the flaky test');
    expect(calls.review.sendBack).toHaveBeenLastCalledWith({
      id: SESSION_ID,
      note: 'look at the flaky test',
    });
    expect(textOf(render())).toContain('it was restarted to receive the message');
  });

  it('sign off: asks first, then signs an approval, and says whether it counts', async () => {
    calls.review.sign.mockResolvedValue({ sessionId: SESSION_ID, text: '{}', check: statement() });
    useReview.setState({ identity: IDENTITY });
    seed(passingReview());
    reviewKey('s', SESSION_ID, fakeEvent());
    const text = textOf(render());
    expect(text).toContain('Approve what would land now?');
    expect(text).toContain(`signed with Ada ${shortFingerprint(IDENTITY.fingerprint)}`);
    await store.submitForm();
    expect(calls.review.sign).toHaveBeenCalledWith({ id: SESSION_ID, decision: 'approve' });
    expect(textOf(render())).toContain('Signed your approval: it counts.');
  });

  it('sign off: main’s refusal is shown as it comes', async () => {
    const message = 'You have no signing identity: make one with `paddock identity create NAME`.';
    calls.review.sign.mockRejectedValue({ code: 'failed', message });
    seed(passingReview());
    expect(await store.signOff(SESSION_ID)).toBe(false);
    expect(textOf(render())).toContain(`Not signed off: ${message}`);
  });
});

describe('following the review', () => {
  it('reads the shown session again on review.changed, and no other', async () => {
    const stop = store.followReviews();
    store.showReview(SESSION_ID);
    expect(calls.gates.status).toHaveBeenCalledTimes(1);
    calls.listeners.get('review.changed')?.({ sessionId: 'ses_other000' });
    expect(calls.gates.status).toHaveBeenCalledTimes(1);
    calls.listeners.get('review.changed')?.({ sessionId: SESSION_ID });
    expect(calls.gates.status).toHaveBeenCalledTimes(2);
    stop();
  });

  it('keeps the newest answer when two reads cross', async () => {
    let first: (value: ReviewState) => void = () => undefined;
    calls.gates.status
      .mockReturnValueOnce(new Promise((resolve) => (first = resolve)))
      .mockResolvedValueOnce(staleReview());
    const older = store.load(SESSION_ID);
    await store.load(SESSION_ID);
    first(passingReview());
    await older;
    expect(reviewOf(useReview.getState(), SESSION_ID).state).toEqual(staleReview());
  });
});

describe('the sign-offs', () => {
  const forged = statement({
    signer: { name: 'Mallory', fingerprint: 'SHA256:Mallory0123456789abcdef', role: null },
    reason: null,
    genuine: false,
    counts: false,
    why: 'forged: the signature does not verify',
    seq: 902,
  });
  const stranger = statement({
    signer: { name: 'Linus', fingerprint: 'SHA256:Linus0123456789abcdefgh', role: null },
    counts: false,
    why: "untrusted key SHA256:Linus0123456789abcdefgh (not among the policy's signers)",
    seq: 903,
  });
  const older = statement({
    signedAt: '2026-01-01T09:00:00.000Z',
    counts: false,
    why: 'about another change (it was signed for diff eeeeeeeeeeee…; the change is now dddddddddddd…)',
    seq: 700,
  });

  it('say what the policy asks, whether it is met, and what is missing', () => {
    const html = render(passingReview({ signoff: signoffStatus() }));
    const text = textOf(html);
    expect(text).toContain('Sign-offs ✗ not met');
    expect(html).toContain('signoff-met--no');
    expect(text).toContain('The policy asks for:1 approval from role lead2 of Ada, Grace, Linus');
    expect(text).toContain('Still missing:1 approval from role lead (none given)');
    expect(text).toContain('No signed statements yet.');

    const met = textOf(
      render(
        passingReview({
          signoff: signoffStatus({ met: true, missing: [], statements: [statement()] }),
        }),
      ),
    );
    expect(met).toContain('Sign-offs ✓ met');
    expect(met).not.toContain('Still missing');
  });

  it('list every statement: who, role, key, decision, reason, time, and whether it counts', () => {
    const html = render(
      passingReview({
        signoff: signoffStatus({
          statements: [
            statement({ reason: 'looks right' }),
            forged,
            stranger,
            older,
            statement({
              signer: { name: 'Ada', fingerprint: IDENTITY.fingerprint, role: 'dev' },
              counts: false,
              why: "the session's author cannot sign it off",
              seq: 904,
            }),
          ],
        }),
      }),
    );
    expect(html.match(/data-testid="signoff-statement"/g)).toHaveLength(5);
    const items = html.split('data-testid="signoff-statement"').slice(1).map(textOf);
    expect(items[0]).toMatch(
      /✓ Approved by Grace \(role lead\) SHA256:GraceGrace01…, 2026-01-0\d \d\d:\d\d:00/,
    );
    expect(items[0]).toContain('Reason: looks right');
    expect(items[0]).toContain('counts · audit event #901');
    expect(items[1]).toContain('does not count: forged: the signature does not verify');
    expect(items[2]).toContain('does not count: untrusted key');
    expect(items[3]).toContain('does not count: about another change');
    expect(items[4]).toContain("does not count: the session's author cannot sign it off");
    // Colour repeats the words: the counting one and the void ones differ by class too.
    expect(html).toContain('signoff-statement--approves');
    expect(html).toContain('signoff-counts--no');
    expect(html).toMatch(/data-counts="true"/);
  });

  it('show a counting rejection at the top, as an alert', () => {
    const rejection = statement({ decision: 'reject', reason: 'breaks the API' });
    const html = render(
      passingReview({
        signoff: signoffStatus({
          rejected: true,
          statements: [rejection],
          missing: ['rejected by Grace: breaks the API'],
        }),
        blockers: ['it was rejected in a sign-off (rejected by Grace: breaks the API)'],
      }),
    );
    expect(tagOf(html, 'signoff-rejected')).toContain('role="alert"');
    const text = textOf(html);
    expect(text).toMatch(/Rejected in a signed statement by Grace \(role lead\).*: breaks the API/);
    expect(html).toContain('signoff-statement--rejects');
    expect(text).toContain('✗ Rejected by Grace');
  });

  it('mark the person’s own statements', () => {
    useReview.setState({ identity: IDENTITY });
    const html = render(
      passingReview({
        signoff: signoffStatus({
          statements: [
            statement({
              signer: { ...statement().signer, fingerprint: IDENTITY.fingerprint, name: 'Ada' },
            }),
          ],
        }),
      }),
    );
    expect(textOf(html)).toMatch(/Approved by Ada .*you/);
    expect(textOf(html)).toContain(`You sign as Ada ${shortFingerprint(IDENTITY.fingerprint)}.`);
  });

  it('once given, mark the run that asked for one as signed off; not while missing or stale', () => {
    const asked = (signoff: ReturnType<typeof signoffStatus>, stale: string[] = []) =>
      render(
        passingReview({
          lastRun: gateRun({ verdict: 'needs-signoff' }),
          signoff,
          staleReasons: stale,
        }),
      );
    const given = signoffStatus({ met: true, missing: [], statements: [statement()] });
    const html = asked(given);
    expect(textOf(html)).toContain('The gates need a sign-off✓ signed off');
    expect(tagOf(html, 'gates-signed-off')).toContain('signoff-met--yes');
    expect(asked(signoffStatus())).not.toContain('data-testid="gates-signed-off"');
    expect(asked(given, ['the work changed'])).not.toContain('data-testid="gates-signed-off"');
    expect(asked({ ...given, rejected: true })).not.toContain('data-testid="gates-signed-off"');
  });
});

describe('who may sign off', () => {
  const mine = (overrides: Parameters<typeof statement>[0] = {}) =>
    statement({
      signer: { name: 'Ada', fingerprint: IDENTITY.fingerprint, role: 'lead' },
      ...overrides,
    });

  it('not someone who approved this change already', () => {
    useReview.setState({ identity: IDENTITY });
    const html = render(passingReview({ signoff: signoffStatus({ statements: [mine()] }) }));
    expect(tagOf(html, 'review-signOff')).toContain('disabled');
    expect(tagOf(html, 'review-signOff')).toContain('You approved this change already');
    reviewKey('s', SESSION_ID, fakeEvent());
    expect(useReview.getState().form).toBeNull();
  });

  it('someone else’s approval, or one’s own of another change or since rejected, does not count as one’s own', () => {
    useReview.setState({ identity: IDENTITY });
    for (const statements of [
      [statement()],
      [mine({ counts: false, why: 'about another change (it was signed for diff eeee…)' })],
      [
        mine({ signedAt: '2026-01-01T10:00:00.000Z' }),
        mine({ decision: 'reject', reason: 'no', signedAt: '2026-01-01T10:05:00.000Z' }),
      ],
      [mine({ genuine: false, counts: false, why: 'forged: the signature does not verify' })],
    ]) {
      seed(passingReview({ signoff: signoffStatus({ statements }) }));
      expect(whyNot().signOff).toBeNull();
    }
  });

  it('no one without a signing identity: the button says how to make one', () => {
    useReview.setState({ identity: null });
    const html = render(passingReview());
    const button = tagOf(html, 'review-signOff');
    expect(button).toContain('disabled');
    expect(button).toContain(`title="${NO_IDENTITY}"`);
    expect(button).toContain('aria-describedby="signoff-identity-note"');
    expect(NO_IDENTITY).toBe('Make a signing identity first: paddock identity create NAME');
    expect(textOf(html)).toContain('You have no signing identity');
    expect(html).toContain('id="signoff-identity-note"');
  });

  it('anyone, when the identity could not be read: main judges', async () => {
    calls.identity.show.mockRejectedValue({ code: 'unknown-call', message: 'no such call' });
    await store.loadIdentity();
    expect(useReview.getState().identity).toBeUndefined();
    seed(passingReview());
    expect(whyNot().signOff).toBeNull();
  });

  it('the identity is read with the review, and again on Refresh', async () => {
    store.showReview(SESSION_ID);
    await vi.waitFor(() => expect(useReview.getState().identity).toEqual(IDENTITY));
    expect(calls.identity.show).toHaveBeenCalledTimes(1);
    expect(calls.identity.show).toHaveBeenCalledWith({});
    calls.identity.show.mockResolvedValue(null);
    await store.refresh(SESSION_ID);
    expect(useReview.getState().identity).toBeNull();
    store.showReview(null);
  });
});

describe('a signed rejection', () => {
  const signedReject = {
    sessionId: SESSION_ID,
    text: '{}',
    check: statement({
      signer: { name: 'Ada', fingerprint: IDENTITY.fingerprint, role: 'lead' },
      decision: 'reject',
      reason: 'wrong approach',
    }),
  };

  it('is on by default for someone with an identity, and calls both sign and reject', async () => {
    const order: string[] = [];
    calls.review.sign.mockImplementation(async () => (order.push('sign'), signedReject));
    calls.review.reject.mockImplementation(
      async () => (order.push('reject'), { rejected: true, sentBack: null }),
    );
    useReview.setState({ identity: IDENTITY });
    seed(failingReview());
    reviewKey('x', SESSION_ID, fakeEvent());
    expect(useReview.getState().form).toMatchObject({ kind: 'reject', sign: true });
    const html = render();
    expect(tagOf(html, 'reject-sign')).toContain('checked=""');
    expect(textOf(html)).toContain('Sign the rejection with my identity');

    store.editForm('reject', { reason: 'wrong approach', sendBack: false });
    expect(await store.submitForm()).toBe(true);
    expect(calls.review.sign).toHaveBeenCalledWith({
      id: SESSION_ID,
      decision: 'reject',
      reason: 'wrong approach',
    });
    expect(calls.review.reject).toHaveBeenCalledWith({
      id: SESSION_ID,
      reason: 'wrong approach',
      sendBack: false,
    });
    // Signed about the change as it is, before anything goes to the agent.
    expect(order).toEqual(['sign', 'reject']);
    expect(textOf(render())).toContain('Signed your rejection: it counts.');
  });

  it('is off by default without an identity, and says how to make one', () => {
    useReview.setState({ identity: null });
    seed(failingReview());
    store.openForm('reject', SESSION_ID);
    expect(useReview.getState().form).toMatchObject({ sign: false });
    const html = render();
    expect(tagOf(html, 'reject-sign')).toMatch(/^<input type="checkbox"/);
    expect(tagOf(html, 'reject-sign')).not.toContain('checked');
    expect(textOf(html)).toContain('paddock identity create NAME makes one');
  });

  it('refused: nothing is rejected, and the form stays', async () => {
    calls.review.sign.mockRejectedValue({ code: 'failed', message: 'no identity' });
    useReview.setState({ identity: IDENTITY });
    seed(failingReview());
    store.openForm('reject', SESSION_ID);
    store.editForm('reject', { reason: 'no' });
    expect(await store.submitForm()).toBe(false);
    expect(calls.review.reject).not.toHaveBeenCalled();
    expect(useReview.getState().form).toMatchObject({ reason: 'no', sign: true });
    expect(textOf(render())).toContain('Not rejected: no identity');
  });

  it('signed but not recorded: a retry does not sign twice', async () => {
    calls.review.sign.mockResolvedValue(signedReject);
    calls.review.reject.mockRejectedValueOnce({ code: 'failed', message: 'disk full' });
    useReview.setState({ identity: IDENTITY });
    seed(failingReview());
    store.openForm('reject', SESSION_ID);
    store.editForm('reject', { reason: 'no' });
    expect(await store.submitForm()).toBe(false);
    expect(textOf(render())).toContain(
      'Not rejected: your signed rejection was recorded, but the rejection itself was not: disk full',
    );
    expect(useReview.getState().form).toMatchObject({ reason: 'no', sign: false });
    calls.review.reject.mockResolvedValue({ rejected: true, sentBack: null });
    expect(await store.submitForm()).toBe(true);
    expect(calls.review.sign).toHaveBeenCalledTimes(1);
    expect(calls.review.reject).toHaveBeenCalledTimes(2);
  });
});

describe('review on another machine', () => {
  it('export: e saves the bundle as <session>.paddock-review, with the reviewer’s commands', async () => {
    calls.review.export.mockResolvedValue({ bundle: '{"format":1}\n', sessionId: SESSION_ID });
    seed(passingReview());
    const html = render();
    expect(tagOf(html, 'review-export')).not.toContain('disabled');
    const text = textOf(html);
    expect(text).toContain(`paddock review import ${SESSION_ID}.paddock-review`);
    expect(text).toContain(`paddock review sign ${SESSION_ID} --approve --out FILE`);
    expect(text).toContain('or with paddock review import FILE');

    reviewKey('e', SESSION_ID, fakeEvent());
    await vi.waitFor(() => expect(calls.saveTextFile).toHaveBeenCalled());
    expect(calls.review.export).toHaveBeenCalledWith({ id: SESSION_ID });
    expect(calls.saveTextFile).toHaveBeenCalledWith(
      `${SESSION_ID}.paddock-review`,
      '{"format":1}\n',
      'application/json',
    );
    await vi.waitFor(() =>
      expect(textOf(render())).toContain(`Saved ${SESSION_ID}.paddock-review`),
    );
  });

  it('export: not without a landing, and a failure says so', async () => {
    seed(passingReview({ current: null, problem: 'conflict', diff: null }));
    expect(whyNot().export).toMatch(/no landing/);
    reviewKey('e', SESSION_ID, fakeEvent());
    expect(calls.review.export).not.toHaveBeenCalled();

    calls.review.export.mockRejectedValue({ code: 'failed', message: 'the branch is gone' });
    seed(passingReview());
    expect(await store.exportForReview(SESSION_ID)).toBe(false);
    expect(calls.saveTextFile).not.toHaveBeenCalled();
    expect(textOf(render())).toContain('Not exported: the branch is gone');
  });

  it('import: takes the file’s text in and says whether the statement counts', async () => {
    calls.review.import.mockResolvedValue({
      kind: 'statement',
      sessionId: SESSION_ID,
      check: statement({ counts: false, why: 'revoked key SHA256:Grace' }),
    });
    seed(passingReview());
    expect(render()).toMatch(/<input type="file"[^>]*data-testid="review-import"/);
    expect(await store.importReviewFile(SESSION_ID, '{"payloadType":"x"}')).toBe(true);
    expect(calls.review.import).toHaveBeenCalledWith({ text: '{"payloadType":"x"}' });
    // Read again at once, so it shows among the sign-offs.
    expect(calls.gates.status).toHaveBeenCalledWith({ id: SESSION_ID });
    const text = textOf(render());
    expect(text).toMatch(
      /Took in Grace’s approval SHA256:GraceGrace01…: it does not count: revoked key/,
    );

    calls.review.import.mockResolvedValue({
      kind: 'statement',
      sessionId: SESSION_ID,
      check: statement(),
    });
    // The file picker's File is read by the store.
    await store.importReviewFile(SESSION_ID, new Blob(['{"signatures":[]}']));
    expect(calls.review.import).toHaveBeenLastCalledWith({ text: '{"signatures":[]}' });
    expect(textOf(render())).toContain('’s approval SHA256:GraceGrace01…: it counts.');
  });

  it('import: a refusal says nothing was recorded', async () => {
    calls.review.import.mockRejectedValue({ code: 'failed', message: 'it is not JSON' });
    seed(passingReview());
    expect(await store.importReviewFile(SESSION_ID, 'nope')).toBe(false);
    expect(textOf(render())).toContain('Not taken in: it is not JSON Nothing was recorded.');
  });
});

describe('the shortcuts overlay', () => {
  it('lists every review key, in the order of the buttons', () => {
    expect(REVIEW_SHORTCUTS.map(([keys]) => keys.join('+'))).toEqual([
      'r',
      'p',
      'b',
      'x',
      's',
      'e',
      'Esc',
    ]);
  });
});

describe('format', () => {
  it('quotes arguments a shell would split, and sizes durations', () => {
    expect(commandLine(['npm', 'test', '--', 'a b', "it's"])).toBe(`npm test -- 'a b' 'it'\\''s'`);
    expect(formatMs(350)).toBe('350 ms');
    expect(formatMs(4200)).toBe('4.2 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
  });

  it('shortens a fingerprint but keeps its scheme', () => {
    expect(shortFingerprint(GRACE_FINGERPRINT)).toBe('SHA256:GraceGrace01…');
    expect(shortFingerprint('SHA256:short')).toBe('SHA256:short');
    expect(shortFingerprint('')).toBe('');
  });
});
