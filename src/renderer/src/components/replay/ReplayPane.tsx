/**
 * A session's recording played back in xterm.js: play and pause, speed, a scrubber with marks for
 * prompts, approvals and commands, and the idle limit. The recording is read once
 * (`session.export`, asciicast), parsed in slices, and indexed with keyframes in the background
 * (engine.ts, keyframes.ts); the session's audit events give the marks (markers.ts). A timeline
 * entry's "Play from here" (store/timeline.ts `replaySeek`) seeks here.
 *
 * A live session's recording is read as it stands when the view opens; Reload reads it again.
 */
import { useEffect, useReducer, useRef, useState, type RefObject } from 'react';
import type { AuditEvent } from '../../../../shared/audit';
import type { SessionRecord } from '../../../../shared/sessions';
import { api } from '../../api/connection';
import { errorMessage } from '../../format';
import { isLive } from '../../store/sessions';
import { clearReplaySeek, useTimeline } from '../../store/timeline';
import { Keys } from '../Keys';
import { parseAsciicastInSlices, type Recording } from './asciicast';
import { ReplayEngine, stepSpeed } from './engine';
import { KeyframeIndex, nextTick } from './keyframes';
import { registerReplay, replayKey, REPLAY_KEYS, type ReplayControls } from './keys';
import { MARKER_KINDS, markersOf, recordingStart, secondsInto, type ReplayMarker } from './markers';
import { makeViewTerminal, pageIndexTerminal } from './page-terminal';
import './replay.css';

/** Idle gaps are cut to this by default, as asciinema users commonly do. */
const DEFAULT_IDLE_LIMIT = 2;
const IDLE_LIMITS: ReadonlyArray<number | null> = [null, 1, 2, 5, 30];
const AUDIT_PAGE = 1000;

interface Replay {
  recording: Recording;
  engine: ReplayEngine;
  markers: ReplayMarker[];
  /** The recording's time 0 (ISO), from `terminal.started`. */
  start: string | null;
}

type Loading =
  { step: 'loading' } | { step: 'error'; message: string } | { step: 'ready'; replay: Replay };

/** Every event of the session, oldest first, page by page. */
async function sessionEvents(sessionId: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (let afterSeq = 0; ;) {
    const page = await api.audit.list({ sessionId, afterSeq, limit: AUDIT_PAGE, order: 'asc' });
    events.push(...page);
    if (page.length < AUDIT_PAGE) return events;
    afterSeq = (page.at(-1) as AuditEvent).seq;
  }
}

/** Reads and parses the recording, opens the view in `box` and starts indexing. */
function useReplay(sessionId: string, box: RefObject<HTMLDivElement | null>, reloads: number) {
  const [loading, setLoading] = useState<Loading>({ step: 'loading' });
  useEffect(() => {
    let cancelled = false;
    let dispose = () => {};
    setLoading({ step: 'loading' });
    const load = async () => {
      const [text, events] = await Promise.all([
        api.session.export({ id: sessionId, format: 'asciicast' }),
        sessionEvents(sessionId),
      ]);
      const recording = await parseAsciicastInSlices(text, nextTick);
      const element = box.current;
      if (cancelled || !element) return;
      const view = makeViewTerminal(recording.cols, recording.rows);
      view.open(element);
      const keyframes = new KeyframeIndex(recording, pageIndexTerminal);
      const engine = new ReplayEngine(recording, view, keyframes, {
        idleLimit: recording.idleTimeLimit ?? DEFAULT_IDLE_LIMIT,
      });
      dispose = () => {
        engine.dispose();
        keyframes.stop();
        view.dispose();
      };
      void keyframes.build();
      const start = recordingStart(events);
      const markers = start ? markersOf(events, start) : [];
      setLoading({ step: 'ready', replay: { recording, engine, markers, start } });
    };
    load().catch((error: unknown) => {
      if (!cancelled) setLoading({ step: 'error', message: errorMessage(error) });
    });
    return () => {
      cancelled = true;
      dispose();
    };
  }, [sessionId, box, reloads]);
  return loading;
}

/** Re-renders on every change of the engine's time, state or index. */
function useEngineUpdates(engine: ReplayEngine | null): void {
  const [, update] = useReducer((count: number) => count + 1, 0);
  useEffect(() => {
    if (!engine) return;
    const stops = [
      engine.onTime(update),
      engine.onState(update),
      engine.keyframes.onProgress(update),
    ];
    return () => stops.forEach((stop) => stop());
  }, [engine]);
}

/** `m:ss`, or `h:mm:ss` from an hour. */
function clock(seconds: number): string {
  const whole = Math.floor(seconds);
  const pad = (value: number) => String(value).padStart(2, '0');
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

function controlsFor(replay: Replay): ReplayControls {
  const { engine, markers } = replay;
  const times = () => markers.map((marker) => engine.toPlayback(marker.seconds));
  return {
    togglePlay: () => (engine.playing ? engine.pause() : engine.play()),
    step: (seconds) => void engine.seek(engine.time + seconds),
    speed: (step) => engine.setSpeed(stepSpeed(engine.speed, step)),
    marker: (step) => {
      // Back skips a marker less than half a second behind: pressed again, [ steps to the one
      // before instead of landing on the marker it just went to.
      const all = times();
      const next =
        step === 1
          ? all.find((time) => time > engine.time + 0.01)
          : all.reverse().find((time) => time < engine.time - 0.5);
      if (next !== undefined) void engine.seek(next);
    },
    edge: (to) => void engine.seek(to === 0 ? 0 : engine.duration),
  };
}

/** A timeline entry's "Play from here" for this session: seek there, once. */
function usePlayFromHere(sessionId: string, replay: Replay | null): void {
  const request = useTimeline((state) => state.replaySeek);
  useEffect(() => {
    if (!replay || !request || request.sessionId !== sessionId) return;
    const seconds =
      request.recordingMs !== null
        ? request.recordingMs / 1000
        : replay.start
          ? secondsInto(replay.start, request.at)
          : 0;
    void replay.engine.seek(replay.engine.toPlayback(seconds));
    clearReplaySeek();
  }, [request, replay, sessionId]);
}

function Scrubber({ replay }: { replay: Replay }) {
  const { engine, markers } = replay;
  const [dragging, setDragging] = useState<number | null>(null);
  const seeks = useRef(0);
  const duration = engine.duration;
  const seek = (time: number) => {
    const seek = ++seeks.current;
    setDragging(time);
    void engine.seek(time).then(() => seek === seeks.current && setDragging(null));
  };
  // Events after the recording ended (a gate run on a kept session) sit at its end.
  const at = (seconds: number) =>
    duration > 0 ? (Math.min(duration, engine.toPlayback(seconds)) / duration) * 100 : 0;
  return (
    <div className="replay-scrubber">
      <input
        type="range"
        min={0}
        max={duration}
        step="any"
        value={dragging ?? engine.time}
        aria-label="Position in the recording"
        aria-valuetext={`${clock(dragging ?? engine.time)} of ${clock(duration)}`}
        data-testid="replay-scrubber"
        onChange={(event) => seek(Number(event.target.value))}
        onKeyDown={(event) => {
          // The range's own arrows move by a sliver: the replay's keys instead.
          if (REPLAY_KEYS.includes(event.key) && replayKey(event)) event.preventDefault();
        }}
      />
      <div className="replay-markers">
        {markers.map((marker) => (
          <button
            key={marker.seq}
            type="button"
            tabIndex={-1}
            className={`replay-marker replay-marker--${marker.kind}`}
            style={{ left: `${at(marker.seconds)}%` }}
            title={`${clock(engine.toPlayback(marker.seconds))} · ${marker.title}`}
            aria-label={marker.title}
            data-testid="replay-marker"
            onClick={() => seek(engine.toPlayback(marker.seconds))}
          />
        ))}
      </div>
    </div>
  );
}

function counted(count: number, [one, many]: readonly [string, string]): string {
  return `${count} ${count === 1 ? one : many}`;
}

function Legend({ markers }: { markers: readonly ReplayMarker[] }) {
  return (
    <span className="replay-legend muted">
      {MARKER_KINDS.map(({ kind, label }) => (
        <span key={kind}>
          <span className={`replay-dot replay-marker--${kind}`} aria-hidden="true" />
          {counted(markers.filter((marker) => marker.kind === kind).length, label)}
        </span>
      ))}
      <span>
        <Keys keys={['[']} /> <Keys keys={[']']} /> marker to marker
      </span>
    </span>
  );
}

function Speed({ speed, onStep }: { speed: number; onStep: (step: 1 | -1) => void }) {
  return (
    <span className="replay-speed" role="group" aria-label="Speed">
      <button type="button" className="button" onClick={() => onStep(-1)}>
        Slower <Keys keys={['−']} />
      </button>
      <output data-testid="replay-speed">{speed}×</output>
      <button type="button" className="button" onClick={() => onStep(1)}>
        Faster <Keys keys={['+']} />
      </button>
    </span>
  );
}

/** The idle limit, shown and chosen: gaps longer than it play as it. */
function IdleLimit({ engine }: { engine: ReplayEngine }) {
  return (
    <label className="replay-idle">
      Idle gaps cut to{' '}
      <select
        value={String(engine.idleLimit)}
        onChange={(event) =>
          engine.setIdleLimit(event.target.value === 'null' ? null : Number(event.target.value))
        }
      >
        {IDLE_LIMITS.map((limit) => (
          <option key={String(limit)} value={String(limit)}>
            {limit === null ? 'no limit' : `${limit} s`}
          </option>
        ))}
      </select>
    </label>
  );
}

function Controls({
  replay,
  live,
  onReload,
}: {
  replay: Replay;
  live: boolean;
  onReload: () => void;
}) {
  const { engine, recording } = replay;
  const controls = controlsFor(replay);
  const indexed = engine.keyframes.progress;
  return (
    <div className="replay-controls">
      <button
        type="button"
        className="button"
        onClick={controls.togglePlay}
        data-testid="replay-play"
      >
        {engine.playing ? 'Pause' : 'Play'} <Keys keys={['Space']} />
      </button>
      <Speed speed={engine.speed} onStep={controls.speed} />
      <span className="replay-time" data-testid="replay-time">
        {clock(engine.time)} / {clock(engine.duration)}
      </span>
      <IdleLimit engine={engine} />
      {indexed < 1 && (
        <span className="muted" data-testid="replay-indexing">
          Indexing {Math.floor(indexed * 100)}%: seeks get faster as it goes
        </span>
      )}
      {recording.torn && (
        <span className="muted">The recording’s last line was cut off: left out.</span>
      )}
      {live && (
        <button type="button" className="button" onClick={onReload}>
          Reload: the session is still recording
        </button>
      )}
    </div>
  );
}

export function ReplayPane({ session }: { session: SessionRecord }) {
  const box = useRef<HTMLDivElement>(null);
  const [reloads, reload] = useReducer((count: number) => count + 1, 0);
  const loading = useReplay(session.id, box, reloads);
  const replay = loading.step === 'ready' ? loading.replay : null;
  useEngineUpdates(replay?.engine ?? null);
  usePlayFromHere(session.id, replay);
  useEffect(() => (replay ? registerReplay(controlsFor(replay)) : undefined), [replay]);

  return (
    <div
      className="replay-pane"
      data-testid="replay"
      data-keyframes={replay?.engine.keyframes.count}
      data-seek-from={replay?.engine.lastSeek?.from}
    >
      {replay && (
        <>
          <Controls replay={replay} live={isLive(session)} onReload={reload} />
          <Scrubber replay={replay} />
          <Legend markers={replay.markers} />
        </>
      )}
      {loading.step === 'loading' && <p className="muted replay-status">Reading the recording…</p>}
      {loading.step === 'error' && (
        <p className="error replay-status" role="alert">
          Could not read the recording: {loading.message}
        </p>
      )}
      {replay?.recording.events.length === 0 && (
        <p className="muted replay-status">Nothing was recorded yet.</p>
      )}
      <div className="replay-screen">
        <div
          ref={box}
          className="replay-box"
          data-testid="replay-terminal"
          aria-label="Recorded terminal, replayed"
        />
      </div>
    </div>
  );
}
