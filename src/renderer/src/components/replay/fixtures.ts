/**
 * Made-up recordings of an agent at work, for the replay's tests and bench: a shell prompt and
 * typed commands, bursts of coloured test and build output, a spinner redrawn in place, diffs,
 * full-screen redraws on the alternate screen inside a scroll region, resizes and idle gaps (an
 * agent waiting for an approval). Seeded: the same options give the same recording.
 */

export interface SampleOptions {
  /** Length of the recording, in seconds. */
  seconds: number;
  seed?: number;
  cols?: number;
  rows?: number;
  /** Multiplies how much each burst prints (1: a busy agent, ~40 MB an hour). */
  volume?: number;
}

type Line = [number, 'o' | 'r', string];

const WORDS = [
  'src',
  'parser',
  'config',
  'session',
  'render',
  'cache',
  'index',
  'worker',
  'token',
  'buffer',
  'queue',
  'handler',
  'schema',
  'route',
  'model',
];
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SIZES: ReadonlyArray<[number, number]> = [
  [120, 36],
  [100, 30],
  [140, 40],
];

/** mulberry32: small, fast and good enough to vary made-up output. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Writer {
  readonly lines: Line[] = [];
  time = 0;
  cols: number;
  rows: number;

  constructor(
    readonly next: () => number,
    readonly volume: number,
    size: [number, number],
  ) {
    [this.cols, this.rows] = size;
  }

  between(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  count(low: number, high: number): number {
    return Math.floor(this.between(low, high + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  words(count: number): string {
    return Array.from({ length: count }, () => this.pick(WORDS)).join(' ');
  }

  wait(seconds: number): void {
    this.time += seconds;
  }

  out(text: string): void {
    this.lines.push([Math.round(this.time * 1e6) / 1e6, 'o', text]);
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.lines.push([Math.round(this.time * 1e6) / 1e6, 'r', `${cols}x${rows}`]);
  }
}

function prompt(w: Writer): void {
  w.out('\r\n\x1b[1;32mada@box\x1b[0m:\x1b[1;34m~/app\x1b[0m$ ');
  for (const char of `npm run ${w.pick(WORDS)} -- --${w.pick(WORDS)}`) {
    w.wait(w.between(0.04, 0.15));
    w.out(char);
  }
  w.wait(0.3);
  w.out('\r\n');
}

/** Many lines in chunks of a few KB, as a test runner or a build prints them. */
function burst(w: Writer, line: (index: number) => string): void {
  const lines = Math.ceil(w.count(200, 4000) * w.volume);
  let chunk = '';
  for (let index = 0; index < lines; index++) {
    chunk += `${line(index)}\r\n`;
    if (chunk.length >= 4096 + w.count(0, 12_000)) {
      w.out(chunk);
      chunk = '';
      w.wait(w.between(0.01, 0.06));
    }
  }
  if (chunk) w.out(chunk);
}

function testRun(w: Writer): void {
  burst(w, (index) =>
    w.next() < 0.97
      ? ` \x1b[32m✓\x1b[0m ${w.words(4)} \x1b[2m(${w.count(1, 90)} ms)\x1b[0m`
      : ` \x1b[31m✗ ${w.words(3)}\x1b[0m\r\n   \x1b[33mexpected ${index} to equal ${index + 1}\x1b[0m`,
  );
  w.out('\r\n \x1b[1mTests\x1b[0m  \x1b[32m412 passed\x1b[0m \x1b[2m(412)\x1b[0m\r\n');
}

function build(w: Writer): void {
  burst(
    w,
    (index) =>
      `\x1b[2m12:${String(index % 60).padStart(2, '0')}:0${index % 10}\x1b[0m \x1b[36minfo\x1b[0m compiling src/${w.pick(WORDS)}/${w.pick(WORDS)}.ts ${w.words(6)}`,
  );
}

function diff(w: Writer): void {
  burst(w, () => {
    const sign = w.pick(['+', '-', ' ']);
    const colour = sign === '+' ? '\x1b[32m' : sign === '-' ? '\x1b[31m' : '';
    return `${colour}${sign}  const ${w.pick(WORDS)} = ${w.pick(WORDS)}(${w.words(2).replace(' ', ', ')});\x1b[0m`;
  });
}

/** An agent thinking: one line redrawn in place, ten times a second. */
function spinner(w: Writer): void {
  const frames = w.count(20, 100);
  for (let frame = 0; frame < frames; frame++) {
    w.out(
      `\r\x1b[2K\x1b[35m${SPINNER[frame % SPINNER.length]}\x1b[0m Thinking… \x1b[2m(${(frame / 10).toFixed(0)}s · esc to interrupt)\x1b[0m`,
    );
    w.wait(w.between(0.08, 0.12));
  }
  w.out('\r\x1b[2K');
}

/** A full-screen program: the alternate screen, a header and footer, a scrolling middle. */
function fullScreen(w: Writer): void {
  const { cols, rows } = w;
  w.out(`\x1b[?1049h\x1b[H\x1b[2J\x1b[2;${rows - 1}r`);
  const frames = Math.ceil(w.count(5, 40) * w.volume);
  for (let frame = 0; frame < frames; frame++) {
    let screen = `\x1b[1;1H\x1b[7m${` ${w.words(3)} — frame ${frame}`.padEnd(cols).slice(0, cols)}\x1b[0m`;
    for (let row = 2; row < rows; row++)
      screen += `\x1b[${row};1H\x1b[48;5;${(row * 7 + frame) % 256}m${row}\x1b[0m ${w.words(5)}\x1b[K`;
    screen += `\x1b[${rows};1H\x1b[44m${' q quit  / search'.padEnd(cols).slice(0, cols)}\x1b[0m`;
    // Scroll inside the region: the header and footer stay.
    screen += `\x1b[${rows - 1};1H\n\n\x1b[33m${w.words(4)}\x1b[0m`;
    w.out(screen);
    w.wait(w.between(0.05, 0.5));
  }
  w.out('\x1b[r\x1b[?1049l');
}

function idle(w: Writer): void {
  // Mostly short pauses; now and then the agent waits minutes for an approval.
  w.wait(w.next() < 0.9 ? w.between(0.5, 8) : w.between(30, 240));
}

const SCENES = [prompt, testRun, build, diff, spinner, fullScreen, idle, idle, spinner, prompt];

/** The recording as asciicast v2 text, as `session.export` writes it. */
export function sampleAsciicast(options: SampleOptions): string {
  const next = random(options.seed ?? 1);
  const size: [number, number] = [options.cols ?? 120, options.rows ?? 36];
  const w = new Writer(next, options.volume ?? 1, size);
  const header = { version: 2, width: size[0], height: size[1], timestamp: 1_767_261_600 };
  while (w.time < options.seconds) {
    if (next() < 0.02) w.resize(...w.pick(SIZES));
    w.pick(SCENES)(w);
  }
  return [header, ...w.lines].map((line) => JSON.stringify(line)).join('\n') + '\n';
}
