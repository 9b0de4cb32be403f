/**
 * Reads an asciicast (what `session.export` writes: https://docs.asciinema.org/manual/asciicast/v2/)
 * into what a replay needs: the terminal's first size, and the output and resize events in time
 * order. Input (`"i"`) is left out (the output already shows what the terminal echoed); markers
 * (`"m"`: where retention dropped output) are kept as notes.
 *
 * A recording can be cut short while it is written (a crash, a copy of a live file): a last line
 * that is not a whole event is dropped and `torn` says so. Any other bad line is an error: the file
 * is not an asciicast. Version 3 (times as intervals, the size under `term`) is read too.
 */

export type ScreenEvent =
  | { time: number; kind: 'o'; text: string }
  | { time: number; kind: 'r'; cols: number; rows: number };

export interface Recording {
  cols: number;
  rows: number;
  /** Unix seconds of the recording's time 0, from the header (whole seconds), if it says. */
  timestamp: number | null;
  /** The header's `idle_time_limit` in seconds, if the recording asks for one. */
  idleTimeLimit: number | null;
  /** Output and resizes; `time` is seconds since the start, never decreasing. */
  events: ScreenEvent[];
  /** `offsets[i]`: characters of output in `events[0..i)`; one more entry than `events`. */
  offsets: number[];
  notes: Array<{ time: number; text: string }>;
  /** The time of the last event, in seconds. */
  duration: number;
  /** The last line was cut off and left out. */
  torn: boolean;
}

/** Characters parsed between two pauses of `parseAsciicastInSlices`: ~20 ms of work. */
const CHARS_PER_SLICE = 1024 * 1024;

export function parseAsciicast(text: string): Recording {
  const lines = text.split('\n');
  const last = lastContentLine(lines);
  const parser = new AsciicastParser();
  lines.forEach((line, index) => parser.line(line, index, index === last));
  return parser.result();
}

/** The same, `pause()`d every megabyte or so, so a page that reads an hour of output stays live. */
export async function parseAsciicastInSlices(
  text: string,
  pause: () => Promise<void>,
  sliceChars = CHARS_PER_SLICE,
): Promise<Recording> {
  const lines = text.split('\n');
  const last = lastContentLine(lines);
  const parser = new AsciicastParser();
  let parsedChars = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    parser.line(line, index, index === last);
    parsedChars += line.length;
    if (parsedChars >= sliceChars) {
      parsedChars = 0;
      await pause();
    }
  }
  return parser.result();
}

function lastContentLine(lines: readonly string[]): number {
  let index = lines.length - 1;
  while (index >= 0 && (lines[index] as string).trim() === '') index--;
  return index;
}

class AsciicastParser {
  private header: { cols: number; rows: number; version: number } | null = null;
  private recording: Recording = {
    cols: 80,
    rows: 24,
    timestamp: null,
    idleTimeLimit: null,
    events: [],
    offsets: [0],
    notes: [],
    duration: 0,
    torn: false,
  };
  private time = 0;
  private chars = 0;

  line(line: string, index: number, last: boolean): void {
    if (line.trim() === '') return;
    const value = parseJson(line);
    if (this.header === null) return this.readHeader(value);
    if (!isEvent(value)) {
      if (last) this.recording.torn = true;
      else throw new Error(`Line ${index + 1} of the recording is not an asciicast event.`);
      return;
    }
    this.readEvent(value);
  }

  result(): Recording {
    if (this.header === null) throw new Error('The recording has no asciicast header.');
    return { ...this.recording, duration: this.time };
  }

  private readHeader(value: unknown): void {
    const header = headerOf(value);
    if (!header) throw new Error('The recording does not start with an asciicast v2 or v3 header.');
    this.header = header;
    Object.assign(this.recording, {
      cols: header.cols,
      rows: header.rows,
      timestamp: header.timestamp,
      idleTimeLimit: header.idleTimeLimit,
    });
  }

  private readEvent([seconds, code, data]: [number, string, string]): void {
    // v3 gives the interval since the event before; v2 the time since the start.
    const time = (this.header?.version ?? 2) >= 3 ? this.time + seconds : seconds;
    this.time = Math.max(this.time, time);
    if (code === 'o') this.push({ time: this.time, kind: 'o', text: data }, data.length);
    else if (code === 'r') {
      const size = /^(\d+)x(\d+)$/.exec(data);
      if (size)
        this.push({ time: this.time, kind: 'r', cols: Number(size[1]), rows: Number(size[2]) }, 0);
    } else if (code === 'm') this.recording.notes.push({ time: this.time, text: data });
  }

  private push(event: ScreenEvent, chars: number): void {
    this.chars += chars;
    this.recording.events.push(event);
    this.recording.offsets.push(this.chars);
  }
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function isEvent(value: unknown): value is [number, string, string] {
  return (
    Array.isArray(value) &&
    value.length >= 3 &&
    typeof value[0] === 'number' &&
    Number.isFinite(value[0]) &&
    typeof value[1] === 'string' &&
    typeof value[2] === 'string'
  );
}

interface Header {
  version: number;
  cols: number;
  rows: number;
  timestamp: number | null;
  idleTimeLimit: number | null;
}

function headerOf(value: unknown): Header | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields = value as Record<string, unknown>;
  const term = (typeof fields.term === 'object' && fields.term) as Record<string, unknown> | false;
  const version = fields.version;
  const cols = version === 3 && term ? term.cols : fields.width;
  const rows = version === 3 && term ? term.rows : fields.height;
  if ((version !== 2 && version !== 3) || !isSize(cols) || !isSize(rows)) return null;
  return {
    version,
    cols,
    rows,
    timestamp: typeof fields.timestamp === 'number' ? fields.timestamp : null,
    idleTimeLimit:
      typeof fields.idle_time_limit === 'number' && fields.idle_time_limit > 0
        ? fields.idle_time_limit
        : null,
  };
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 10_000;
}
