import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STATEMENT_PAYLOAD_TYPE, type DsseEnvelope } from '../../../shared/signoff';
import { canonicalJson } from '../store/canonical-json';
import { openEnvelope, pae, signEnvelope, verifyEnvelope } from './dsse';
import { SignoffError } from './errors';
import { testEnvelope, testIdentity, testStatement } from './testing';

const ada = testIdentity('Ada');
const grace = testIdentity('Grace');

/** An envelope whose payload is this JSON text, signed properly by Ada. */
async function envelopeOf(json: string): Promise<DsseEnvelope> {
  const payload = Buffer.from(json, 'utf8');
  const sig = await ada.signer.sign(pae(STATEMENT_PAYLOAD_TYPE, payload));
  return {
    payloadType: STATEMENT_PAYLOAD_TYPE,
    payload: payload.toString('base64'),
    signatures: [{ keyid: ada.fingerprint, sig: sig.toString('base64') }],
  };
}

describe('pae', () => {
  it('matches the DSSE specification example', () => {
    const encoded = pae('http://example.com/HelloWorld', Buffer.from('hello world'));
    expect(encoded.toString('utf8')).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts bytes, not characters', () => {
    const encoded = pae('typé', Buffer.from('héllo', 'utf8'));
    const expected = Buffer.concat([
      Buffer.from('DSSEv1 5 typ'),
      Buffer.from([0xc3, 0xa9]),
      Buffer.from(' 6 h'),
      Buffer.from([0xc3, 0xa9]),
      Buffer.from('llo'),
    ]);
    expect(encoded.equals(expected)).toBe(true);
  });
});

describe('signEnvelope, openEnvelope, verifyEnvelope', () => {
  it('round-trips a statement; the payload is its canonical JSON', async () => {
    const statement = testStatement(ada);
    const envelope = await signEnvelope(statement, ada.signer);
    expect(envelope.payloadType).toBe(STATEMENT_PAYLOAD_TYPE);
    expect(Buffer.from(envelope.payload, 'base64').toString('utf8')).toBe(canonicalJson(statement));
    expect(envelope.signatures).toEqual([{ keyid: ada.fingerprint, sig: expect.any(String) }]);

    const opened = openEnvelope(JSON.parse(JSON.stringify(envelope)));
    expect(opened.statement).toEqual(statement);
    expect(verifyEnvelope(opened.envelope, ada.publicKey)).toBe(true);
  });

  it('does not verify against another key, or after the payload changed', async () => {
    const envelope = await testEnvelope(ada);
    expect(verifyEnvelope(envelope, grace.publicKey)).toBe(false);

    const altered = testStatement(ada, { decision: 'reject', reason: 'changed my mind' });
    const tampered = {
      ...envelope,
      payload: Buffer.from(canonicalJson(altered)).toString('base64'),
    };
    expect(verifyEnvelope(tampered, ada.publicKey)).toBe(false);
    expect(verifyEnvelope({ ...envelope, payloadType: 'text/plain' }, ada.publicKey)).toBe(false);
  });

  it('does not verify a truncated signature, or against a key that is not Ed25519', async () => {
    const envelope = await testEnvelope(ada);
    const truncated = { ...envelope, signatures: [{ keyid: ada.fingerprint, sig: 'AAAA' }] };
    expect(verifyEnvelope(truncated, ada.publicKey)).toBe(false);
    expect(verifyEnvelope(envelope, generateKeyPairSync('ed448').publicKey)).toBe(false);
  });

  it('refuses to sign a rejection without a reason', async () => {
    const statement = testStatement(ada, { decision: 'reject', reason: '  ' });
    await expect(signEnvelope(statement, ada.signer)).rejects.toThrow(
      /cannot sign this statement: predicate\.reason: a rejection needs a reason/,
    );
  });
});

describe('openEnvelope refuses what is not exactly a sign-off', () => {
  const statementJson = (edit: (s: Record<string, unknown>) => void): string => {
    const statement = JSON.parse(JSON.stringify(testStatement(ada))) as Record<string, unknown>;
    edit(statement);
    return canonicalJson(statement);
  };
  const predicateOf = (s: Record<string, unknown>) => s.predicate as Record<string, unknown>;

  it.each([
    ['not an object', () => Promise.resolve('nope'), /not a sign-off envelope/],
    [
      'another payload type',
      async () => ({ ...(await testEnvelope(ada)), payloadType: 'application/json' }),
      /payloadType: expected payloadType application\/vnd\.in-toto\+json/,
    ],
    [
      'no signature',
      async () => ({ ...(await testEnvelope(ada)), signatures: [] }),
      /signatures: expected exactly one signature/,
    ],
    [
      'two signatures',
      async () => {
        const envelope = await testEnvelope(ada);
        return { ...envelope, signatures: [...envelope.signatures, ...envelope.signatures] };
      },
      /expected exactly one signature/,
    ],
    [
      'a payload that is not base64',
      async () => ({ ...(await testEnvelope(ada)), payload: 'not base64!' }),
      /payload: expected base64/,
    ],
    [
      'an unknown envelope field',
      async () => ({ ...(await testEnvelope(ada)), extra: 1 }),
      /not a sign-off envelope/,
    ],
    ['a payload that is not JSON', () => envelopeOf('{oops'), /the payload is not UTF-8 JSON/],
    [
      'a payload that is not canonical JSON',
      () => envelopeOf(JSON.stringify(testStatement(ada), null, 2)),
      /the payload is not canonical JSON/,
    ],
    [
      'another statement type',
      () => envelopeOf(statementJson((s) => (s._type = 'https://in-toto.io/Statement/v0.1'))),
      /_type: expected _type https:\/\/in-toto\.io\/Statement\/v1/,
    ],
    [
      'another predicate type',
      () => envelopeOf(statementJson((s) => (s.predicateType = 'https://slsa.dev/provenance/v1'))),
      /predicateType: expected predicateType/,
    ],
    [
      'two subjects',
      () =>
        envelopeOf(
          statementJson(
            (s) => (s.subject = [...(s.subject as unknown[]), ...(s.subject as unknown[])]),
          ),
        ),
      /subject: expected exactly one subject/,
    ],
    [
      'a subject digest that is not SHA-256 hex',
      () =>
        envelopeOf(
          statementJson(
            (s) => (s.subject = [{ name: 'paddock:x', digest: { sha256: 'D'.repeat(64) } }]),
          ),
        ),
      /subject\.0\.digest\.sha256: expected a SHA-256/,
    ],
    [
      'an unknown decision',
      () => envelopeOf(statementJson((s) => (predicateOf(s).decision = 'maybe'))),
      /predicate\.decision: expected approve or reject/,
    ],
    [
      'a rejection without a reason',
      () =>
        envelopeOf(
          statementJson((s) => {
            predicateOf(s).decision = 'reject';
            predicateOf(s).reason = null;
          }),
        ),
      /predicate\.reason: a rejection needs a reason/,
    ],
    [
      'an unknown predicate field',
      () => envelopeOf(statementJson((s) => (predicateOf(s).override = true))),
      /predicate: /,
    ],
    [
      'a signedAt that is not a date',
      () => envelopeOf(statementJson((s) => (predicateOf(s).signedAt = 'yesterday'))),
      /predicate\.signedAt: expected an ISO 8601 date and time/,
    ],
  ] as const)('%s', async (_what, make, message) => {
    const envelope: unknown = await make();
    expect(() => openEnvelope(envelope)).toThrow(SignoffError);
    expect(() => openEnvelope(envelope)).toThrow(message);
  });
});
