import { describe, expect, it } from 'vitest';
import type { DsseEnvelope } from '../../../shared/signoff';
import { canonicalJson } from '../store/canonical-json';
import { pae, signEnvelope } from './dsse';
import { checkStatements, mergeSignoffPolicies, type CheckStatementsInput } from './requirements';
import {
  TEST_SESSION,
  parseTestKey,
  testBinding,
  testEnvelope,
  testIdentity,
  testStatement,
  type TestIdentity,
} from './testing';
import type { SignoffPolicy } from './trust';

const ada = testIdentity('Ada');
const grace = testIdentity('Grace');
const linus = testIdentity('Linus');
const alan = testIdentity('Alan');
const mallory = testIdentity('Mallory');

const signer = (who: TestIdentity, role?: string) => ({ name: who.name, key: who.line, role });

/** Ada and Grace lead, Linus reviews, Alan is trusted too but is the session's author. */
function policy(overrides: Partial<SignoffPolicy> = {}): SignoffPolicy {
  return {
    signers: [signer(ada, 'lead'), signer(grace, 'lead'), signer(linus, 'reviewer'), signer(alan)],
    revoked: [],
    require: [],
    ...overrides,
  };
}

function check(envelopes: DsseEnvelope[], overrides: Partial<CheckStatementsInput> = {}) {
  return checkStatements({
    envelopes: envelopes.map((envelope, i) => ({ envelope, seq: i + 1 })),
    binding: testBinding(),
    sessionId: TEST_SESSION,
    policy: policy(),
    author: { fingerprint: alan.fingerprint, name: alan.name },
    self: { fingerprint: ada.fingerprint, name: ada.name, publicKey: ada.line },
    parseKey: parseTestKey,
    ...overrides,
  });
}

const at = (hour: number) => `2025-01-01T${String(hour).padStart(2, '0')}:00:00.000Z`;

describe('checkStatements with a policy', () => {
  it('counts two keys signing the same change', async () => {
    const status = check([await testEnvelope(ada), await testEnvelope(grace)], {
      policy: policy({ require: [{ of: ['Ada', 'Grace'], count: 2 }] }),
    });
    expect(status).toMatchObject({
      requirements: ['2 of Ada, Grace'],
      met: true,
      missing: [],
      rejected: false,
    });
    expect(status.statements).toEqual([
      {
        signer: { name: 'Ada', fingerprint: ada.fingerprint, role: 'lead' },
        decision: 'approve',
        reason: null,
        signedAt: at(10),
        genuine: true,
        counts: true,
        why: 'counts',
        seq: 1,
      },
      expect.objectContaining({
        signer: { name: 'Grace', fingerprint: grace.fingerprint, role: 'lead' },
        counts: true,
      }),
    ]);
  });

  it('honours N of M', async () => {
    const twoOfThree = policy({ require: [{ of: ['Ada', 'Grace', 'Linus'], count: 2 }] });
    const one = check([await testEnvelope(ada)], { policy: twoOfThree });
    expect(one).toMatchObject({ met: false, missing: ['2 of Ada, Grace, Linus (1 given: Ada)'] });

    const two = check([await testEnvelope(ada), await testEnvelope(linus)], { policy: twoOfThree });
    expect(two).toMatchObject({ met: true, missing: [] });

    const none = check([], { policy: twoOfThree });
    expect(none.missing).toEqual(['2 of Ada, Grace, Linus (none given)']);
  });

  it('does not let one person with two keys count twice', async () => {
    const adaAtHome = testIdentity('Ada');
    const fromHome = await testEnvelope(adaAtHome, { signedAt: at(11) });
    const status = check([await testEnvelope(ada), fromHome], {
      policy: policy({
        signers: [...policy().signers, signer(adaAtHome)],
        require: [{ of: ['Ada', 'Grace'], count: 2 }],
      }),
    });
    expect(status.met).toBe(false);
    expect(status.missing).toEqual(['2 of Ada, Grace (1 given: Ada)']);
    expect(status.statements.map((s) => s.why)).toEqual([
      `superseded by a later statement of Ada (${at(11)})`,
      'counts',
    ]);
  });

  it("does not count the author's own statement", async () => {
    const status = check([await testEnvelope(alan)]);
    expect(status.met).toBe(false);
    expect(status.statements[0]).toMatchObject({
      genuine: true,
      counts: false,
      why: "the session's author cannot sign it off",
    });
  });

  it('knows the author by name when the session has no author key', async () => {
    const status = check([await testEnvelope(alan)], {
      author: { fingerprint: null, name: 'Alan' },
    });
    expect(status.statements[0]?.why).toBe("the session's author cannot sign it off");
  });

  it("does not count the author's other key", async () => {
    const alanAtHome = testIdentity('Alan');
    const status = check([await testEnvelope(alanAtHome)], {
      policy: policy({ signers: [...policy().signers, signer(alanAtHome)] }),
    });
    expect(status.statements[0]?.why).toBe("the session's author cannot sign it off");
  });

  it('does not count a statement about another diff, session or landing', async () => {
    const otherDiff = testBinding({ diffHash: '1'.repeat(64) });
    const otherTarget = { ...testBinding(), targetCommit: '2'.repeat(40) };
    const status = check([
      await testEnvelope(ada, { binding: otherDiff }),
      await testEnvelope(grace, { sessionId: 'ses_02' }),
      await testEnvelope(linus, { binding: otherTarget }),
    ]);
    expect(status.met).toBe(false);
    expect(status.statements.map((s) => [s.genuine, s.counts, s.why])).toEqual([
      [
        true,
        false,
        'about another change (it was signed for diff 111111111111…; the change is now dddddddddddd…)',
      ],
      [true, false, 'about another session (it was signed for paddock:ses_02)'],
      [
        true,
        false,
        'about another landing (the target commit was 222222222222… when signed; it is now aaaaaaaaaaaa…)',
      ],
    ]);
  });

  describe('a forged statement is not genuine', () => {
    it('when the payload was altered after signing', async () => {
      const signed = await testEnvelope(ada, { decision: 'reject', reason: 'no' });
      const altered = canonicalJson(testStatement(ada, { decision: 'approve' }));
      const forged = { ...signed, payload: Buffer.from(altered).toString('base64') };
      const status = check([forged]);
      expect(status.statements[0]).toMatchObject({
        decision: 'approve',
        genuine: false,
        counts: false,
        why: 'forged: the signature does not verify',
      });
      expect(status.met).toBe(false);
    });

    it("when another key signed a statement in someone else's name", async () => {
      const inAdasName = testStatement(ada);
      const forged = await signEnvelope(inAdasName, {
        keyid: ada.fingerprint,
        sign: mallory.signer.sign,
      });
      expect(check([forged]).statements[0]).toMatchObject({
        genuine: false,
        why: 'forged: the signature does not verify',
      });
    });

    it("when the keyid was swapped for another signer's", async () => {
      const signed = await testEnvelope(ada);
      const swapped = {
        ...signed,
        signatures: [{ keyid: grace.fingerprint, sig: signed.signatures[0]?.sig ?? '' }],
      };
      expect(check([swapped]).statements[0]).toMatchObject({
        genuine: false,
        why: `forged: the envelope is signed as ${grace.fingerprint}, but the statement names ${ada.fingerprint}`,
      });
    });

    it('when the payload type was changed', async () => {
      const signed = await testEnvelope(ada);
      const payload = Buffer.from(signed.payload, 'base64');
      const sig = await ada.signer.sign(pae('application/json', payload));
      const retyped = {
        ...signed,
        signatures: [{ keyid: ada.fingerprint, sig: sig.toString('base64') }],
      };
      expect(check([retyped]).statements[0]?.why).toBe('forged: the signature does not verify');
    });
  });

  it('lists an unreadable envelope without counting it', async () => {
    const status = check([{ ...(await testEnvelope(ada)), payload: '!!' }]);
    expect(status.statements[0]).toMatchObject({
      signer: { name: '(unreadable)', fingerprint: '', role: null },
      genuine: false,
      counts: false,
      why: 'unreadable: not a sign-off envelope: payload: expected base64',
      seq: 1,
    });
  });

  it('does not count a revoked key, named by key or by fingerprint', async () => {
    const envelopes = [await testEnvelope(ada), await testEnvelope(grace)];
    const status = check(envelopes, {
      policy: policy({ revoked: [ada.line, grace.fingerprint] }),
    });
    expect(status.met).toBe(false);
    expect(status.statements.map((s) => [s.genuine, s.counts, s.why])).toEqual([
      [true, false, `revoked key ${ada.fingerprint}`],
      [true, false, `revoked key ${grace.fingerprint}`],
    ]);
  });

  it('does not count an untrusted key', async () => {
    const status = check([await testEnvelope(mallory)]);
    expect(status).toMatchObject({
      requirements: ['1 approval from a trusted signer'],
      met: false,
      missing: ['1 approval from a trusted signer (none given)'],
    });
    expect(status.statements[0]).toMatchObject({
      signer: { name: 'Mallory', fingerprint: mallory.fingerprint, role: null },
      genuine: true,
      counts: false,
      why: `untrusted key ${mallory.fingerprint} (not among the policy's signers)`,
    });
  });

  it('counts approvals by role', async () => {
    const leads = policy({ require: [{ role: 'lead', count: 1 }] });
    const byReviewer = check([await testEnvelope(linus)], { policy: leads });
    expect(byReviewer).toMatchObject({
      requirements: ['1 approval from role lead'],
      met: false,
      missing: ['1 approval from role lead (none given)'],
    });
    const byLead = check([await testEnvelope(linus), await testEnvelope(grace)], { policy: leads });
    expect(byLead).toMatchObject({ met: true, missing: [] });

    const twoLeads = policy({
      require: [
        { role: 'lead', count: 2 },
        { of: ['Linus'], count: 1 },
      ],
    });
    const status = check([await testEnvelope(linus), await testEnvelope(grace)], {
      policy: twoLeads,
    });
    expect(status).toMatchObject({
      requirements: ['2 approvals from role lead', '1 of Linus'],
      met: false,
      missing: ['2 approvals from role lead (1 given: Grace)'],
    });
  });

  it('takes a counting rejection as the change rejected', async () => {
    const status = check([
      await testEnvelope(ada),
      await testEnvelope(grace, { decision: 'reject', reason: 'the migration drops a column' }),
    ]);
    expect(status).toMatchObject({
      met: false,
      rejected: true,
      missing: ['rejected by Grace: the migration drops a column'],
    });
  });

  it('ignores a rejection that does not count', async () => {
    const status = check([
      await testEnvelope(ada),
      await testEnvelope(mallory, { decision: 'reject', reason: 'spite' }),
    ]);
    expect(status).toMatchObject({ met: true, rejected: false, missing: [] });
  });

  it("counts only each signer's latest statement", async () => {
    const approved = await testEnvelope(ada, { signedAt: at(10) });
    const rejected = await testEnvelope(ada, {
      decision: 'reject',
      reason: 'found a bug',
      signedAt: at(11),
    });
    const approvedAgain = await testEnvelope(ada, { signedAt: at(12) });

    // Stored order does not matter, only signedAt.
    const changedMind = check([rejected, approved]);
    expect(changedMind).toMatchObject({ rejected: true, met: false });
    expect(changedMind.statements.map((s) => s.why)).toEqual([
      'counts',
      `superseded by a later statement of Ada (${at(11)})`,
    ]);

    const fixed = check([approved, rejected, approvedAgain]);
    expect(fixed).toMatchObject({ rejected: false, met: true });
    expect(fixed.statements.map((s) => s.counts)).toEqual([false, false, true]);

    // Signed in the same instant: the rejection is the safer reading.
    const sameTime = await testEnvelope(ada, {
      decision: 'reject',
      reason: 'wait',
      signedAt: at(10),
    });
    expect(check([sameTime, approved])).toMatchObject({ rejected: true, met: false });
  });
});

describe('checkStatements without a policy', () => {
  it('counts only your own statement, even on your own session', async () => {
    const solo = {
      policy: null,
      author: { fingerprint: ada.fingerprint, name: 'Ada' },
      self: { fingerprint: ada.fingerprint, name: 'Ada', publicKey: ada.line },
    };
    const others = check([await testEnvelope(grace)], solo);
    expect(others).toMatchObject({
      requirements: ['1 approval from you (no signoff section in the policy)'],
      met: false,
      missing: ['1 approval from you (no signoff section in the policy) (none given)'],
    });
    expect(others.statements[0]?.why).toBe(
      `not your key (${grace.fingerprint}): with no signoff section in the policy, only your own statements count`,
    );

    const yours = check([await testEnvelope(grace), await testEnvelope(ada)], solo);
    expect(yours).toMatchObject({ met: true, missing: [] });
    expect(yours.statements.map((s) => s.counts)).toEqual([false, true]);
  });

  it('counts nothing when this machine has no identity', async () => {
    const status = check([await testEnvelope(ada)], { policy: null, self: null });
    expect(status.met).toBe(false);
  });
});

describe('mergeSignoffPolicies', () => {
  it('is null when neither policy has a signoff section', () => {
    expect(mergeSignoffPolicies(undefined, undefined)).toBeNull();
  });

  it('unions signers and revoked keys, and keeps every requirement', () => {
    const personal: SignoffPolicy = {
      signers: [signer(ada, 'lead')],
      revoked: [mallory.fingerprint],
      require: [{ role: 'lead', count: 1 }],
    };
    const repository: SignoffPolicy = {
      signers: [signer(ada, 'lead'), signer(grace)],
      revoked: [mallory.fingerprint, linus.line],
      require: [{ of: ['Grace'], count: 1 }],
    };
    expect(mergeSignoffPolicies(personal, repository)).toEqual({
      signers: [signer(ada, 'lead'), signer(grace)],
      revoked: [mallory.fingerprint, linus.line],
      require: [
        { role: 'lead', count: 1 },
        { of: ['Grace'], count: 1 },
      ],
    });
    expect(mergeSignoffPolicies(undefined, repository)).toEqual(repository);
  });
});
