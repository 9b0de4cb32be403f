/**
 * One command on an open connection: output interleaved and capped, and a timeout that ends the
 * command on the host as well as here.
 *
 * Ending it takes some doing: sshd ignores a `signal` request for a root login (no privilege
 * separation after login), and closing the channel leaves a command without a terminal running.
 * So the login shell first reports its PID on stderr, behind a one-time marker that is taken out of
 * the output: sshd makes each session's shell a process group leader, and a timeout kills that
 * group through a second channel. (This needs a POSIX-style login shell: sh, bash, zsh, ksh.)
 */
import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { SshError } from './errors';

export interface SshExecOptions {
  /** After this, the command's process group is killed and its channel closed. */
  timeoutMs: number;
  /** Output kept (stdout and stderr together); the rest is read and dropped. */
  maxOutputBytes: number;
  /** Every chunk as it arrives, even past the cap. */
  onData?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /** Ends the command on the host as the timeout does; the result then has `aborted` set. */
  signal?: AbortSignal;
}

export interface SshExecResult {
  /** Null when it ended on a signal, or timed out. */
  exitCode: number | null;
  /** The signal's name without SIG (`KILL`), when it ended on one. */
  signal: string | null;
  timedOut: boolean;
  /** Ended by the caller's AbortSignal. */
  aborted: boolean;
  /** Stdout and stderr in the order they arrived, cut at maxOutputBytes. */
  output: string;
  truncated: boolean;
  durationMs: number;
}

/** How long a killed command's channel may take to close before the result is given anyway. */
const CLOSE_GRACE_MS = 2000;
/** The marker is looked for this far into stderr (a .bashrc may write there first). */
const MARKER_WINDOW = 4096;

export async function execOnClient(
  client: Client,
  command: string,
  options: SshExecOptions,
): Promise<SshExecResult> {
  // Nothing starts on the host for a caller that gave up already.
  options.signal?.throwIfAborted();
  const started = performance.now();
  const marker = `paddock-pgid-${randomBytes(6).toString('hex')}:`;
  // On a line of its own, so a syntax error in the command cannot stop it from running first.
  const script = `printf '${marker}%s\\n' "$$" >&2\n${command}`;
  const channel = await openChannel(client, 'run the command', (done) => client.exec(script, done));
  const result = await collect(client, channel, marker, options);
  return { ...result, durationMs: performance.now() - started };
}

/** A new channel; ssh2 throws at once on a connection that is gone, and calls back otherwise. */
export function openChannel(
  client: Client,
  what: string,
  open: (done: (error: Error | undefined, channel: ClientChannel) => void) => void,
): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const refused = (error: Error) =>
      new SshError('connect', `The host refused to ${what}: ${error.message}.`);
    try {
      open((error, channel) => (error ? reject(refused(error)) : resolve(channel)));
    } catch (error) {
      reject(refused(error as Error));
    }
  });
}

function collect(
  client: Client,
  channel: ClientChannel,
  marker: string,
  options: SshExecOptions,
): Promise<Omit<SshExecResult, 'durationMs'>> {
  const output = cappedOutput(options.maxOutputBytes);
  const emit = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    if (chunk.length === 0) return;
    output.add(chunk);
    options.onData?.(chunk, stream);
  };
  // A command ended before its PID was read (an abort right after the start) is killed once it is.
  let killOnPgid = false;
  const stderr = markerFilter(marker, emit('stderr'), (pgid) => {
    if (!killOnPgid) return;
    killOnPgid = false;
    killGroup(client, channel, pgid);
  });
  let exitCode: number | null = null;
  let signal: string | null = null;
  let ended: 'timeout' | 'abort' | null = null;
  channel.on('data', emit('stdout'));
  channel.stderr.on('data', stderr.push);
  channel.on('exit', (code: number | null, signalName?: string) => {
    exitCode = typeof code === 'number' ? code : null;
    signal = signalName ?? null;
  });
  return new Promise((resolve) => {
    let grace: NodeJS.Timeout | undefined;
    const finish = () => {
      if (killOnPgid) channel.close();
      clearTimeout(timer);
      clearTimeout(grace);
      options.signal?.removeEventListener('abort', onAbort);
      stderr.flush();
      resolve({
        exitCode: ended ? null : exitCode,
        signal: ended ? null : signal,
        timedOut: ended === 'timeout',
        aborted: ended === 'abort',
        ...output.result(),
      });
    };
    const end = (why: 'timeout' | 'abort') => {
      if (ended) return;
      ended = why;
      const pgid = stderr.pgid();
      if (pgid !== null) killGroup(client, channel, pgid);
      else {
        // Honoured for logins other than root; the group is killed once its PID is read.
        killOnPgid = true;
        channel.signal('KILL');
      }
      grace = setTimeout(finish, CLOSE_GRACE_MS);
    };
    const onAbort = () => end('abort');
    const timer = setTimeout(() => end('timeout'), options.timeoutMs);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    channel.once('close', finish);
  });
}

/** Ends a timed-out command: its process group through another channel, then its own channel. */
function killGroup(client: Client, channel: ClientChannel, pgid: number): void {
  // Honoured for logins other than root; harmless where refused.
  channel.signal('KILL');
  client.exec(`kill -KILL -- -${pgid} ${pgid} 2>/dev/null`, (error, killer) => {
    if (!error) killer.resume().on('close', () => channel.close());
    else channel.close();
  });
}

/** Takes the marker line out of stderr and keeps the PID it gives; everything else passes on. */
function markerFilter(
  marker: string,
  pass: (chunk: Buffer) => void,
  onPgid: (pgid: number) => void,
) {
  const pattern = new RegExp(`${marker}(\\d+)\\n`);
  let pending: Buffer | null = Buffer.alloc(0);
  let pgid: number | null = null;
  const flush = () => {
    if (pending) pass(pending);
    pending = null;
  };
  return {
    push(chunk: Buffer) {
      if (!pending) return pass(chunk);
      pending = Buffer.concat([pending, chunk]);
      const text = pending.toString('latin1');
      const found = pattern.exec(text);
      if (found) {
        pgid = Number(found[1]);
        onPgid(pgid);
        const rest = pending;
        pending = null;
        pass(rest.subarray(0, found.index));
        pass(rest.subarray(found.index + found[0].length));
      } else if (pending.length > MARKER_WINDOW) flush();
    },
    flush,
    pgid: () => pgid,
  };
}

function cappedOutput(maxBytes: number) {
  const kept: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    add(chunk: Buffer) {
      const room = maxBytes - size;
      if (chunk.length > room) truncated = true;
      if (room <= 0) return;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      kept.push(part);
      size += part.length;
    },
    result: () => ({ output: Buffer.concat(kept).toString('utf8'), truncated }),
  };
}
