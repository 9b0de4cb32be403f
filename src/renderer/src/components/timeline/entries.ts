/**
 * A session's timeline, read from its audit events: what each event is (a category, in words),
 * one line saying what happened, and whether the agent reported it or Paddock saw it. Runs of
 * terminal chunks collapse into one entry, so a session of 100,000 events is not 100,000 rows of
 * output.
 *
 * Payloads come from the agent or quote it: every field is read by type, and anything of the
 * wrong shape is left out rather than guessed at.
 */
import type { AuditEvent, JsonObject, JsonValue } from '../../../../shared/audit';
import { commandLine } from '../../../../shared/command-line';
import { formatDuration } from '../inbox/time';
import { formatBytes, formatElapsed } from '../sessions/network';

export const CATEGORIES = [
  'task',
  'prompt',
  'thought',
  'command',
  'decision',
  'file',
  'network',
  'approval',
  'redaction',
  'gate',
  'signoff',
  'promotion',
  'output',
  'input',
  'session',
  'cost',
  'dropped',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Each category's name in words, and a glyph beside it (decoration: the words carry the meaning). */
export const CATEGORY_INFO: Readonly<Record<Category, { label: string; glyph: string }>> = {
  task: { label: 'Task', glyph: '◆' },
  prompt: { label: 'Prompt', glyph: '›' },
  thought: { label: 'Thought', glyph: '∴' },
  command: { label: 'Command', glyph: '$' },
  decision: { label: 'Decision', glyph: '⚖' },
  file: { label: 'Files', glyph: '±' },
  network: { label: 'Network', glyph: '⇅' },
  approval: { label: 'Approval', glyph: '?' },
  redaction: { label: 'Redaction', glyph: '▒' },
  gate: { label: 'Gate', glyph: '▣' },
  signoff: { label: 'Sign-off', glyph: '✎' },
  promotion: { label: 'Promotion', glyph: '↑' },
  output: { label: 'Output', glyph: '▤' },
  input: { label: 'Input', glyph: '⌨' },
  session: { label: 'Session', glyph: '●' },
  cost: { label: 'Cost', glyph: '¤' },
  dropped: { label: 'Dropped', glyph: '∅' },
  other: { label: 'Other', glyph: '·' },
};

const BY_KIND: Readonly<Record<string, Category>> = {
  'session.created': 'task',
  'agent.reported.prompt': 'prompt',
  'session.message.queued': 'prompt',
  'session.message.delivered': 'prompt',
  'agent.reported.tool-used': 'command',
  'session.exec': 'command',
  'command.run': 'command',
  'workspace.setup.started': 'command',
  'workspace.setup.finished': 'command',
  'policy.decided': 'approval',
  'redaction.applied': 'redaction',
  'session.promoted': 'promotion',
  'terminal.output': 'output',
  'terminal.input': 'input',
  'blob.dropped': 'dropped',
  'audit.pruned': 'dropped',
  // The remote operator (#17): the model proposes (thought, command), the policy or a person
  // decides, the host's output is observed.
  'operator.started': 'task',
  'operator.step.thought': 'thought',
  'operator.reply.invalid': 'thought',
  'operator.command.proposed': 'command',
  'operator.command.decided': 'decision',
  'operator.command.output': 'output',
  'operator.model.called': 'network',
  'operator.note': 'prompt',
};

/** Checked in order, after BY_KIND: the first prefix that matches wins. */
const BY_PREFIX: ReadonlyArray<readonly [string, Category]> = [
  ['approval.', 'approval'],
  ['network.', 'network'],
  ['broker.', 'network'],
  ['gates.', 'gate'],
  ['review.', 'signoff'],
  ['workspace.', 'file'],
  ['cost.', 'cost'],
  ['terminal.', 'session'],
  ['sandbox.', 'session'],
  ['session.', 'session'],
  ['operator.', 'session'],
];

export function categoryOf(kind: string): Category {
  const exact = BY_KIND[kind];
  if (exact) return exact;
  // What a Claude Code hook reported: the prompt it was given, or a tool it used.
  if (kind.startsWith('hook.')) return kind.includes('prompt') ? 'prompt' : 'command';
  return BY_PREFIX.find(([prefix]) => kind.startsWith(prefix))?.[1] ?? 'other';
}

/** The agent said so; Paddock did not observe it. Never trusted for a decision. */
export function isReportedByAgent(event: Pick<AuditEvent, 'actor' | 'kind' | 'payload'>): boolean {
  return (
    event.actor === 'agent' ||
    event.kind.startsWith('agent.reported.') ||
    event.payload.reportedByAgent === true
  );
}

// ---- Reading payload fields by type ----

const str = (value: JsonValue | undefined): string | null =>
  typeof value === 'string' ? value : null;
const num = (value: JsonValue | undefined): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const obj = (value: JsonValue | undefined): JsonObject | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
const strings = (value: JsonValue | undefined): string[] | null =>
  Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? (value as string[])
    : null;

const QUOTE_MAX = 160;
/**
 * A quoted piece of untrusted text, cut for one line (the detail shows all of it). Only line
 * breaks, tabs and spaces fold into one space: every other invisible character stays, to be
 * shown as an escape.
 */
function quote(text: string): string {
  const line = text.replace(/[\t\n\r ]+/g, ' ').trim();
  return `“${line.length > QUOTE_MAX ? `${line.slice(0, QUOTE_MAX - 1)}…` : line}”`;
}

const join = (...parts: Array<string | null | false | undefined>) =>
  parts.filter((part): part is string => !!part).join(' · ');

// ---- One line per kind ----

type Describe = (payload: JsonObject, event: AuditEvent) => string;

function sessionState(payload: JsonObject, event: AuditEvent): string {
  const state = event.kind.slice('session.'.length);
  const exitCode = num(payload.exitCode);
  return join(
    `Session ${state}`,
    str(payload.reason),
    exitCode !== null && `exit code ${exitCode}`,
    str(payload.from) && `was ${str(payload.from)}`,
  );
}

function exec(payload: JsonObject): string {
  const argv = strings(payload.argv);
  const exitCode = num(payload.exitCode);
  const duration = num(payload.durationMs);
  return join(
    `$ ${argv ? commandLine(argv) : '(command not recorded)'}`,
    exitCode === null ? 'no exit code' : `exit ${exitCode}`,
    duration !== null && formatElapsed(duration),
    str(payload.workTree) !== null && 'in the gates’ landing',
    num(payload.timedOutAfterMs) !== null && 'timed out',
    str(payload.sandboxStopped) && `stopped by the sandbox: ${str(payload.sandboxStopped)}`,
  );
}

function approvalDecided(payload: JsonObject, event: AuditEvent): string {
  const allowed = payload.allow === true;
  const scope = str(payload.scope);
  const waited = num(payload.waitedMs);
  const verb =
    event.kind === 'approval.expired' ? 'Expired, denied' : allowed ? 'Allowed' : 'Denied';
  return join(
    `${verb}${scope && allowed ? ` (${scope})` : ''} by ${event.actor} ${event.actorId}`,
    waited !== null && `after ${formatDuration(waited)}`,
    str(payload.reason) && quote(str(payload.reason) ?? ''),
  );
}

function network(payload: JsonObject, event: AuditEvent): string {
  const host = str(payload.host);
  const port = num(payload.port);
  const method = str(payload.method);
  const path = str(payload.path);
  const decision = str(payload.decision);
  const what =
    event.kind === 'network.package'
      ? `${str(payload.ecosystem) ?? 'package'} ${str(payload.name) ?? '?'}${str(payload.version) ? `@${str(payload.version)}` : ''}`
      : `${method ? `${method} ` : ''}${host ?? '(no host)'}${port !== null ? `:${port}` : ''}${method && path ? path : ''}`;
  return join(
    what,
    decision === 'denied' ? 'refused' : decision,
    str(payload.rule) && quote(str(payload.rule) ?? ''),
  );
}

function brokerCall(payload: JsonObject): string {
  const status = num(payload.status);
  return join(
    `Model call ${str(payload.method) ?? ''} ${str(payload.provider) ?? ''}`.trim(),
    str(payload.requestedModel),
    status !== null && `status ${status}`,
    str(payload.refused) && `refused: ${str(payload.refused)}`,
    str(payload.failed) && `failed: ${str(payload.failed)}`,
  );
}

const VERDICTS: Readonly<Record<string, string>> = {
  pass: 'passed',
  fail: 'failed',
  'needs-signoff': 'passed, a sign-off needed',
};

function gatesFinished(payload: JsonObject): string {
  const results = Array.isArray(payload.results) ? payload.results.map(obj) : [];
  const failed = results.filter((result) => result && str(result.status) !== 'passed');
  return join(
    `Gates ${VERDICTS[str(payload.verdict) ?? ''] ?? 'finished'}`,
    `${results.length} gate${results.length === 1 ? '' : 's'}`,
    failed.length > 0 &&
      `not passed: ${failed.map((result) => str(result?.name) ?? '?').join(', ')}`,
  );
}

function dropped(payload: JsonObject): string {
  const bytes = num(payload.bytes);
  const events = Array.isArray(payload.events)
    ? payload.events.filter((seq) => num(seq) !== null)
    : [];
  const before = str(payload.before);
  return join(
    `Content dropped${bytes !== null ? `: ${formatBytes(bytes)}` : ''}`,
    events.length > 0 && `named by event${events.length === 1 ? '' : 's'} #${events.join(', #')}`,
    str(payload.reason),
    before && `older than ${before}`,
  );
}

function operatorDecided(payload: JsonObject, event: AuditEvent): string {
  return join(
    `Step ${num(payload.step) ?? '?'}: ${payload.allow === true ? 'allowed' : 'not run'} by ${event.actor} ${event.actorId}`,
    str(payload.reason) && quote(str(payload.reason) ?? ''),
  );
}

function operatorOutput(payload: JsonObject): string {
  const exitCode = num(payload.exitCode);
  const duration = num(payload.durationMs);
  return join(
    `Step ${num(payload.step) ?? '?'} output: ${formatBytes(num(payload.outputBytes) ?? 0)}`,
    exitCode === null ? `ended by ${str(payload.signal) ?? 'a signal'}` : `exit ${exitCode}`,
    duration !== null && formatElapsed(duration),
    payload.truncated === true && 'cut',
  );
}

const OPERATOR_DESCRIBE: Readonly<Record<string, Describe>> = {
  'operator.started': (p) =>
    join(`Operator goal: ${quote(str(p.goal) ?? '')}`, `on ${str(p.host) ?? '?'}`, str(p.model)),
  'operator.step.thought': (p) => `Step ${num(p.step) ?? '?'}: ${quote(str(p.thought) ?? '')}`,
  'operator.reply.invalid': (p) =>
    `Step ${num(p.step) ?? '?'}: no valid tool call (${str(p.problem) ?? '?'})`,
  'operator.command.proposed': (p) =>
    `Step ${num(p.step) ?? '?'} on ${str(p.host) ?? '?'}: $ ${str(p.command) ?? '?'}`,
  'operator.command.decided': operatorDecided,
  'operator.command.output': operatorOutput,
  'operator.model.called': (p) =>
    join(
      `Model call, step ${num(p.step) ?? '?'}: ${str(p.model) ?? '?'}`,
      num(p.durationMs) !== null && formatElapsed(num(p.durationMs) ?? 0),
      str(p.failure) && `failed: ${str(p.failure)}`,
    ),
  'operator.note': (p) => `Note for the operator: ${quote(str(p.text) ?? '')}`,
  'operator.paused': () => 'Operator paused',
  'operator.resumed': () => 'Operator resumed',
  'operator.takeover.started': () => 'Took over the host’s terminal (the run holds)',
  'operator.takeover.ended': (p) =>
    `Handed the host’s terminal back after ${num(p.seconds) ?? '?'} s (the run goes on)`,
  'operator.finished': (p) =>
    join(
      `Operator ${str(p.outcome) ?? 'ended'}`,
      str(p.reason),
      str(p.summary) && quote(str(p.summary) ?? ''),
    ),
};

const DESCRIBE: Readonly<Record<string, Describe>> = {
  ...OPERATOR_DESCRIBE,
  'session.created': (p) =>
    join(
      `Task: ${str(p.task) ? quote(str(p.task) ?? '') : '(none given)'}`,
      str(p.agentPreset),
      str(p.branch) && `on ${str(p.branch)}`,
      str(p.sandbox) && `sandbox ${str(p.sandbox)}`,
    ),
  'agent.reported.prompt': (p) => `Prompt: ${quote(str(p.detail) ?? '')}`,
  'agent.reported.tool-used': (p) => `Tool used: ${str(p.detail) ?? '(not named)'}`,
  'session.message.queued': (p) => `Message queued for the agent: ${quote(str(p.text) ?? '')}`,
  'session.message.delivered': (p) => `Message typed in for the agent: ${quote(str(p.text) ?? '')}`,
  'session.exec': exec,
  'workspace.setup.started': (p) => `Set-up command started: ${str(p.command) ?? '?'}`,
  'workspace.setup.finished': (p) =>
    join(`Set-up command finished: ${str(p.command) ?? '?'}`, `exit ${num(p.exitCode) ?? '?'}`),
  'workspace.snapshot': (p) =>
    `Snapshot of the workspace: commit ${(str(p.commit) ?? '?').slice(0, 12)}`,
  'workspace.copied': (p) =>
    `Files copied into the workspace: ${strings(p.copied)?.join(', ') || 'none'}`,
  'policy.decided': (p) =>
    join(
      `Policy: ${str(p.decision) ?? '?'} ${str(p.subject) ?? ''}`.trim(),
      str(p.reason) && quote(str(p.reason) ?? ''),
    ),
  'approval.requested': (p) =>
    join(
      `Asked: ${str(p.subject) ?? '?'}`,
      str(p.risk) && `${str(p.risk)} risk`,
      str(p.reason) && quote(str(p.reason) ?? ''),
    ),
  'approval.decided': approvalDecided,
  'approval.expired': approvalDecided,
  'network.connection': network,
  'network.request': network,
  'network.package': network,
  'broker.call': brokerCall,
  'broker.exfiltration': (p) =>
    join('Refused: a secret’s placeholder headed where the secret may not go', str(p.host)),
  'redaction.applied': (p) =>
    join(
      `Secret masked in the ${str(p.stream) ?? 'terminal'}`,
      str(p.ruleId) && `rule ${str(p.ruleId)}`,
      num(p.length) !== null && `${num(p.length)} characters at offset ${num(p.offset)}`,
    ),
  'gates.run.started': (p) =>
    join('Gates started', strings(p.commands)?.length ? strings(p.commands)?.join(', ') : null),
  'gates.run.finished': gatesFinished,
  'review.statement': (p) =>
    join(`Signed: ${str(p.decision) ?? '?'} by ${str(p.signer) ?? '?'}`, str(p.keyid)),
  'review.rejected': (p) => `Rejected: ${quote(str(p.reason) ?? '')}`,
  'review.sent-back': (p) =>
    join('Sent back to the agent', p.delivered === true ? 'typed in' : 'queued'),
  'review.bundle.exported': () => 'Review bundle exported for a reviewer elsewhere',
  'review.bundle.imported': () => 'Review bundle imported',
  'session.promoted': (p) =>
    join(
      `Promoted to ${str(p.targetBranch) ?? '?'}`,
      str(p.mode),
      str(p.after) && `now ${(str(p.after) ?? '').slice(0, 12)}`,
    ),
  'terminal.started': (p) => `Terminal recording started, ${num(p.cols)}×${num(p.rows)}`,
  'terminal.resize': (p) => `Terminal resized to ${num(p.cols)}×${num(p.rows)}`,
  'terminal.closed': (p) =>
    join(
      'Terminal recording closed',
      num(obj(p.output)?.bytes) !== null && `${formatBytes(num(obj(p.output)?.bytes) ?? 0)} output`,
    ),
  'sandbox.started': (p) => `Sandbox started: ${str(p.backend) ?? '?'}`,
  'sandbox.breach': (p) => `Sandbox stopped it: ${str(p.reason) ?? '?'}`,
  'cost.usage': (p) =>
    join(
      `Model usage: ${str(p.model) ?? '?'}`,
      num(p.costUsd) !== null ? `$${(num(p.costUsd) ?? 0).toFixed(4)}` : 'unpriced',
      str(p.source),
    ),
  'blob.dropped': dropped,
};

/** Keys and values on one line, for kinds without a description of their own. */
function fallback(payload: JsonObject, event: AuditEvent): string {
  const parts = Object.entries(payload)
    .filter(([, value]) => typeof value !== 'object' || value === null)
    .slice(0, 6)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? quote(value) : String(value)}`);
  return join(event.kind, parts.join(' '));
}

/** One line saying what the event is about. Untrusted text in it still needs escaping to show. */
export function describeEvent(event: AuditEvent): string {
  if (event.kind.startsWith('session.') && !DESCRIBE[event.kind] && !event.kind.includes('.', 8))
    return sessionState(event.payload, event);
  if (event.kind.startsWith('hook.'))
    return `Hook ${event.kind.slice(5)}: ${fallback(event.payload, event)}`;
  return (DESCRIBE[event.kind] ?? fallback)(event.payload, event);
}

// ---- Entries ----

/** One chunk of a run of terminal output (or input): what to load to read it. */
export interface Chunk {
  seq: number;
  /** The blob holding its bytes; null when the event names none. */
  hash: string | null;
  bytes: number;
}

/** Consecutive terminal chunks, one entry. */
export interface ChunkRun {
  kind: 'terminal.output' | 'terminal.input';
  chunks: Chunk[];
  bytes: number;
  lastSeq: number;
  lastTs: string;
  /** Milliseconds into the recording: when the first chunk's first byte and the last's last arrived. */
  startMs: number | null;
  endMs: number | null;
}

export interface TimelineEntry {
  /** The seq of its first event: stable while later pages arrive. */
  key: number;
  category: Category;
  /** Its event (for a run, the first chunk's). */
  event: AuditEvent;
  run: ChunkRun | null;
  reported: boolean;
}

const isChunkKind = (kind: string): kind is ChunkRun['kind'] =>
  kind === 'terminal.output' || kind === 'terminal.input';

function chunkOf(event: AuditEvent): Chunk {
  return { seq: event.seq, hash: event.blobs[0] ?? null, bytes: num(event.payload.bytes) ?? 0 };
}

function entryOf(event: AuditEvent): TimelineEntry {
  const entry: TimelineEntry = {
    key: event.seq,
    category: categoryOf(event.kind),
    event,
    run: null,
    reported: isReportedByAgent(event),
  };
  if (isChunkKind(event.kind)) {
    const chunk = chunkOf(event);
    entry.run = {
      kind: event.kind,
      chunks: [chunk],
      bytes: chunk.bytes,
      lastSeq: event.seq,
      lastTs: event.ts,
      startMs: num(event.payload.startMs),
      endMs: num(event.payload.endMs),
    };
  }
  return entry;
}

/** The last seq an entry covers. */
export const lastSeqOf = (entry: TimelineEntry): number => entry.run?.lastSeq ?? entry.key;

/**
 * The entries with `events` (ascending, any overlap with what is there already skipped) added.
 * A chunk that follows a run of its own kind joins it. Runs are copied at most once per call and
 * then grown in place, so a run of 100,000 chunks read page by page stays linear.
 */
export function appendEntries(
  entries: readonly TimelineEntry[],
  events: readonly AuditEvent[],
): TimelineEntry[] {
  const out = entries.slice();
  let last = out.at(-1);
  // Entries handed out before may be on screen: never mutated. Only one made by this call is.
  let ownsLast = false;
  for (const event of events) {
    if (last && event.seq <= lastSeqOf(last)) continue;
    if (last?.run && last.run.kind === event.kind && last.event.actor === event.actor) {
      if (!ownsLast) {
        last = { ...last, run: { ...last.run, chunks: last.run.chunks.slice() } };
        out[out.length - 1] = last;
        ownsLast = true;
      }
      const run = last.run as ChunkRun;
      const chunk = chunkOf(event);
      run.chunks.push(chunk);
      run.bytes += chunk.bytes;
      run.lastSeq = event.seq;
      run.lastTs = event.ts;
      run.endMs = num(event.payload.endMs) ?? run.endMs;
      continue;
    }
    last = entryOf(event);
    ownsLast = true;
    out.push(last);
  }
  return out;
}

/** The index of the entry that holds `seq` (or the last one before it), -1 when none does. */
export function entryIndexOf(entries: readonly TimelineEntry[], seq: number): number {
  let low = 0;
  let high = entries.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((entries[middle] as TimelineEntry).key <= seq) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** One line for an entry: a run's size and span, or its event's description. */
export function describeEntry(entry: TimelineEntry): string {
  const { run } = entry;
  if (!run) return describeEvent(entry.event);
  const count = run.chunks.length;
  const span =
    run.startMs !== null && run.endMs !== null && run.endMs > run.startMs
      ? `over ${formatElapsed(run.endMs - run.startMs)}`
      : null;
  return join(
    `${run.kind === 'terminal.output' ? 'Output' : 'Typed input'}: ${formatBytes(run.bytes)}`,
    `${count.toLocaleString('en-US')} chunk${count === 1 ? '' : 's'}`,
    span,
  );
}

/** A recording's start: `terminal.started` events, ascending. */
export interface RecordingStart {
  seq: number;
  ts: string;
}

/**
 * Where in the session's recording an entry is, in ms from the recording's start: a chunk's own
 * time when it has one, else its time minus the start of the recording it falls in; null when
 * it falls before any recording.
 */
export function recordingMsOf(
  entry: TimelineEntry,
  recordings: readonly RecordingStart[],
): number | null {
  const own = entry.run?.startMs ?? num(entry.event.payload.ms);
  const recording = recordings.findLast((start) => start.seq <= entry.key);
  if (!recording) return null;
  if (entry.event.kind.startsWith('terminal.') && own !== null) return own;
  const ms = Date.parse(entry.event.ts) - Date.parse(recording.ts);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

/** Elapsed time as `+1:02:03` or `+2:03`: where an entry sits in the session. */
export function formatOffset(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (value: number) => String(value).padStart(2, '0');
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `+${h}:${pad(m)}:${pad(s)}` : `+${m}:${pad(s)}`;
}
