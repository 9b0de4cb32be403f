/**
 * `paddock audit verify` on a store file changed behind Paddock's back: an edited payload, a
 * deleted row, two blobs swapped. Each is caught and named.
 */
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../shared/audit';
import { paddock } from '../test-support/cli';
import {
  DELETE_ROW_3,
  EDIT_PAYLOAD_3,
  storeOfTenEvents,
  swapBlobs,
  tamper,
} from '../test-support/tampered-store';
import { tempDir } from '../test-support/temp';

function verified(home: string): { code: number | null; report: VerifyReport; text: string } {
  const json = paddock(home, ['audit', 'verify', '--json']);
  const text = paddock(home, ['audit', 'verify']);
  return { code: json.code, report: JSON.parse(json.stdout) as VerifyReport, text: text.stdout };
}

describe('paddock audit verify on a tampered store', () => {
  it('passes the untouched store', () => {
    const { home } = storeOfTenEvents(tempDir());
    expect(verified(home)).toMatchObject({ code: 0, report: { ok: true, events: 10 } });
  });

  it.each([
    ['an edited payload', () => EDIT_PAYLOAD_3, 'edited', 3],
    ['a deleted row', () => DELETE_ROW_3, 'deleted', 4],
  ])('catches %s and names the first broken link', (_what, sql, kind, seq) => {
    const { home } = storeOfTenEvents(tempDir());
    tamper(home, sql());
    const { code, report, text } = verified(home);
    expect(code).toBe(1);
    expect(report.problems[0]).toMatchObject({ kind, seq });
    expect(text).toContain(kind);
    expect(text).toContain(`#${seq}`);
  });

  it('catches two blobs swapped', () => {
    const { home, blobs } = storeOfTenEvents(tempDir());
    const [a, b] = blobs as [string, string];
    tamper(home, swapBlobs(a, b));
    const { code, report } = verified(home);
    expect(code).toBe(1);
    expect(report.problems.map((problem) => problem.kind)).toEqual([
      'blob-swapped',
      'blob-swapped',
    ]);
  });
});
