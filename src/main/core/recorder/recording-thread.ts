/**
 * The main thread's side of the recording thread: starts the worker, numbers recordings, sends
 * their bytes, and appends the events the thread answers with to the audit store, one transaction
 * per answer.
 *
 * Why a thread: the main thread reads every agent's terminal. Redacting and storing 100 MB there
 * would stall those reads (a pty buffers only a few KiB, so the agent stalls too); here the main
 * thread only copies bytes into a message, and the thread does the rest on the other core. See
 * README.md for the figures.
 *
 * If the thread dies, every open recording hears of it (`RecordingClient.failed`): the session
 * manager stops sessions it can no longer record, rather than run them unrecorded.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AppendInput, AuditStore } from '../store';
import type { RecordingHubOptions } from './recording-hub';
import type { FromRecordingThread, ToRecordingThread } from './recording-protocol';
import type { Screen } from './screen-tail';
import { RECORDER_ACTOR } from './stream-recorder';

export const RECORDING_VERSION = 1;

/** What a recording hears from the thread. */
export interface RecordingClient {
  /** The thread has taken in this many original bytes of the recording so far. */
  consumed(bytes: number): void;
  failed(error: Error): void;
}

/** What the thread starts with. */
export interface RecordingWorkerData {
  home: string;
  options: RecordingHubOptions;
}

type OpenMessage = Extract<ToRecordingThread, { type: 'open' }>;
type Ticketed = Extract<ToRecordingThread, { ticket: number }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Waiter {
  resolve: (value?: Screen) => void;
  reject: (error: Error) => void;
}

/** A failed append is tried again this often while events wait. */
const RETRY_MS = 1000;

export class RecordingThread {
  private readonly worker: Worker;
  private readonly clients = new Map<number, RecordingClient>();
  private readonly waiters = new Map<number, Waiter>();
  private unappended: AppendInput[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private nextTicket = 1;
  private failure: Error | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly store: AuditStore,
    options: RecordingHubOptions,
  ) {
    this.worker = startWorker({ home: store.paths.home, options });
    this.holdProcess();
    this.worker.on('message', (message: FromRecordingThread) => this.receive(message));
    this.worker.on('error', (error) => this.die(error));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.die(new Error(`The recording thread exited (code ${code}).`));
        resolve();
      }),
    );
  }

  /** Starts the thread that records terminals into `store` (and its blob file). */
  static start(store: AuditStore, options: RecordingHubOptions = {}): RecordingThread {
    return new RecordingThread(store, options);
  }

  /** False once the thread has died or been closed: start a new one for new recordings. */
  get alive(): boolean {
    return this.failure === null;
  }

  /** Starts a recording: `terminal.started` is in the store when this returns. */
  open(client: RecordingClient, recording: Omit<OpenMessage, 'type' | 'id'>): number {
    this.assertAlive();
    const id = this.nextId++;
    const { sessionId, cols, rows } = recording;
    this.store.append({
      kind: 'terminal.started',
      ...RECORDER_ACTOR,
      sessionId,
      payload: { version: RECORDING_VERSION, cols, rows },
    });
    this.clients.set(id, client);
    this.worker.postMessage({ type: 'open', id, ...recording } satisfies ToRecordingThread);
    this.holdProcess();
    return id;
  }

  /** Sends bytes (whose buffer is handed over: the caller must not use it again) or a resize. */
  send(message: Extract<ToRecordingThread, { type: 'data' | 'resize' }>): void {
    this.assertAlive();
    if (message.type === 'data')
      this.worker.postMessage(message, [message.bytes.buffer as ArrayBuffer]);
    else this.worker.postMessage(message);
  }

  /** A flush or close; resolves once its events are in the store. */
  request(message: DistributiveOmit<Ticketed, 'ticket'>): Promise<void> {
    if (message.type === 'close') this.clients.delete(message.id);
    return this.ask<undefined>(message);
  }

  private ask<T>(message: DistributiveOmit<Ticketed, 'ticket'>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const ticket = this.nextTicket++;
    const answer = new Promise<T>((resolve, reject) => {
      this.waiters.set(ticket, { resolve: resolve as Waiter['resolve'], reject });
      this.worker.postMessage({ ...message, ticket } as ToRecordingThread);
    });
    this.holdProcess();
    return answer;
  }

  /** What recording `id`'s terminal shows after everything sent so far. */
  screen(id: number): Promise<Screen> {
    return this.ask<Screen>({ type: 'screen', id });
  }

  /** Stores everything sent so far and ends the thread. */
  async close(): Promise<void> {
    if (this.failure) return;
    this.worker.postMessage({ type: 'shutdown' } satisfies ToRecordingThread);
    this.worker.ref(); // until it has stored the last events
    await this.exited;
    this.appendWaiting();
  }

  private receive(message: FromRecordingThread): void {
    if (message.type === 'failed') {
      const error = new Error(`The recording could not be stored: ${message.message}`);
      for (const id of message.ids) this.clients.get(id)?.failed(error);
      return;
    }
    if (message.type === 'closed') {
      this.failure = new Error('The recording thread was closed.');
      return;
    }
    if (message.type === 'screen') return this.answer(message.ticket, message.screen);
    for (const batch of message.batches) this.unappended.push(...batch.events);
    const error = this.appendWaiting();
    for (const batch of message.batches) this.clients.get(batch.id)?.consumed(batch.consumed);
    for (const { ticket } of message.done) this.answer(ticket, undefined, error);
  }

  private answer(ticket: number, value?: Screen, error?: Error | null): void {
    const waiter = this.waiters.get(ticket);
    this.waiters.delete(ticket);
    if (error) waiter?.reject(error);
    else waiter?.resolve(value);
    this.holdProcess();
  }

  /** The thread keeps the process alive while a recording is open or an answer is awaited. */
  private holdProcess(): void {
    if (this.clients.size > 0 || this.waiters.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  /** Appends what waits, in one transaction; on failure keeps it and tries again later. */
  private appendWaiting(): Error | null {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.unappended.length === 0) return null;
    try {
      this.store.appendMany(this.unappended);
      this.unappended = [];
      return null;
    } catch (cause) {
      const error = new Error(`Recorded events could not be appended: ${(cause as Error).message}`);
      for (const client of this.clients.values()) client.failed(error);
      this.retryTimer = setTimeout(() => this.appendWaiting(), RETRY_MS);
      this.retryTimer.unref();
      return error;
    }
  }

  private die(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const client of this.clients.values()) client.failed(error);
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.clients.clear();
    this.waiters.clear();
    this.holdProcess();
  }

  private assertAlive(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * The built entry sits beside the bundle (`out/main/recording-worker.js`); from source (tests,
 * benchmarks) tsx compiles the TypeScript entry inside the thread.
 */
function startWorker(workerData: RecordingWorkerData): Worker {
  const options = { workerData };
  const built = join(__dirname, 'recording-worker.js');
  if (existsSync(built)) return new Worker(built, options);
  const source = join(__dirname, 'recording-worker.ts');
  if (!existsSync(source))
    throw new Error(`The recording thread's code is missing (${built}). Run \`npm run build\`.`);
  const tsx = createRequire(source).resolve('tsx/cjs');
  const code = `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`;
  return new Worker(code, { ...options, eval: true });
}
