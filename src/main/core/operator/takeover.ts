/**
 * Taking over an operator run's host: the person gets an interactive login shell there, shown in
 * the run's session terminal. The terminal is lent to them, so their keys, their window's size and
 * the shell's output are recorded like an agent's terminal (redacted, replayable); nothing typed
 * on the host goes unrecorded. The run holds meanwhile (loop.ts). `exit` in the shell, or handing
 * back, ends it; the end of what the terminal showed is kept for the model's next turn.
 */
import { stripEscapes } from '../recorder';
import type { OtherRecording, TerminalSize } from '../sessions';

/** The host's side: an SSH channel with a terminal (ssh2's ClientChannel is one). */
export interface HostTerminal {
  write(data: string): unknown;
  setWindow(rows: number, cols: number, height: number, width: number): unknown;
  close(): unknown;
  pause(): unknown;
  resume(): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  stderr: { on(event: 'data', listener: (chunk: Buffer) => void): unknown };
}

/** Raw output kept for the screen's end: enough for a full terminal's worth of text. */
const KEPT_BYTES = 64 * 1024;
/** The lines of the end of the screen the model is shown. */
const SCREEN_LINES = 60;

export class Takeover {
  readonly startedAt = Date.now();
  /** Resolves once the shell has closed and the terminal is handed back. */
  readonly closed: Promise<void>;
  private kept: Buffer[] = [];
  private keptBytes = 0;

  constructor(
    private readonly shell: HostTerminal,
    recording: OtherRecording,
    size: TerminalSize,
    /** Told once, when the shell has closed, with the end of what the terminal showed. */
    onClose: (screen: string) => void,
  ) {
    const giveBack = recording.lend(
      {
        write: (data) => shell.write(data),
        resize: (cols, rows) => shell.setWindow(rows, cols, 0, 0),
        // The recording is behind (a flood of output): the host's side waits, nothing is dropped.
        hold: (behind) => (behind ? shell.pause() : shell.resume()),
      },
      size,
    );
    const decoder = new TextDecoder();
    const show = (chunk: Buffer) => {
      this.keep(chunk);
      recording.write(decoder.decode(chunk, { stream: true }));
    };
    shell.on('data', show);
    shell.stderr.on('data', show);
    this.closed = new Promise<void>((resolve) =>
      shell.once('close', () => {
        giveBack();
        onClose(this.screenEnd());
        resolve();
      }),
    );
  }

  /**
   * Hangs up the shell (closing the channel ends its session on the host, as a dropped connection
   * would) and waits until it has closed.
   */
  async end(): Promise<void> {
    this.shell.close();
    await this.closed;
  }

  private keep(chunk: Buffer): void {
    this.kept.push(chunk);
    this.keptBytes += chunk.length;
    while (this.keptBytes - (this.kept[0]?.length ?? 0) >= KEPT_BYTES) {
      this.keptBytes -= (this.kept.shift() as Buffer).length;
    }
  }

  /** The last lines of the shell's output as plain text: escapes, carriage returns and controls out. */
  private screenEnd(): string {
    const raw = Buffer.concat(this.kept).toString('utf8');
    const lines = stripEscapes(raw)
      .text.split('\n')
      .map((line) => plainLine(line))
      .filter((line, index, all) => line !== '' || index < all.length - 1);
    return lines.slice(-SCREEN_LINES).join('\n');
  }
}

/** A line as it ends up on screen: what follows the last carriage return, backspaces applied. */
function plainLine(line: string): string {
  const afterReturn = line.replace(/\r+$/, '').split('\r').at(-1) ?? '';
  let text = '';
  for (const char of afterReturn) {
    if (char === '\b') text = text.slice(0, -1);
    // eslint-disable-next-line no-control-regex -- dropping the remaining controls is the point
    else if (!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(char)) text += char;
  }
  return text.trimEnd();
}
