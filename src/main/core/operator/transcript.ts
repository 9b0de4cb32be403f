/**
 * An operator run's terminal recording: the run has no terminal of its own, so its events are drawn
 * as a readable transcript (each thought, the command at a shell prompt, a decision that was not a
 * plain policy allow, the output, the exit code, how the run ended) and recorded like an agent's
 * terminal, so the session's Replay tab and `paddock session export --cast` show it.
 *
 * Everything drawn from the model (thoughts, commands, summaries) and from the host (output) is
 * hostile: every control character but tab and newline, and every bidi control, is shown as a
 * visible escape, so neither can recolour, move the cursor, retitle the window or hide text. Only
 * the transcript's own colours reach the terminal as escapes. Secrets are the recorder's job: it
 * redacts whatever is written here, as it does an agent's terminal.
 */
import type { AuditEvent, JsonValue } from '../../../shared/audit';
import { ALLOWED_FOR_RUN } from './loop';
import type { ViewSources } from './view';

/** Where the transcript goes (a session's recording; see SessionManager.recordOther). */
export interface TranscriptTerminal {
  write(text: string): void;
}

const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RED = '\x1b[1;31m';
const YELLOW = '\x1b[33m';
const CYAN = '\x1b[36m';
const HOST = '\x1b[1;32m';
const PATH = '\x1b[1;34m';
const RESET = '\x1b[0m';

/** C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings and isolates. */
// eslint-disable-next-line no-control-regex -- finding the control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every character that could drive the terminal shown as `\xNN` or `\u{NNNN}`. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

const str = (value: JsonValue | undefined): string =>
  typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);

export class Transcript {
  private host = 'host';

  constructor(
    private readonly terminal: TranscriptTerminal,
    /** The outputs' bytes. */
    private readonly sources: ViewSources,
  ) {}

  /** Draws one of the run's events; events it has nothing to show for are passed over. */
  apply(event: AuditEvent): void {
    const p = event.payload;
    switch (event.kind) {
      case 'operator.started':
        this.host = str(p.host) || this.host;
        return this.line(`${DIM}# operator on ${this.safe(this.host)}: ${this.safe(p.goal)}`);
      case 'operator.step.thought':
        return this.line(`${DIM}# step ${str(p.step)}: ${this.safe(p.thought)}`);
      case 'operator.command.proposed':
        return this.line(
          `${HOST}${this.safe(this.host)}${RESET}:${PATH}~${RESET}$ ${this.safe(p.command)}`,
        );
      case 'approval.requested':
        return this.line(`${YELLOW}[held for approval ${this.safe(p.id)}]`);
      case 'operator.command.decided':
        return this.decided(event);
      case 'operator.command.output':
        return this.output(event);
      case 'operator.reply.invalid':
        return this.line(`${YELLOW}[no valid tool call: ${this.safe(p.problem)}]`);
      case 'operator.note':
        return this.line(`${CYAN}# note from ${this.safe(event.actorId)}: ${this.safe(p.text)}`);
      case 'operator.paused':
      case 'operator.resumed':
        return this.line(
          `${YELLOW}[${event.kind.slice('operator.'.length)} by ${this.safe(event.actorId)}]`,
        );
      case 'operator.takeover.started':
        return this.line(
          `${YELLOW}[${this.safe(event.actorId)} took over the terminal on ${this.safe(this.host)}; the run holds]`,
        );
      case 'operator.takeover.ended':
        return this.line(
          `\n${YELLOW}[terminal handed back by ${this.safe(event.actorId)} after ${str(p.seconds)} s]`,
        );
      case 'operator.finished':
        return this.finished(event);
    }
  }

  private decided(event: AuditEvent): void {
    const p = event.payload;
    const reason = this.safe(p.reason);
    const person = event.actor === 'person';
    if (p.allow === true) {
      if (person) this.line(`${YELLOW}[allowed by ${this.safe(event.actorId)} in the inbox]`);
      else if (p.approvalId || str(p.reason) === ALLOWED_FOR_RUN)
        this.line(`${YELLOW}[allowed: ${reason}]`);
      // A plain policy allow goes without saying: the output follows.
      return;
    }
    const by = person ? `denied by ${this.safe(event.actorId)} in the inbox: ` : '';
    this.line(`${RED}[NOT RUN: ${by}${reason}]`);
  }

  private output(event: AuditEvent): void {
    const p = event.payload;
    const hash = event.blobs[0];
    const bytes = hash ? this.sources.blob(hash) : null;
    const text = bytes ? this.safe(bytes.toString('utf8')) : '';
    if (text) this.draw(text.endsWith('\n') ? text : `${text}\n`);
    const status =
      typeof p.exitCode === 'number'
        ? `exit ${p.exitCode}`
        : `ended by ${str(p.signal) || 'the timeout'}`;
    this.line(`${DIM}[${status}${p.truncated === true ? ', output cut' : ''}]`);
  }

  private finished(event: AuditEvent): void {
    const p = event.payload;
    const outcome = str(p.outcome);
    if (outcome === 'finished') return this.line(`\n${BOLD}# finished: ${this.safe(p.summary)}`);
    this.line(`\n${BOLD}# run ended (${this.safe(outcome)}): ${this.safe(p.reason)}`);
  }

  /** One line, its colour reset after it. */
  private line(text: string): void {
    this.draw(`${text}${RESET}\n`);
  }

  /** Lines end `\r\n` as a terminal's do (a bare `\n` would only move down, not back). */
  private draw(text: string): void {
    this.terminal.write(text.replace(/\n/g, '\r\n'));
  }

  private safe(value: JsonValue | undefined): string {
    return escapeForTerminal(str(value));
  }
}
