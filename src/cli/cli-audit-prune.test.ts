import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { PruneReport, VerifyReport } from '../shared/audit';
import { paddockPaths } from '../main/core/home';
import { AuditStore, BlobWriter } from '../main/core/store';
import { startHeadlessHost } from '../main/server';
import { paddock, paddockAsync } from '../test-support/cli';
import { tempDir } from '../test-support/temp';
import { parseBefore } from './commands/audit';

const DAY = 86_400_000;

/** A home with 60-day-old terminal output (60 chunks of 64 KiB) and yesterday's (5 chunks). */
function homeWithOldOutput(): string {
  const home = tempDir();
  const clock = { now: new Date(Date.now() - 60 * DAY) };
  const store = AuditStore.open({ home, now: () => clock.now });
  const writer = BlobWriter.open(home);
  const record = (sessionId: string) => {
    const [hash] = writer.putMany([randomBytes(64 * 1024)]);
    store.append({
      kind: 'terminal.output',
      actor: 'system',
      actorId: 'recorder',
      sessionId,
      payload: { bytes: 64 * 1024 },
      storedBlobs: [hash as string],
    });
  };
  for (let i = 0; i < 60; i++) record('ses_0000000a');
  clock.now = new Date(Date.now() - DAY);
  for (let i = 0; i < 5; i++) record('ses_0000000b');
  writer.close();
  store.close();
  return home;
}

describe('paddock audit prune', () => {
  it('drops old content, says what it freed, and verify reports the drop', () => {
    const home = homeWithOldOutput();
    const blobFile = paddockPaths(home).blobFile;
    const sizeBefore = statSync(blobFile).size;

    const pruned = paddock(home, ['audit', 'prune', '--before', '30d']);
    expect(pruned.stderr).toBe('');
    expect(pruned.code).toBe(0);
    const lines = pruned.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^Dropped the content of 60 blobs \(3\.8 MiB\) that only events older than \S+ name: 60 events, written \S+ \S+ – \S+ \S+\.$/,
    );
    expect(lines[1]).toBe(
      'Each has a tombstone (events #66–#125); the events stay, and `paddock audit verify` reports the drop.',
    );
    expect(lines[2]).toMatch(
      /^paddock\.db: .*; paddock-blobs\.db: [\d.]+ MiB → [\d.]+ KiB \(vacuum\)\.$/,
    );
    expect(statSync(blobFile).size).toBeLessThan(sizeBefore / 5);

    const verified = paddock(home, ['audit', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(
      'blobs: 5 present, 60 dropped with a tombstone, 65 referenced',
    );
    expect(verified.stdout).toMatch(
      new RegExp(
        `  dropped: 60 blobs \\(3\\.8 MiB\\) by person:${userInfo().username}, on \\S+ \\S+: pruned by hand: content older than `,
      ),
    );
    const json = JSON.parse(paddock(home, ['audit', 'verify', '--json']).stdout) as VerifyReport;
    expect(json.dropped).toMatchObject([
      { actor: 'person', blobs: 60, bytes: 60 * 64 * 1024, events: 60 },
    ]);

    // Again: nothing left to drop, nothing written.
    const again = JSON.parse(
      paddock(home, ['audit', 'prune', '--before', '30d', '--json']).stdout,
    ) as PruneReport;
    expect(again).toMatchObject({ blobs: 0, bytes: 0, tombstones: null });
    expect(paddock(home, ['audit', 'prune', '--before', '30d']).stdout).toMatch(
      /^Nothing to drop: no stored content is named only by events older than /,
    );
  });

  it('prints the report as JSON, with the reason given', () => {
    const home = homeWithOldOutput();
    const result = paddock(home, [
      'audit',
      'prune',
      '--before',
      new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10),
      '--reason',
      'disk full',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as PruneReport;
    expect(report).toMatchObject({ reason: 'disk full', blobs: 60, events: 60, kept: 0 });
    expect(report.files.map((f) => f.name)).toEqual(['paddock.db', 'paddock-blobs.db']);
    const tail = JSON.parse(paddock(home, ['audit', 'tail', '--json', '-n', '1']).stdout) as {
      kind: string;
    };
    expect(tail.kind).toBe('audit.pruned');
  });

  it('goes through the running host', async () => {
    const home = homeWithOldOutput();
    const host = await startHeadlessHost({ home, staticDir: null });
    try {
      const result = await paddockAsync(home, ['audit', 'prune', '--before', '30d', '--json']);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toMatchObject({ blobs: 60 });
    } finally {
      await host.close();
    }
  });

  it('refuses a time it cannot read, or one in the future', () => {
    const home = tempDir();
    const bad = paddock(home, ['audit', 'prune', '--before', 'last tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--before takes a date .* not "last tuesday"/);
    const future = paddock(home, ['audit', 'prune', '--before', '2999-01-01']);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/is in the future/);
  });

  it('reads dates, dates and times, and ages', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    expect(parseBefore('30d', now).toISOString()).toBe('2026-01-30T12:00:00.000Z');
    expect(parseBefore('12h', now).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseBefore('2w', now).toISOString()).toBe('2026-02-15T12:00:00.000Z');
    expect(parseBefore('0d', now).toISOString()).toBe(now.toISOString());
    expect(parseBefore('2026-01-31', now).toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(parseBefore('2026-01-31T08:30:00Z', now).toISOString()).toBe('2026-01-31T08:30:00.000Z');
    expect(parseBefore('2026-01-31T08:30:00+02:00', now).toISOString()).toBe(
      '2026-01-31T06:30:00.000Z',
    );
    expect(() => parseBefore('30 days', now)).toThrow(/--before takes/);
  });
});
