import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../../shared/audit';
import { canonicalJson } from './canonical-json';
import { eventHash, sha256Hex, type HashedRow } from './event-hash';

describe('eventHash', () => {
  it('is sha256(prev_hash ‖ canonical JSON of the row without its hash)', () => {
    const row: HashedRow = {
      id: 'e1',
      ts: '2026-11-22T00:00:00.000Z',
      session_id: 's"1',
      kind: 'doctor.ran',
      actor: 'person',
      actor_id: 'ada',
      payload: { z: 1, a: ['x', { q: null }] },
      blobs: ['ab'],
      prev_hash: GENESIS_HASH,
      session_prev_hash: GENESIS_HASH,
    };
    const expected = sha256Hex(GENESIS_HASH + canonicalJson(row));
    expect(eventHash(row, canonicalJson(row.payload))).toBe(expected);
    expect(
      eventHash({ ...row, session_id: null, session_prev_hash: null }, canonicalJson(row.payload)),
    ).toBe(
      sha256Hex(
        GENESIS_HASH + canonicalJson({ ...row, session_id: null, session_prev_hash: null }),
      ),
    );
  });
});
