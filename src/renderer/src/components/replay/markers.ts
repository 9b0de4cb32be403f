/**
 * Marks on the replay's scrubber, from the session's audit events: where a prompt went in, an
 * approval was asked or answered, a command ran.
 *
 * - Prompts: `session.message.delivered` (a queued message typed in by Paddock) and
 *   `agent.reported.prompt` (the agent's UserPromptSubmit hook, as the agent reports it).
 * - Approvals: `approval.requested`, `approval.decided`, `approval.expired`.
 * - Commands: `policy.decided` (each tool call the agent's PreToolUse hook asked about, with the
 *   policy's answer) and `session.exec` (a command run in the session, by a gate or a person: its
 *   event is written when it ends, so it is marked where it began, `durationMs` before).
 *   The PostToolUse hook's `agent.reported.tool-used` is left out: it names the same call again.
 * - A remote operator run: the person's notes to the model, and their taking over the host's
 *   terminal and handing it back, are its prompts; each command is marked
 *   where the model proposed it (`operator.command.proposed`), and again where it was refused
 *   (`operator.command.decided`, denials only: an allow is followed by the output, and an answer
 *   from the inbox is marked by the approval events).
 *
 * Time: the recording's time 0 is its `terminal.started` event. The recorder starts its clock
 * (`performance.now()`) as it is made, and appends `terminal.started` in the same turn, before any
 * byte (terminal-recorder.ts, recording-thread.ts `open`), so an event's `ts` minus that event's
 * `ts` is its time in the recording, to the millisecond. The asciicast header's `timestamp` is the
 * same moment in whole seconds, too coarse for this. A restarted session records again with a new
 * `terminal.started`; the export (like this) counts from the first.
 */
import type { AuditEvent, JsonObject } from '../../../../shared/audit';
import { escapeText } from '../../escape-text';

export type MarkerKind = 'prompt' | 'approval' | 'command';

export interface ReplayMarker {
  kind: MarkerKind;
  /** Seconds since the recording started. */
  seconds: number;
  title: string;
  seq: number;
}

/** Null: this event is not worth a mark. */
type Describe = (event: AuditEvent) => { kind: MarkerKind; title: string; startMs?: number } | null;

const DESCRIBE: Readonly<Record<string, Describe>> = {
  'session.message.delivered': (event) => ({
    kind: 'prompt',
    title: `Message typed in: ${text(event.payload, 'text')}`,
  }),
  'agent.reported.prompt': (event) => ({
    kind: 'prompt',
    title: `Prompt (as the agent reports it): ${text(event.payload, 'detail')}`,
  }),
  'approval.requested': (event) => ({
    kind: 'approval',
    title: `Approval asked: ${text(event.payload, 'subject')} (${text(event.payload, 'risk')} risk)`,
  }),
  'approval.decided': (event) => ({
    kind: 'approval',
    title: `${event.payload.allow === true ? 'Allowed' : 'Denied'} by ${event.actorId} (${text(event.payload, 'scope')})`,
  }),
  'approval.expired': () => ({ kind: 'approval', title: 'Approval expired: denied' }),
  'policy.decided': (event) => ({
    kind: 'command',
    title: `${text(event.payload, 'subject')}: ${text(event.payload, 'decision')} by the policy`,
  }),
  'operator.note': (event) => ({
    kind: 'prompt',
    title: `Note to the model from ${event.actorId}: ${text(event.payload, 'text')}`,
  }),
  'operator.takeover.started': (event) => ({
    kind: 'prompt',
    title: `${event.actorId} took over the terminal on the host`,
  }),
  'operator.takeover.ended': (event) => ({
    kind: 'prompt',
    title: `Handed back by ${event.actorId} after ${text(event.payload, 'seconds')} s`,
  }),
  'operator.command.proposed': (event) => ({
    kind: 'command',
    title: `Step ${text(event.payload, 'step')} on ${text(event.payload, 'host')}: ${text(event.payload, 'command')}`,
  }),
  'operator.command.decided': (event) =>
    event.payload.allow === true
      ? null
      : {
          kind: 'command',
          title: `Step ${text(event.payload, 'step')} not run (${event.actorId}): ${text(event.payload, 'reason')}`,
        },
  'session.exec': (event) => ({
    kind: 'command',
    title: `Ran ${argvOf(event.payload)} (exit ${String(event.payload.exitCode ?? '?')})`,
    startMs: Date.parse(event.ts) - numberOr(event.payload.durationMs, 0),
  }),
};

/** For the legend: each kind, one and many. */
export const MARKER_KINDS: ReadonlyArray<{ kind: MarkerKind; label: [string, string] }> = [
  { kind: 'prompt', label: ['prompt', 'prompts'] },
  { kind: 'approval', label: ['approval', 'approvals'] },
  { kind: 'command', label: ['command', 'commands'] },
];

/** When the recording started (ISO 8601): the first `terminal.started`, if any. */
export function recordingStart(events: readonly AuditEvent[]): string | null {
  return events.find((event) => event.kind === 'terminal.started')?.ts ?? null;
}

/** Seconds into the recording of an ISO time. */
export function secondsInto(start: string, at: string): number {
  return Math.max(0, (Date.parse(at) - Date.parse(start)) / 1000);
}

/** The markers, in time order; titles cut to a line. */
export function markersOf(events: readonly AuditEvent[], start: string): ReplayMarker[] {
  const startMs = Date.parse(start);
  const markers: ReplayMarker[] = [];
  for (const event of events) {
    const described = DESCRIBE[event.kind]?.(event);
    if (!described) continue;
    const { kind, title, startMs: at = Date.parse(event.ts) } = described;
    markers.push({
      kind,
      title: oneLine(title),
      seconds: Math.max(0, (at - startMs) / 1000),
      seq: event.seq,
    });
  }
  return markers.sort((a, b) => a.seconds - b.seconds);
}

function text(payload: JsonObject, key: string): string {
  const value = payload[key];
  return typeof value === 'string'
    ? value
    : value === undefined || value === null
      ? '?'
      : JSON.stringify(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function argvOf(payload: JsonObject): string {
  const argv = payload.argv;
  return Array.isArray(argv) ? argv.map(String).join(' ') : '?';
}

/** Agents' text can hold anything: hidden characters shown as escapes, at most 200 characters. */
function oneLine(title: string): string {
  const safe = escapeText(title).replace(/[\n\t]+/g, ' ');
  return safe.length > 200 ? `${safe.slice(0, 199)}…` : safe;
}
