/**
 * What a terminal shows now, for a window or tab that attaches to a running session: the last
 * 2 MiB of its output, replayed on demand into a headless xterm.js and serialized (screen plus
 * scrollback), which the client writes into its own xterm.
 *
 * Why on demand: emulating every byte as it arrives costs ~25 ms of CPU per MB, more than
 * redacting and storing it; a burst of 100 MB would then slow the agent. Keeping raw bytes costs
 * a copy. The price: state set more than 2 MiB of output ago (a colour, a mode) is not replayed,
 * except the one that changes everything, the alternate screen, which is tracked as bytes pass.
 * The recording itself is exact; this is only the live view.
 */
import { SerializeAddon } from '@xterm/addon-serialize';
import { Terminal } from '@xterm/headless';

export interface Screen {
  /** Serialized screen and scrollback: write it into a fresh xterm of `cols`×`rows`. */
  data: string;
  cols: number;
  rows: number;
}

const DEFAULT_CAPACITY = 2 * 1024 * 1024;
const SCROLLBACK_LINES = 2000;
/** DECSET/DECRST 1049, 1047 and 47: enter (h) or leave (l) the alternate screen. */
// eslint-disable-next-line no-control-regex -- escape sequences start with the ESC control character
const ALT_SCREEN = /\x1b\[\?(?:1049|1047|47)([hl])/g;

interface Piece {
  bytes: Buffer;
  /** Whether the alternate screen was on where this piece begins. */
  altAtStart: boolean;
}

export class ScreenTail {
  private pieces: Piece[] = [];
  private bytes = 0;
  private alt = false;

  constructor(
    private cols: number,
    private rows: number,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  write(bytes: Buffer): void {
    this.pieces.push({ bytes: Buffer.from(bytes), altAtStart: this.alt });
    this.bytes += bytes.length;
    this.trackAltScreen(bytes);
    while (
      this.pieces.length > 1 &&
      this.bytes - (this.pieces[0] as Piece).bytes.length >= this.capacity
    )
      this.bytes -= (this.pieces.shift() as Piece).bytes.length;
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
  }

  /** The screen as the output kept so far draws it. */
  snapshot(): Promise<Screen> {
    const { cols, rows } = this;
    const terminal = new Terminal({
      cols,
      rows,
      scrollback: SCROLLBACK_LINES,
      allowProposedApi: true,
    });
    const serializer = new SerializeAddon();
    terminal.loadAddon(serializer);
    if (this.pieces[0]?.altAtStart) terminal.write('\x1b[?1049h');
    for (const piece of this.pieces) terminal.write(piece.bytes);
    return new Promise((resolve) =>
      // The callback runs once everything written before it is parsed.
      terminal.write('', () => {
        const data = serializer.serialize({ scrollback: SCROLLBACK_LINES });
        terminal.dispose();
        resolve({ data, cols, rows });
      }),
    );
  }

  private trackAltScreen(bytes: Buffer): void {
    // Cheap: most output has no escape for a private mode at all.
    if (!bytes.includes('\x1b[?')) return;
    for (const match of bytes.toString('latin1').matchAll(ALT_SCREEN)) this.alt = match[1] === 'h';
  }
}
