/**
 * The terminal of a session Paddock runs itself (a remote operator run), not an agent process.
 * What its owner draws is recorded like an agent's terminal (redacted, replayable) and sent to the
 * output listeners as it is drawn, so the Terminal tab and `paddock session attach` follow it live.
 * It takes keys only while its owner lends it to a person (taking over an operator run's host);
 * their keys and window size are recorded like an agent's input, so nothing typed goes unrecorded.
 */
import type { TerminalRecorder } from '../recorder';
import { SessionError } from './session-records';

/** Where a person's keys go while the terminal is lent (the host's shell, for an operator). */
export interface TerminalKeys {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** The recording is behind: stop reading the other side until `false` (memory stays bounded). */
  hold(behind: boolean): void;
}

/** How the owner of such a terminal wants it: what to say to keys, what to do if it fails. */
export interface OtherTerminalOptions {
  /** What a person is told when they type while the terminal is not lent. */
  noKeys?: string;
  /**
   * The recording failed (its thread died): nothing more can be recorded, so the terminal takes
   * no more keys, and its owner must stop whatever would go on unrecorded.
   */
  onFailed?: (error: Error) => void;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** The terminal recording of a session Paddock runs itself (see `SessionManager.recordOther`). */
export interface OtherRecording {
  /** Text the session's terminal shows; redacted before it is stored. */
  write(text: string): void;
  /**
   * Lends the terminal to a person at their window's size: their keys and resizes go to `keys`
   * (and into the recording) until the returned function takes it back, at the owner's size again.
   */
  lend(keys: TerminalKeys, size: TerminalSize): () => void;
  /** Ends the recording; resolves once all of it is in the store. Again: nothing more. */
  close(): Promise<void>;
}

type Emit = (text: string, seq: number) => void;

type Recorder = Pick<
  TerminalRecorder,
  'output' | 'input' | 'resize' | 'screen' | 'flush' | 'close'
>;

export class OtherTerminal {
  /** Output events sent to listeners so far (see `SessionManager.screen`). */
  outputSeq = 0;
  private keys: TerminalKeys | null = null;
  private closed = false;
  private failure: string | null = null;

  constructor(
    readonly recorder: Recorder,
    private readonly size: TerminalSize,
    private readonly emit: Emit,
    private readonly options: OtherTerminalOptions = {},
  ) {}

  /** The recording failed: keys are refused from now on, and the owner is told. */
  failed(error: Error): void {
    if (this.failure !== null || this.closed) return;
    this.failure = `its recording failed (${error.message}), so nothing more can be typed here`;
    this.keys = null;
    this.options.onFailed?.(error);
  }

  /** The recording is behind (or caught up): the lent terminal's other side waits meanwhile. */
  behind(behind: boolean): void {
    this.keys?.hold(behind);
  }

  /** The owner's side. */
  recording(onClose: () => void): OtherRecording {
    return {
      write: (text) => this.draw(text),
      lend: (keys, size) => this.lend(keys, size),
      close: () => {
        this.closed = true;
        this.keys = null;
        onClose();
        return this.recorder.close();
      },
    };
  }

  /** A person's keys, refused unless the terminal is lent. */
  type(sessionId: string, data: string): void {
    if (!this.keys)
      throw new SessionError(
        `Session ${sessionId} takes no keys now: ${this.failure ?? this.options.noKeys ?? 'Paddock draws it itself.'}`,
      );
    this.recorder.input(data);
    this.keys.write(data);
  }

  /** A window's size: followed while lent; otherwise the owner draws at its own size. */
  resize(cols: number, rows: number): void {
    if (!this.keys) return;
    this.recorder.resize(cols, rows);
    this.keys.resize(cols, rows);
  }

  private draw(text: string): void {
    if (this.closed) return;
    this.outputSeq += 1;
    this.emit(text, this.outputSeq);
    this.recorder.output(text);
  }

  private lend(keys: TerminalKeys, size: TerminalSize): () => void {
    if (this.closed) throw new SessionError('The session has ended: its terminal cannot be lent.');
    if (this.failure) throw new SessionError(`The terminal cannot be lent: ${this.failure}.`);
    if (this.keys) throw new SessionError('The terminal is lent already.');
    this.keys = keys;
    this.recorder.resize(size.cols, size.rows);
    return () => {
      if (this.keys !== keys) return;
      this.keys = null;
      if (!this.closed) this.recorder.resize(this.size.cols, this.size.rows);
    };
  }
}
