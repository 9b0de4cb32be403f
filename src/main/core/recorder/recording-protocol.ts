/**
 * The messages between the main thread (`TerminalRecorder`, `RecordingThread`) and the recording
 * thread (`RecordingHub`). Recordings are numbered by the main thread; every message about one
 * carries its number. Messages are handled in the order sent, so a resize or a flush comes after
 * every byte sent before it.
 */
import type { AppendInput } from '../store';
import type { Screen } from './screen-tail';
import type { StreamName } from './stream-recorder';

/** `[ms since the recording started, bytes]`: when each run of a data message's bytes arrived. */
export type Arrival = [ms: number, bytes: number];

export type ToRecordingThread =
  | {
      type: 'open';
      id: number;
      sessionId: string;
      cols: number;
      rows: number;
      /** Exact secret values to redact. */
      knownValues: string[];
      /** The vault's secrets, redacted as `[secret:NAME]` in every spelling. */
      knownSecrets?: Array<{ name: string; value: string }>;
      chunkBytes?: number;
    }
  | { type: 'data'; id: number; stream: StreamName; bytes: Uint8Array; arrivals: Arrival[] }
  | { type: 'resize'; id: number; cols: number; rows: number; ms: number }
  /** Redact and store everything received; answered by `done` with the ticket. */
  | { type: 'flush'; id: number; ticket: number }
  | { type: 'close'; id: number; ms: number; ticket: number }
  /** What the terminal shows now (screen-tail.ts); answered by `screen` with the ticket. */
  | { type: 'screen'; id: number; ticket: number }
  /** Store everything pending, close the blob file, answer `closed`. */
  | { type: 'shutdown' };

/** Events of one recording, each chunk's content already durable in the blob file. */
export interface RecordingBatch {
  id: number;
  events: AppendInput[];
  /** Original bytes of this recording the thread has taken in, so far (both streams). */
  consumed: number;
}

export type FromRecordingThread =
  | { type: 'events'; batches: RecordingBatch[]; done: Array<{ id: number; ticket: number }> }
  /** Storing failed; the events stay pending and are tried again. */
  | { type: 'failed'; ids: number[]; message: string }
  | { type: 'screen'; ticket: number; screen: Screen }
  | { type: 'closed' };
