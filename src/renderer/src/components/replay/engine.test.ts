/**
 * The replay engine in Node, on @xterm/headless: reading asciicasts (a torn last line too), seeks
 * that draw exactly what playing from the start draws, keyframes reused, idle gaps capped, speed.
 */
import { describe, expect, it } from 'vitest';
import { parseAsciicast, parseAsciicastInSlices, type Recording } from './asciicast';
import { PlaybackClock, ReplayEngine, stepSpeed, type Scheduler } from './engine';
import { sampleAsciicast } from './fixtures';
import { headlessTerminal } from './headless';
import { endsInGround, KeyframeIndex } from './keyframes';
import { written } from './terminal';

const HEADER = JSON.stringify({ version: 2, width: 40, height: 6, timestamp: 1_767_261_600 });

function cast(...events: unknown[]): string {
  return [HEADER, ...events.map((event) => JSON.stringify(event))].join('\n') + '\n';
}

/** The screen after writing events one by one from the start: what a seek must equal. */
async function playedFromStart(recording: Recording, count: number): Promise<string> {
  const reference = headlessTerminal(recording.cols, recording.rows);
  for (const event of recording.events.slice(0, count)) {
    if (event.kind === 'o') await written(reference.terminal, event.text);
    else reference.terminal.resize(event.cols, event.rows);
  }
  const screen = reference.serialize();
  reference.dispose();
  return screen;
}

function replay(recording: Recording, everyChars: number, scheduler?: Scheduler) {
  const view = headlessTerminal(recording.cols, recording.rows);
  const keyframes = new KeyframeIndex(recording, headlessTerminal, {
    everyChars,
    pause: () => Promise.resolve(),
  });
  const engine = new ReplayEngine(recording, view.terminal, keyframes, { scheduler });
  return { view, keyframes, engine };
}

describe('parseAsciicast', () => {
  it('reads the header, output and resizes, leaves input out and keeps markers as notes', () => {
    const recording = parseAsciicast(
      cast(
        [0.5, 'o', 'hello '],
        [0.7, 'i', 'ls\r'],
        [1.25, 'r', '100x30'],
        [2, 'm', 'output dropped: 10 bytes'],
        [3, 'o', 'world'],
      ),
    );
    expect(recording).toMatchObject({ cols: 40, rows: 6, timestamp: 1_767_261_600, torn: false });
    expect(recording.events).toEqual([
      { time: 0.5, kind: 'o', text: 'hello ' },
      { time: 1.25, kind: 'r', cols: 100, rows: 30 },
      { time: 3, kind: 'o', text: 'world' },
    ]);
    expect(recording.offsets).toEqual([0, 6, 6, 11]);
    expect(recording.notes).toEqual([{ time: 2, text: 'output dropped: 10 bytes' }]);
    expect(recording.duration).toBe(3);
  });

  it('drops a torn last line and says so', () => {
    const text = cast([0.5, 'o', 'one'], [1, 'o', 'two']) + '[1.5, "o", "thr';
    const recording = parseAsciicast(text);
    expect(recording.torn).toBe(true);
    expect(recording.events.map((event) => event.kind === 'o' && event.text)).toEqual([
      'one',
      'two',
    ]);
  });

  it('refuses a bad line before the last, and a file without a header', () => {
    expect(() => parseAsciicast(cast([0.5, 'o', 'one']) + 'nonsense\n[1, "o", "x"]\n')).toThrow(
      /Line 3/,
    );
    expect(() => parseAsciicast('[0.5, "o", "one"]\n')).toThrow(/header/);
  });

  it('reads the same in slices, pausing between them', async () => {
    const text = sampleAsciicast({ seconds: 60, seed: 3, volume: 0.5 }) + '[99, "o", "cut';
    let pauses = 0;
    const sliced = await parseAsciicastInSlices(text, async () => void pauses++, 10_000);
    expect(sliced).toEqual(parseAsciicast(text));
    expect(sliced.torn).toBe(true);
    expect(pauses).toBeGreaterThan(0);
  });

  it('reads version 3: the size under term, times as intervals', () => {
    const v3 = [
      JSON.stringify({ version: 3, term: { cols: 90, rows: 20 }, idle_time_limit: 1.5 }),
      JSON.stringify([0.5, 'o', 'a']),
      JSON.stringify([0.25, 'o', 'b']),
    ].join('\n');
    const recording = parseAsciicast(v3);
    expect(recording).toMatchObject({ cols: 90, rows: 20, idleTimeLimit: 1.5, duration: 0.75 });
  });
});

describe('endsInGround', () => {
  it('tells a finished escape sequence from one cut in two', () => {
    expect(endsInGround('plain text')).toBe(true);
    expect(endsInGround('\x1b[31mred')).toBe(true);
    expect(endsInGround('\x1b]0;title\x07')).toBe(true);
    expect(endsInGround('\x1b]0;title\x1b\\')).toBe(true);
    expect(endsInGround('\x1b(B')).toBe(true);
    expect(endsInGround('red\x1b[3')).toBe(false);
    expect(endsInGround('\x1b]0;tit')).toBe(false);
    expect(endsInGround('\x1bP$q')).toBe(false);
    expect(endsInGround('x\x1b')).toBe(false);
  });
});

describe('seek', () => {
  const recording = parseAsciicast(sampleAsciicast({ seconds: 120, seed: 7, volume: 0.15 }));

  it('draws exactly what playing from the start to that time draws', async () => {
    const { view, keyframes, engine } = replay(recording, 16 * 1024);
    await keyframes.build();
    expect(keyframes.count).toBeGreaterThan(10);
    const duration = engine.duration;
    // Forwards, backwards, the ends, and right on events.
    const times = [0.37, 0.81, 0.12, 0.55, 0.99, 0, 1, 0.3, 0.31].map((f) => f * duration);
    times.push(engine.toPlayback((recording.events[recording.events.length >> 1] as Event).time));
    for (const time of times) {
      await engine.seek(time);
      const shown = engine.lastSeek?.target ?? -1;
      expect(view.serialize(), `at ${time.toFixed(2)} s`).toBe(
        await playedFromStart(recording, shown),
      );
    }
    view.dispose();
  });

  it('reuses the keyframes: seeks near each other start from the same one, none is added', async () => {
    const { keyframes, engine } = replay(recording, 16 * 1024);
    await keyframes.build();
    const count = keyframes.count;
    await engine.seek(engine.duration * 0.8);
    await engine.seek(engine.duration * 0.4);
    const first = engine.lastSeek;
    await engine.seek(engine.duration * 0.9);
    await engine.seek(engine.duration * 0.4 + 0.001);
    expect(engine.lastSeek).toMatchObject({ from: 'keyframe', keyframe: first?.keyframe });
    expect(keyframes.count).toBe(count);
    // A step forward writes on from what is shown, not from a keyframe.
    await engine.seek(engine.duration * 0.4 + 0.05);
    expect(engine.lastSeek?.from).toBe('here');
  });

  it('keeps a scroll region across a keyframe', async () => {
    const region = parseAsciicast(
      cast(
        [0.1, 'o', '\x1b[2;5r\x1b[1;1Hheader\x1b[6;1Hfooter\x1b[5;1H'],
        [0.2, 'o', 'x'.repeat(20)],
        [0.3, 'o', '\r\nline 1\r\nline 2\r\nline 3\r\nline 4\r\nline 5\r\nline 6'],
      ),
    );
    const { view, keyframes, engine } = replay(region, 10);
    await keyframes.build();
    await engine.seek(0.3);
    expect(engine.lastSeek).toMatchObject({ from: 'keyframe', keyframe: 2 });
    expect(view.serialize()).toBe(await playedFromStart(region, 3));
    expect(view.serialize()).toContain('header');
    expect(view.serialize()).toContain('footer');
  });

  it('puts the cursor back exactly after a full last row, and the pen on the alternate screen', async () => {
    const edges = parseAsciicast(
      cast(
        [0.1, 'o', `\x1b[?1049h\x1b[6;1H\x1b[44m${'f'.repeat(40)}\x1b[0m\x1b[5;1H\x1b[1Aup`],
        [0.2, 'o', '\x1b[2;1Hplain\x1b[41m'],
        [0.3, 'o', ' red'],
      ),
    );
    const { view, keyframes, engine } = replay(edges, 1);
    await keyframes.build();
    for (const [time, shown, keyframe] of [
      [0.1, 1, 1],
      [0.3, 3, 2],
    ] as const) {
      await engine.seek(time);
      expect(engine.lastSeek).toMatchObject({ from: 'keyframe', keyframe });
      expect(view.serialize()).toBe(await playedFromStart(edges, shown));
    }
  });

  it('applies the resizes of the recording', async () => {
    const resized = parseAsciicast(cast([0.1, 'o', 'a'], [0.2, 'r', '100x30'], [0.3, 'o', 'b']));
    const { view, keyframes, engine } = replay(resized, 1);
    await keyframes.build();
    await engine.seek(0.25);
    expect([view.terminal.cols, view.terminal.rows]).toEqual([100, 30]);
    await engine.seek(0.1);
    expect([view.terminal.cols, view.terminal.rows]).toEqual([40, 6]);
  });
});

type Event = Recording['events'][number];

describe('idle limit', () => {
  const recording = parseAsciicast(
    cast([0, 'o', 'a'], [1, 'o', 'b'], [61, 'o', 'c'], [62, 'o', 'd']),
  );

  it('caps every gap at the limit, and maps recording time both ways', () => {
    const clock = new PlaybackClock(recording, 2);
    expect([...clock.times]).toEqual([0, 1, 3, 4]);
    expect(clock.duration).toBe(4);
    expect(clock.toPlayback(1.5)).toBe(1.5);
    expect(clock.toPlayback(30)).toBe(3);
    expect(clock.toPlayback(61.5)).toBe(3.5);
    expect(clock.toRecording(3.5)).toBe(61.5);
    expect(new PlaybackClock(recording, null).duration).toBe(62);
  });

  it('stays at the same moment of the recording when the limit changes', async () => {
    const { engine } = replay(recording, 1);
    await engine.seek(61.5);
    engine.setIdleLimit(2);
    expect(engine.time).toBe(3.5);
    expect(engine.duration).toBe(4);
    engine.setIdleLimit(null);
    expect(engine.time).toBe(61.5);
  });
});

/** Time that moves only when the test says. */
function manualTime() {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; work: () => void }>();
  const scheduler: Scheduler = {
    now: () => now,
    after(ms, work) {
      const id = nextId++;
      timers.set(id, { at: now + ms, work });
      return () => timers.delete(id);
    },
  };
  /** Moves the clock on in steps of `step` ms, running what comes due and letting it finish. */
  const advance = async (ms: number, engine: ReplayEngine, step = 20) => {
    for (let elapsed = 0; elapsed < ms; elapsed += step) {
      now += step;
      for (const [id, timer] of [...timers].filter(([, t]) => t.at <= now)) {
        timers.delete(id);
        timer.work();
      }
      await engine.settled();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  return { scheduler, advance };
}

describe('play', () => {
  const recording = parseAsciicast(
    cast(...Array.from({ length: 40 }, (_, i) => [i * 0.5, 'o', `line ${i}\r\n`])),
  );

  it('plays at the speed asked, within 0.5× to 16×', async () => {
    const time = manualTime();
    const { view, engine } = replay(recording, 64, time.scheduler);
    engine.play(4);
    await time.advance(1000, engine);
    expect(engine.time).toBeGreaterThan(3.8);
    expect(engine.time).toBeLessThanOrEqual(4.1);
    expect(view.serialize()).toContain('line 8');
    expect(view.serialize()).not.toContain('line 9');
    engine.setSpeed(0.5);
    const before = engine.time;
    await time.advance(1000, engine);
    expect(engine.time - before).toBeCloseTo(0.5, 1);
    engine.setSpeed(100);
    expect(engine.speed).toBe(16);
    engine.setSpeed(0.1);
    expect(engine.speed).toBe(0.5);
  });

  it('pauses, and stops at the end', async () => {
    const time = manualTime();
    const { engine } = replay(recording, 64, time.scheduler);
    engine.play(16);
    await time.advance(500, engine);
    engine.pause();
    const paused = engine.time;
    await time.advance(500, engine);
    expect(engine.time).toBe(paused);
    engine.play();
    await time.advance(2000, engine);
    expect(engine.time).toBe(engine.duration);
    expect(engine.playing).toBe(false);
  });

  it('steps speed through 0.5, 1, 2, 4, 8, 16', () => {
    expect(stepSpeed(1, 1)).toBe(2);
    expect(stepSpeed(1, -1)).toBe(0.5);
    expect(stepSpeed(0.5, -1)).toBe(0.5);
    expect(stepSpeed(16, 1)).toBe(16);
  });
});
