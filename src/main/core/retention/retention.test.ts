import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../shared/audit';
import { tempDir } from '../../../test-support/temp';
import { SettingsService } from '../settings';
import { AuditStore } from '../store';
import { retentionDays, startRetention } from './index';

const ADA = { actor: 'person', actorId: 'ada' } as const;

/** A store whose clock the test sets, with January and March output in it. */
function storeWithOutput() {
  const clock = { now: new Date('2026-01-10T12:00:00.000Z') };
  const store = AuditStore.open({ home: tempDir(), now: () => clock.now });
  const exec = (output: string) =>
    store.append({ kind: 'session.exec', actor: 'person', actorId: 'ada', blobs: [output] });
  const january = exec('January output');
  clock.now = new Date('2026-03-10T12:00:00.000Z');
  const march = exec('March output');
  return { store, clock, january, march, settings: new SettingsService(store) };
}

const pruned = (store: AuditStore) =>
  store.list({ limit: 1000 }).filter((e) => e.kind === 'audit.pruned');

function appended(store: AuditStore, kind: string): Promise<AuditEvent> {
  return new Promise((resolve) => {
    const stop = store.onAppend((events) => {
      const found = events.find((e) => e.kind === kind);
      if (found) {
        stop();
        resolve(found);
      }
    });
  });
}

describe('retention', () => {
  it('reads the setting: a number of days, or keep everything', () => {
    expect(retentionDays(30)).toBe(30);
    expect(retentionDays(0)).toBeNull();
    expect(retentionDays('')).toBeNull();
  });

  it('keeps everything by default', async () => {
    const { store, settings, january } = storeWithOutput();
    const retention = startRetention({ store, settings, startDelayMs: 60_000 });
    expect(await retention.run()).toBeNull();
    expect(store.getBlob(january.blobs[0] as string)).not.toBeNull();
    expect(pruned(store)).toEqual([]);
    await retention.stop();
  });

  it('applies the setting at start: content older than that many days goes, with a summary event', async () => {
    const { store, clock, settings, january, march } = storeWithOutput();
    settings.set('audit.retentionDays', 30, ADA);
    const summary = appended(store, 'audit.pruned');
    const retention = startRetention({ store, settings, startDelayMs: 0, now: () => clock.now });
    expect(await summary).toMatchObject({
      actor: 'system',
      actorId: 'retention',
      payload: {
        before: '2026-02-08T12:00:00.000Z',
        reason: 'retention: older than 30 days',
        blobs: 1,
        events: 1,
      },
    });
    expect(store.getBlob(january.blobs[0] as string)).toBeNull();
    expect(store.getBlob(march.blobs[0] as string)?.toString()).toBe('March output');
    expect(store.verify()).toMatchObject({
      ok: true,
      dropped: [{ actorId: 'retention', reason: 'retention: older than 30 days', blobs: 1 }],
    });
    // Run again (the daily run): nothing more to drop, nothing written.
    expect(await retention.run()).toMatchObject({ blobs: 0 });
    expect(pruned(store)).toHaveLength(1);
    await retention.stop();
  });

  it('applies a change of the setting soon after it is made', async () => {
    const { store, clock, settings, january } = storeWithOutput();
    const retention = startRetention({
      store,
      settings,
      startDelayMs: 10,
      now: () => clock.now,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pruned(store)).toEqual([]);
    const summary = appended(store, 'audit.pruned');
    settings.set('audit.retentionDays', 7, ADA);
    await summary;
    expect(store.getBlob(january.blobs[0] as string)).toBeNull();
    await retention.stop();
  });

  it('runs daily (here: every 20 ms) until stopped', async () => {
    const { store, clock, settings } = storeWithOutput();
    settings.set('audit.retentionDays', 30, ADA);
    let runs = 0;
    const retention = startRetention({
      store,
      settings,
      startDelayMs: 60_000,
      intervalMs: 20,
      now: () => {
        runs++;
        return clock.now;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 90));
    await retention.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    const after = runs;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runs).toBe(after);
    expect(pruned(store)).toHaveLength(1);
  });
});
