/**
 * The recording thread's entry point (a worker thread, one per Paddock home): receives the bytes
 * of every terminal, redacts and stores them (recording-hub.ts), and answers with the events to
 * append. Built as its own bundle entry (`out/main/recording-worker.js`); from source it runs
 * through tsx (see recording-thread.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BlobWriter } from '../store';
import { RecordingHub } from './recording-hub';
import type { FromRecordingThread, ToRecordingThread } from './recording-protocol';
import type { RecordingWorkerData } from './recording-thread';

const port = parentPort;
if (!port) throw new Error('recording-worker runs as a worker thread only.');
const { home, options } = workerData as RecordingWorkerData;
const writer = BlobWriter.open(home);
const hub = new RecordingHub(
  writer,
  (message: FromRecordingThread) => port.postMessage(message),
  options,
);

port.on('message', (message: ToRecordingThread) => {
  try {
    hub.handle(message);
  } catch (error) {
    // A bad message is reported on its recording; the thread goes on for the others.
    const ids = 'id' in message ? [message.id] : [];
    port.postMessage({ type: 'failed', ids, message: (error as Error).message });
  }
  if (message.type !== 'shutdown') return;
  writer.close();
  port.postMessage({ type: 'closed' } satisfies FromRecordingThread);
  port.close();
});
