/**
 * Replay of a 1-hour recording: seek latency once the keyframes are built, and what building them
 * costs. Measured in Node on @xterm/headless (the same parser as the page's xterm.js); the page
 * adds painting one frame of the terminal after a seek, and its own slice of parsing speed.
 *
 * The recording: made up (src/renderer/src/components/replay/fixtures.ts), a busy agent's hour,
 * ~33 MB of asciicast (~25 M characters of output; a busy hour makes 20-50 MB): prompts and typed
 * commands, bursts of coloured test and build output, a spinner redrawn in place, diffs,
 * full-screen redraws on the alternate screen in a scroll region, resizes, idle gaps of seconds to
 * minutes. Seeks: 50 times drawn at random (seeded) over the hour, one after another, each from
 * where the one before left the view.
 *
 * BENCH_REPLAY_KEYFRAME_KI changes the keyframe interval (default 256 Ki of output).
 */
import { performance } from 'node:perf_hooks';
import { parseAsciicast } from '../src/renderer/src/components/replay/asciicast';
import { ReplayEngine } from '../src/renderer/src/components/replay/engine';
import { sampleAsciicast } from '../src/renderer/src/components/replay/fixtures';
import { headlessTerminal } from '../src/renderer/src/components/replay/headless';
import {
  DEFAULT_KEYFRAME_CHARS,
  KeyframeIndex,
} from '../src/renderer/src/components/replay/keyframes';
import { percentile, progress, type BenchResult } from './lib';

const SECONDS = 3600;
/** A busy hour: ~33 MB of asciicast. */
const VOLUME = 1.25;
const SEEKS = 50;
const TARGET_MS = 200;
const KEYFRAME_CHARS =
  Number(process.env.BENCH_REPLAY_KEYFRAME_KI ?? 0) * 1024 || DEFAULT_KEYFRAME_CHARS;

export async function run(): Promise<BenchResult[]> {
  progress(`making a ${SECONDS / 60}-minute recording`);
  const text = sampleAsciicast({ seconds: SECONDS, seed: 14, volume: VOLUME });
  const parseStarted = performance.now();
  const recording = parseAsciicast(text);
  const parseMs = performance.now() - parseStarted;
  const outputChars = recording.offsets.at(-1) ?? 0;
  progress(`${mb(text.length)} MB, ${recording.events.length} events; cold seek to the end`);
  const cold = await coldSeekToEnd(recording);
  progress('building the keyframes');
  const { keyframes, buildMs, longestStallMs } = await buildKeyframes(recording);
  progress(`${keyframes.count} keyframes; ${SEEKS} seeks`);
  const seeks = await seekAtRandom(recording, keyframes);
  const note = `target < ${TARGET_MS} ms; Node, @xterm/headless (the page adds painting)`;
  return [
    { name: 'recording size', value: mb(text.length), unit: 'MB', note: '1 hour, asciicast v2' },
    { name: 'recording output', value: mb(outputChars), unit: 'M chars' },
    { name: 'parse the asciicast', value: parseMs, unit: 'ms' },
    { name: 'build the keyframes', value: buildMs, unit: 'ms', note: 'in the background' },
    {
      name: 'longest stall while building them',
      value: longestStallMs,
      unit: 'ms',
      note: 'event loop blocked',
    },
    {
      name: 'keyframes',
      value: keyframes.count,
      unit: '',
      note: `one per ${KEYFRAME_CHARS / 1024} Ki of output`,
    },
    { name: 'keyframes held', value: mb(keyframes.stateChars), unit: 'M chars' },
    { name: `seek p50 (${SEEKS} random)`, value: percentile(seeks, 50), unit: 'ms', note },
    { name: 'seek p95', value: percentile(seeks, 95), unit: 'ms', note },
    { name: 'seek max', value: Math.max(...seeks), unit: 'ms', note },
    {
      name: 'seek to the end before any keyframe',
      value: cold,
      unit: 'ms',
      note: 'the whole hour written',
    },
  ];
}

function mb(chars: number): number {
  return chars / 1e6;
}

async function buildKeyframes(recording: ReturnType<typeof parseAsciicast>) {
  const keyframes = new KeyframeIndex(recording, headlessTerminal, {
    everyChars: KEYFRAME_CHARS,
    pause: () => new Promise((resolve) => setImmediate(resolve)),
  });
  const stalls = watchStalls();
  const started = performance.now();
  await keyframes.build();
  const buildMs = performance.now() - started;
  return { keyframes, buildMs, longestStallMs: stalls() };
}

/** The longest the event loop went without running a timer (what a page would feel as a stall). */
function watchStalls(): () => number {
  let worst = 0;
  let last = performance.now();
  let watching = true;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    if (watching) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  return () => {
    watching = false;
    return worst;
  };
}

async function seekAtRandom(
  recording: ReturnType<typeof parseAsciicast>,
  keyframes: KeyframeIndex,
): Promise<number[]> {
  const view = headlessTerminal(recording.cols, recording.rows);
  const engine = new ReplayEngine(recording, view.terminal, keyframes);
  const next = seeded(50);
  const samples: number[] = [];
  for (let seek = 0; seek < SEEKS; seek++) {
    const started = performance.now();
    await engine.seek(next() * engine.duration);
    samples.push(performance.now() - started);
  }
  view.dispose();
  return samples;
}

/** What a seek costs before the index has any keyframe: everything from the start. */
async function coldSeekToEnd(recording: ReturnType<typeof parseAsciicast>): Promise<number> {
  const view = headlessTerminal(recording.cols, recording.rows);
  const engine = new ReplayEngine(
    recording,
    view.terminal,
    new KeyframeIndex(recording, headlessTerminal),
  );
  const started = performance.now();
  await engine.seek(engine.duration);
  const ms = performance.now() - started;
  view.dispose();
  return ms;
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}
