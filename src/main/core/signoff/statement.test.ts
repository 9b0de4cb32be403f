import { describe, expect, it } from 'vitest';
import type { GateRun } from '../../../shared/gates';
import { SIGNOFF_PREDICATE_TYPE, STATEMENT_TYPE } from '../../../shared/signoff';
import { changeStatement, gatesDigest, patchDigest } from './statement';
import { testBinding, testIdentity } from './testing';

const ada = testIdentity('Ada');

function gateRun(overrides: Partial<GateRun> = {}): GateRun {
  return {
    id: 'run_01',
    sessionId: 'ses_01',
    startedAt: '2025-01-01T09:00:00.000Z',
    finishedAt: '2025-01-01T09:01:00.000Z',
    binding: testBinding(),
    merged: false,
    results: [
      {
        name: 'unit tests',
        kind: 'tests',
        action: 'block',
        status: 'passed',
        summary: '212 passed',
        findings: [],
        durationMs: 41_000,
      },
    ],
    verdict: 'pass',
    seq: 7,
    ...overrides,
  };
}

describe('changeStatement', () => {
  it('names the session and the landing diff, and what the signer saw', () => {
    const binding = testBinding();
    const statement = changeStatement({
      sessionId: 'ses_01',
      binding,
      baseCommit: 'e'.repeat(40),
      gates: { runId: 'run_01', verdict: 'pass', digest: 'f'.repeat(64) },
      patchSha256: '0'.repeat(64),
      decision: 'approve',
      reason: null,
      signer: { name: 'Ada', publicKey: ada.line },
      signedAt: '2025-01-01T10:00:00.000Z',
    });
    expect(statement).toEqual({
      _type: STATEMENT_TYPE,
      subject: [{ name: 'paddock:ses_01', digest: { sha256: binding.diffHash } }],
      predicateType: SIGNOFF_PREDICATE_TYPE,
      predicate: {
        sessionId: 'ses_01',
        change: {
          baseCommit: 'e'.repeat(40),
          headCommit: binding.headCommit,
          targetBranch: 'main',
          targetCommit: binding.targetCommit,
          landingTree: binding.landingTree,
        },
        gates: { runId: 'run_01', verdict: 'pass', digest: 'f'.repeat(64) },
        patchSha256: '0'.repeat(64),
        decision: 'approve',
        reason: null,
        signer: { name: 'Ada', publicKey: ada.line },
        signedAt: '2025-01-01T10:00:00.000Z',
      },
    });
  });
});

describe('gatesDigest', () => {
  it('is SHA-256 hex, and stable across the evidence that may be rewritten', () => {
    const digest = gatesDigest(gateRun());
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    const [result] = gateRun().results;
    if (!result) throw new Error('no result');
    const reworded = gateRun({
      seq: 9,
      results: [{ ...result, summary: 'all passed', outputTail: '[redacted]', durationMs: 1 }],
    });
    expect(gatesDigest(reworded)).toBe(digest);
  });

  it('changes with a gate outcome, the run, or the landing', () => {
    const digest = gatesDigest(gateRun());
    const [result] = gateRun().results;
    if (!result) throw new Error('no result');
    expect(gatesDigest(gateRun({ results: [{ ...result, status: 'failed' }] }))).not.toBe(digest);
    expect(gatesDigest(gateRun({ id: 'run_02' }))).not.toBe(digest);
    expect(gatesDigest(gateRun({ binding: testBinding({ diffHash: '1'.repeat(64) }) }))).not.toBe(
      digest,
    );
  });
});

describe('patchDigest', () => {
  it('is the SHA-256 of the UTF-8 text', () => {
    expect(patchDigest('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(patchDigest('é')).not.toBe(patchDigest('e'));
  });
});
