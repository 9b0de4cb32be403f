/**
 * What the model is shown each turn: the goal, the steps so far and the last observation, in one
 * message. The whole run is re-sent rather than kept as a provider's conversation, so both APIs
 * get the same text and its size stays bounded: older observations are shortened, and the oldest
 * steps are left out past a total size.
 */
export interface StepEntry {
  kind: 'step';
  step: number;
  thought: string;
  command: string;
  /** `allowed by …`, `denied by …`, `allowed by ada in the inbox`. */
  decision: string;
  observation: string;
}

export interface NoteEntry {
  kind: 'note';
  text: string;
}

/** A person worked on the host in a terminal of their own, and handed it back. */
export interface TakeoverEntry {
  kind: 'takeover';
  by: string;
  seconds: number;
  /** The end of what their terminal showed, redacted. */
  screen: string;
}

export type HistoryEntry = StepEntry | NoteEntry | TakeoverEntry;

/** An older observation is shown up to this many characters; the last one whole. */
const OLD_OBSERVATION_CHARS = 1_500;
/** The steps so far stop growing the prompt here: the oldest are dropped first. */
const MAX_HISTORY_CHARS = 60_000;

export function systemPrompt(host: string): string {
  return [
    `You are Paddock's remote operator. You work on the host "${host}" through a shell, one command at a time, to reach the person's goal.`,
    'Each turn, call exactly one tool: run_command {thought, command} to run a command (bash -c), or finish {summary} when the goal is reached or cannot be.',
    'Paddock decides every command by policy first: it may run, wait for a person, or be denied. A denial is an observation; do not try to get around it, choose another way or finish.',
    'Output is capped and secrets in it are replaced by placeholders like [secret:NAME].',
  ].join('\n');
}

export function turnPrompt(parts: {
  goal: string;
  history: readonly HistoryEntry[];
  lastObservation: string | null;
  stepsLeft: number;
  secondsLeft: number;
}): string {
  const lines = [`Goal: ${parts.goal}`, '', renderHistory(parts.history), ''];
  lines.push(
    parts.lastObservation === null
      ? 'Last observation: none yet (this is the first step).'
      : `Last observation:\n${parts.lastObservation}`,
  );
  lines.push('', `Steps left: ${parts.stepsLeft}. Time left: ${parts.secondsLeft} s.`);
  return lines.join('\n');
}

function renderHistory(history: readonly HistoryEntry[]): string {
  const lastStep = history.map((entry) => entry.kind).lastIndexOf('step');
  // From the newest back, so a long run renders only what is shown.
  const shown: string[] = [];
  let total = 0;
  let first = history.length;
  while (first > 0) {
    const text = render(history[first - 1] as HistoryEntry, first - 1 === lastStep);
    if (total + text.length > MAX_HISTORY_CHARS) break;
    total += text.length;
    shown.unshift(text);
    first -= 1;
  }
  if (first > 0) shown.unshift(`(${first} earlier entries left out)`);
  return shown.length ? `Steps so far:\n${shown.join('\n')}` : 'Steps so far: none.';
}

function render(entry: HistoryEntry, last: boolean): string {
  if (entry.kind === 'note') return `Note from the person: ${entry.text}`;
  if (entry.kind === 'takeover')
    return [
      `${entry.by} took over the host's terminal for ${entry.seconds} s and handed it back: the host may have changed since the last observation.`,
      `   the end of what their terminal showed:\n${shorten(entry.screen)}`,
    ].join('\n');
  // The last step's observation is shown whole below, as the last observation.
  const observation = last ? '(see the last observation)' : shorten(entry.observation);
  return [
    `${entry.step}. thought: ${entry.thought}`,
    `   command: ${entry.command}`,
    `   decision: ${entry.decision}`,
    `   observation: ${observation}`,
  ].join('\n');
}

function shorten(text: string): string {
  if (text.length <= OLD_OBSERVATION_CHARS) return text;
  return `${text.slice(0, OLD_OBSERVATION_CHARS)}… (${text.length - OLD_OBSERVATION_CHARS} more characters)`;
}
