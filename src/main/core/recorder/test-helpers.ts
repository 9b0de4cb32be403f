/** Shared by the recorder's tests: a store in a temp dir, recorders on a real thread, reading back. */
import { afterEach } from 'vitest';
import type { AuditEvent } from '../../../shared/audit';
import { tempDir } from '../../../test-support/temp';
import { AuditStore } from '../store';
import type { RecordingHubOptions } from './recording-hub';
import { RecordingThread } from './recording-thread';
import { TerminalRecorder, type TerminalRecorderOptions } from './terminal-recorder';

export function openStore(home = tempDir()): AuditStore {
  return AuditStore.open({ home });
}

const threads: RecordingThread[] = [];
afterEach(async () => {
  await Promise.all(threads.splice(0).map((thread) => thread.close()));
});

/** A recording thread on `store`, closed after the test. */
export function startThread(store: AuditStore, options: RecordingHubOptions = {}): RecordingThread {
  const thread = RecordingThread.start(store, options);
  threads.push(thread);
  return thread;
}

export type RecorderSetup = Partial<Omit<TerminalRecorderOptions, 'thread'>> & {
  store?: AuditStore;
  hub?: RecordingHubOptions;
};

/** A recorder for session `session-1` (120x40) on its own thread, with a hand-driven clock. */
export function recorderFor(setup: RecorderSetup = {}) {
  const { store = openStore(), hub, ...options } = setup;
  const clock = manualClock();
  const thread = startThread(store, hub);
  const recorder = new TerminalRecorder({
    thread,
    sessionId: 'session-1',
    cols: 120,
    rows: 40,
    now: clock.now,
    ...options,
  });
  return { store, clock, recorder, thread };
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
