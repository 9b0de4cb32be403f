/**
 * Keyframes of a recording: the terminal's whole state (serialized by @xterm/addon-serialize) at
 * points along it, so a seek restores the nearest one before its target and writes only the
 * output between, instead of everything from the start.
 *
 * Where: every `everyChars` characters of output (256 Ki by default), not every so many seconds.
 * What a seek costs is the output it has to write, not the time it covers: an idle hour costs
 * nothing to replay, a burst of a few seconds may be megabytes. xterm parses ~18 M characters a
 * second here (Node, the bench), so 256 Ki is ~15 ms at worst, plus restoring the keyframe. A
 * keyframe is the screen and up to the scrollback (1,000 lines in the replay), ~70 K characters
 * on average; a busy hour (~25 M characters of output) makes ~100 of them, ~7 MB. The bench
 * (`npm run bench -- replay`, BENCH_REPLAY_KEYFRAME_KI to try others) measured, for that hour:
 * 128 Ki: seek p95 ~16-32 ms, 13 MB held, a slower build (more serializing); 256 Ki: p95
 * ~16-40 ms, 7 MB; 512 Ki: p95 ~50-70 ms, max up to ~140 ms, 3 MB; 1 Mi: p95 ~115 ms.
 *
 * A keyframe is only taken between events where the parser is back in its ground state (no escape
 * sequence cut in two), since the serialized state cannot carry half a sequence. What the
 * serializer writes is mended (bold and dim, the alternate screen's pen: serialized.ts) and the
 * cursor put back exactly; besides, the scroll region is kept (asked of the terminal with
 * DECRQSS): full-screen programs scroll inside one. Still not kept, as the serializer does not: a
 * cursor saved with DECSC, tab stops and character sets; a recording that relies on them across a
 * keyframe can differ there from playing it from the start.
 *
 * The index is built in the background, one stretch between keyframes at a time, with a pause
 * between stretches (a macrotask in the page) so drawing and input go on.
 */
import type { Recording, ScreenEvent } from './asciicast';
import { mendSerialized } from './serialized';
import { applyEvents, written, type IndexTerminal, type Keyframe } from './terminal';

export interface KeyframeOptions {
  /** Characters of output between two keyframes. */
  everyChars?: number;
  /** Awaited between stretches of work, so the page can paint and take input. */
  pause?: () => Promise<void>;
}

export const DEFAULT_KEYFRAME_CHARS = 256 * 1024;
/** DECRQSS for DECSTBM: the terminal replies `ESC P 1 $ r TOP;BOTTOM r ESC \`. */
const ASK_SCROLL_REGION = '\x1bP$qr\x1b\\';
// eslint-disable-next-line no-control-regex -- the reply is an escape sequence
const SCROLL_REGION_REPLY = /\x1bP1\$r(\d+);(\d+)r/;
// eslint-disable-next-line no-control-regex -- a control sequence: ESC [ parameters final
const COMPLETE_CSI = /^\x1b\[[0-?]*[ -/]*[@-~]/;
// eslint-disable-next-line no-control-regex -- ESC, intermediates, final (ESC 7, ESC ( B, ESC \)
const COMPLETE_ESCAPE = /^\x1b[ -/]*[0-~]/;

export function nextTick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class KeyframeIndex {
  private readonly frames: Keyframe[];
  private readonly everyChars: number;
  private readonly pause: () => Promise<void>;
  /** Events the index terminal has been given. */
  private position = 0;
  private building: Promise<void> | null = null;
  private stopped = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly recording: Recording,
    private readonly makeTerminal: (cols: number, rows: number) => IndexTerminal,
    options: KeyframeOptions = {},
  ) {
    this.frames = [{ index: 0, cols: recording.cols, rows: recording.rows, state: '' }];
    this.everyChars = options.everyChars ?? DEFAULT_KEYFRAME_CHARS;
    this.pause = options.pause ?? nextTick;
  }

  get count(): number {
    return this.frames.length;
  }

  /** How much of the output is indexed, from 0 to 1. */
  get progress(): number {
    const total = this.recording.offsets.at(-1) ?? 0;
    return total === 0 ? 1 : (this.recording.offsets[this.position] ?? total) / total;
  }

  /** Characters the keyframes hold, all together. */
  get stateChars(): number {
    return this.frames.reduce((sum, frame) => sum + frame.state.length, 0);
  }

  /** The last keyframe at or before event `index` (the empty start, if none is built yet). */
  before(index: number): Keyframe {
    let low = 0;
    let high = this.frames.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.frames[middle] as Keyframe).index <= index) low = middle;
      else high = middle - 1;
    }
    return this.frames[low] as Keyframe;
  }

  /** Hears each new keyframe (and the end), for a progress display. */
  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Builds the whole index, once; resolves when done or stopped. */
  build(): Promise<void> {
    this.building ??= this.run();
    return this.building;
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    const { events } = this.recording;
    const index = this.makeTerminal(this.recording.cols, this.recording.rows);
    try {
      while (!this.stopped && this.position < events.length) {
        const end = this.nextKeyframeAt(this.position);
        await applyEvents(index.terminal, this.recording, this.position, end);
        this.position = end;
        if (end < events.length) this.frames.push(await capture(index, end));
        this.listeners.forEach((listener) => listener());
        await this.pause();
      }
    } finally {
      index.dispose();
    }
  }

  /** The first boundary at least `everyChars` of output on, where the parser rests. */
  private nextKeyframeAt(from: number): number {
    const { events, offsets } = this.recording;
    const want = (offsets[from] as number) + this.everyChars;
    let at = firstIndexReaching(offsets, want, from + 1);
    while (at < events.length && !restsAfter(events[at - 1] as ScreenEvent)) at++;
    return Math.min(at, events.length);
  }
}

/** The smallest `i >= from` with `offsets[i] >= chars`, or `offsets.length - 1`. */
function firstIndexReaching(offsets: readonly number[], chars: number, from: number): number {
  let low = Math.min(from, offsets.length - 1);
  let high = offsets.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((offsets[middle] as number) >= chars) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Whether the parser is in its ground state after this event (given it was before). */
function restsAfter(event: ScreenEvent): boolean {
  return event.kind === 'r' || endsInGround(event.text);
}

export function endsInGround(text: string): boolean {
  const escape = text.lastIndexOf('\x1b');
  if (escape === -1) return true;
  const tail = text.slice(escape);
  const introducer = tail[1];
  if (introducer === undefined) return false;
  if (introducer === '[') return COMPLETE_CSI.test(tail);
  // An OSC ended by BEL; one ended by ST has ST's ESC as the last.
  if (introducer === ']') return tail.includes('\x07');
  // DCS, SOS, PM, APC: a string still open (their ST would be the last ESC).
  if ('PX^_'.includes(introducer)) return false;
  return COMPLETE_ESCAPE.test(tail);
}

async function capture(index: IndexTerminal, at: number): Promise<Keyframe> {
  const { cols, rows } = index.terminal;
  const region = await scrollRegion(index);
  // DECSTBM moves the cursor home: save and restore it around.
  const keepRegion =
    region && (region.top !== 1 || region.bottom !== rows)
      ? `\x1b7\x1b[${region.top};${region.bottom}r\x1b8`
      : '';
  // The serializer puts the cursor back with relative moves that come out one column short after
  // a full last row; an absolute move is exact (the region is the whole screen at this point). A
  // cursor past the last column (a wrap pending) is left to the serializer.
  const { x, y } = index.cursor();
  const placeCursor = x < cols ? `\x1b[${y + 1};${x + 1}H` : '';
  const state = mendSerialized(index.serialize()) + placeCursor + keepRegion;
  return { index: at, cols, rows, state };
}

async function scrollRegion(index: IndexTerminal): Promise<{ top: number; bottom: number } | null> {
  let reply = '';
  const listening = index.terminal.onData((data) => (reply += data));
  await written(index.terminal, ASK_SCROLL_REGION);
  listening.dispose();
  const match = SCROLL_REGION_REPLY.exec(reply);
  return match ? { top: Number(match[1]), bottom: Number(match[2]) } : null;
}
