/** Shared by the recorder's tests: a store in a temp dir, a hand-driven clock, reading back. */
import type { AuditEvent } from '../../../shared/audit';
import { tempDir } from '../../../test-support/temp';
import { AuditStore } from '../store';

export function openStore(home = tempDir()): AuditStore {
  return AuditStore.open({ home });
}

/** A clock the test moves: `now` for the recorder, `to(ms)` to set it. */
export function manualClock(start = 1_000) {
  let ms = start;
  return { now: () => ms, to: (at: number) => void (ms = start + at) };
}

export function sessionEvents(store: AuditStore, sessionId: string): AuditEvent[] {
  return store.list({ sessionId, limit: 10_000 });
}

/** One direction's recorded bytes, chunk after chunk. */
export function recorded(store: AuditStore, sessionId: string, stream = 'output'): Buffer {
  const chunks = sessionEvents(store, sessionId)
    .filter((event) => event.kind === `terminal.${stream}`)
    .map((event) => store.getBlob(event.blobs[0] ?? '') ?? Buffer.alloc(0));
  return Buffer.concat(chunks);
}
