/**
 * What a replay needs of a terminal, met alike by xterm.js in the page and by @xterm/headless in
 * Node (tests, the bench), and how recorded events are written into one.
 *
 * xterm parses what it is given later, in slices of its own (so a big write does not freeze the
 * page); a write's callback runs once it is parsed. A resize takes effect at once, so output
 * written before a resize is awaited first: otherwise it would be parsed at the new size.
 */
import { SerializeAddon } from '@xterm/addon-serialize';
import type { Recording } from './asciicast';

export interface ReplayTerminal {
  readonly cols: number;
  readonly rows: number;
  write(data: string, callback?: () => void): void;
  /** A full reset (RIS): screen, scrollback, modes and parser state. */
  reset(): void;
  resize(cols: number, rows: number): void;
}

/**
 * Lines of scrollback in a replay (the live terminal keeps 10,000): every keyframe holds them all,
 * so this is what sets a keyframe's size. The index terminal and the view must agree on it.
 */
export const REPLAY_SCROLLBACK = 1000;

/** A terminal no one sees, where keyframes are made: it answers queries and serializes itself. */
export interface IndexTerminal {
  terminal: ReplayTerminal & { onData(listener: (data: string) => void): { dispose(): void } };
  /** Screen, scrollback, cursor, pen and modes as text that redraws them (@xterm/addon-serialize). */
  serialize(): string;
  /** Where the cursor is on the screen, from 0 (x may be `cols`: a wrap pending). */
  cursor(): { x: number; y: number };
  dispose(): void;
}

/** The state of a terminal at one point of a recording: enough to go on from there. */
/** What an index terminal is made of: a terminal (xterm.js or headless) that loads the serializer. */
type SerializableTerminal = IndexTerminal['terminal'] & {
  loadAddon(addon: SerializeAddon): void;
  buffer: { active: { cursorX: number; cursorY: number } };
  dispose(): void;
};

/** The options every replay terminal shares, so keyframes made in one fit the other. */
export function replayTerminalOptions(cols: number, rows: number) {
  return { cols, rows, scrollback: REPLAY_SCROLLBACK, allowProposedApi: true };
}

/** An index terminal on `terminal`: the page's xterm.js, or Node's headless one. */
export function indexTerminalOn(terminal: SerializableTerminal): IndexTerminal {
  const serializer = new SerializeAddon();
  terminal.loadAddon(serializer);
  return {
    terminal,
    serialize: () => serializer.serialize(),
    cursor: () => ({ x: terminal.buffer.active.cursorX, y: terminal.buffer.active.cursorY }),
    dispose: () => terminal.dispose(),
  };
}

export interface Keyframe {
  /** Events of the recording already applied: `events[0..index)`. */
  index: number;
  cols: number;
  rows: number;
  /** Written into a reset terminal of `cols`×`rows`, draws it as it was. */
  state: string;
}

/**
 * Output goes to xterm in writes of up to 64 Ki: xterm parses a write whole, then yields to the
 * page once 12 ms have passed, so a smaller write is a shorter stall (~2 ms). And it waits to be
 * parsed every 1 Mi: xterm drops data once ~50 MB wait, and waiting keeps memory flat.
 */
const WRITE_CHARS = 64 * 1024;
const WAIT_EVERY_CHARS = 1024 * 1024;

export function written(terminal: ReplayTerminal, data: string): Promise<void> {
  if (data.length === 0) return Promise.resolve();
  return new Promise((resolve) => terminal.write(data, resolve));
}

/** Writes `events[from..to)` into the terminal: output as it came, resizes between. */
export async function applyEvents(
  terminal: ReplayTerminal,
  recording: Recording,
  from: number,
  to: number,
): Promise<void> {
  const output = new OutputWriter(terminal);
  for (let index = from; index < to; index++) {
    const event = recording.events[index];
    if (event === undefined) break;
    if (event.kind === 'r') {
      await output.parsed();
      terminal.resize(event.cols, event.rows);
    } else await output.add(event.text);
  }
  await output.parsed();
}

/** Gathers output into writes of WRITE_CHARS, and waits for xterm every WAIT_EVERY_CHARS. */
class OutputWriter {
  private pieces: string[] = [];
  private chars = 0;
  private unparsed = 0;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly terminal: ReplayTerminal) {}

  async add(text: string): Promise<void> {
    this.pieces.push(text);
    this.chars += text.length;
    if (this.chars >= WRITE_CHARS) this.send();
    if (this.unparsed >= WAIT_EVERY_CHARS) await this.parsed();
  }

  /** Resolves once everything added is parsed. */
  async parsed(): Promise<void> {
    this.send();
    await this.last;
    this.unparsed = 0;
  }

  private send(): void {
    if (this.chars === 0) return;
    this.last = written(this.terminal, this.pieces.join(''));
    this.unparsed += this.chars;
    this.pieces = [];
    this.chars = 0;
  }
}

/** Puts the terminal back in the keyframe's state. */
export async function restoreKeyframe(terminal: ReplayTerminal, keyframe: Keyframe): Promise<void> {
  terminal.reset();
  terminal.resize(keyframe.cols, keyframe.rows);
  await written(terminal, keyframe.state);
}
