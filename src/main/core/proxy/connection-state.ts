import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { packageFetch } from './registry';
import type { ConnectionOutcome, ConnectionRecord, RequestRecord } from './types';

export interface RecordSinks {
  onConnection: (record: ConnectionRecord) => void;
  onRequest?: (record: RequestRecord) => void;
}

export interface RequestFields {
  host: string;
  port: number;
  method: string;
  path: string;
  inspected: boolean;
}

/**
 * Everything known about one client connection; turned into exactly one record once the client
 * has gone and every request on it has been recorded, so a connection's request records always
 * come before its connection record.
 */
export class ConnectionState {
  readonly startedAt = performance.now();
  host: string | null = null;
  port: number | null = null;
  address: string | null = null;
  method: string | undefined;
  path: string | undefined;
  outcome: ConnectionOutcome = 'invalid';
  rule = 'closed before a request head arrived';
  seenHead = false;
  inspected = false;
  requests = 0;
  /** Every upstream connection this client caused (an inspected tunnel may use several). */
  readonly upstreams = new Set<Socket>();
  // The client socket itself holds the record back until it closes.
  private holds = 1;

  constructor(private readonly sinks: RecordSinks) {}

  settle(outcome: ConnectionOutcome, rule: string): void {
    this.outcome = outcome;
    this.rule = rule;
  }

  /** Called once, when the client socket closes. */
  clientClosed(): void {
    for (const upstream of this.upstreams) upstream.destroy();
    this.release();
  }

  /** Starts the record of one request on this connection. */
  openRequest(fields: RequestFields): RequestLog {
    this.requests += 1;
    this.holds += 1;
    return new RequestLog(fields, (record) => {
      this.sinks.onRequest?.(record);
      this.release();
    });
  }

  private release(): void {
    this.holds -= 1;
    if (this.holds === 0) this.sinks.onConnection(this.record());
  }

  private record(): ConnectionRecord {
    const visible = this.method === undefined ? {} : { method: this.method, path: this.path };
    let bytesUp = 0;
    let bytesDown = 0;
    // Counted on the upstream leg: what actually left for and came from the remote host. On a
    // TLS socket Node counts the decrypted bytes, so an inspected tunnel counts plain HTTP.
    for (const upstream of this.upstreams) {
      bytesUp += upstream.bytesWritten;
      bytesDown += upstream.bytesRead;
    }
    return {
      host: this.host,
      port: this.port,
      address: this.address,
      ...visible,
      bytesUp,
      bytesDown,
      decision: this.outcome,
      rule: this.rule,
      durationMs: Math.round(performance.now() - this.startedAt),
      inspected: this.inspected,
      requests: this.requests,
    };
  }
}

/** One request's audit record, emitted exactly once when its response is over. */
export class RequestLog {
  private readonly startedAt = performance.now();
  // Until a decision is known, the only way to end is the client leaving.
  private outcome: ConnectionOutcome = 'failed';
  private rule = 'client left before the request was decided';
  private bytesUp = 0;
  private bytesDown = 0;
  private done = false;
  private guardNote: string | undefined;

  constructor(
    private readonly fields: RequestFields,
    private readonly emit: (record: RequestRecord) => void,
  ) {}

  get finished(): boolean {
    return this.done;
  }

  settle(outcome: ConnectionOutcome, rule: string): void {
    if (this.done) return;
    this.outcome = outcome;
    this.rule = rule;
  }

  /** What the request guard did, kept in the record. */
  note(text: string | undefined): void {
    this.guardNote = text;
  }

  countUp(body: Readable): void {
    body.on('data', (chunk: Buffer) => (this.bytesUp += chunk.length));
  }

  countDown(body: Readable): void {
    body.on('data', (chunk: Buffer) => (this.bytesDown += chunk.length));
  }

  /** Finishes the record when the response closes, with the status the client was sent. */
  finishWith(res: ServerResponse): void {
    res.once('close', () => this.finish(res.headersSent ? res.statusCode : null));
  }

  finish(status: number | null): void {
    if (this.done) return;
    this.done = true;
    const { method, host, path } = this.fields;
    const fetch = method === 'GET' || method === 'HEAD' ? packageFetch(host, path) : null;
    this.emit({
      ...this.fields,
      status,
      decision: this.outcome,
      rule: this.rule,
      bytesUp: this.bytesUp,
      bytesDown: this.bytesDown,
      durationMs: Math.round(performance.now() - this.startedAt),
      packages: fetch ? [fetch] : [],
      ...(this.guardNote === undefined ? {} : { guard: this.guardNote }),
    });
  }
}
