/**
 * A live session terminal in this one: the session's current screen, then its output as it comes,
 * this terminal's keys and size sent to it, until the session ends or Ctrl-] is pressed. Agent
 * sessions (`paddock session attach`) and an operator run's host taken over
 * (`paddock operator takeover`) both attach through it.
 */
import type { PaddockApi } from '../shared/contract';
import { LIVE_STATES } from '../shared/sessions';
import type { CliContext } from './context';
import { EXIT } from './output';

/** Ctrl-] leaves an attached terminal, as in telnet. */
export const DETACH_KEY = '\u001d';

export interface AttachOptions {
  /** Ctrl-] pressed: what to say, and anything to do first (the exit code is 0). */
  onDetach(): Promise<string>;
  /** Ends the attachment from outside (its exit code); returns how to stop listening. */
  until?(finish: (code: number) => void): () => void;
  /** The connection to the host dropped (see `HostLink`): the session goes on there. */
  lost?: Promise<string>;
}

export function terminalSize(): { cols?: number; rows?: number } {
  return process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : {};
}

/** Attaches until the session ends (its exit code), Ctrl-] or `until`; returns the exit code. */
export function attachTerminal(
  api: PaddockApi,
  id: string,
  context: CliContext,
  options: AttachOptions,
): Promise<number> {
  // Output from now on is held until the current screen is drawn, then what the screen lacks.
  let shownUpTo: number | null = null;
  const held: Array<{ data: string; seq: number }> = [];
  const show = (event: { data: string; seq: number }) => {
    if (shownUpTo === null) held.push(event);
    else if (event.seq > shownUpTo) process.stdout.write(event.data);
  };
  return new Promise<number>((resolve) => {
    let done = false;
    const stopOutput = api.on('session.output', (event) => {
      if (event.sessionId === id) show(event);
    });
    void api.session.screen({ id }).then(
      (screen) => {
        process.stdout.write(screen.data);
        shownUpTo = screen.seq;
        held.splice(0).forEach(show);
      },
      () => {
        shownUpTo = 0;
        held.splice(0).forEach(show);
      },
    );
    const finish = (code: number) => {
      if (done) return;
      done = true;
      stopOutput();
      stopChanges();
      stopUntil();
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdin.pause();
      process.stdin.off('data', onKeys);
      process.stdout.off('resize', onResize);
      resolve(code);
    };
    const stopChanges = api.on('session.changed', (changed) => {
      if (changed.id !== id || LIVE_STATES.includes(changed.state)) return;
      context.note(
        `\r\nSession ${id} ${changed.state}${changed.exitCode !== null ? ` with exit code ${changed.exitCode}` : ''}.`,
      );
      finish(changed.exitCode ?? EXIT.ok);
    });
    const stopUntil = options.until?.(finish) ?? (() => undefined);
    void options.lost?.then((why) => {
      if (done) return;
      context.note(
        `\r\nLost the connection to Paddock (${why}); ${id} goes on there. Attach again when it is back.`,
      );
      finish(EXIT.failed);
    });
    const onResize = () =>
      void api.session
        .resize({ id, cols: process.stdout.columns, rows: process.stdout.rows })
        .catch(() => undefined);
    const onKeys = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (text.includes(DETACH_KEY)) {
        void options.onDetach().then(
          (message) => {
            if (done) return;
            context.note(`\r\n${message}`);
            finish(EXIT.ok);
          },
          (error: unknown) => {
            context.note(`\r\n${(error as Error).message}`);
            finish(EXIT.failed);
          },
        );
        return;
      }
      void api.session.input({ id, data: text }).catch(() => undefined);
    };
    process.stdout.on('resize', onResize);
    if (process.stdin.isTTY) process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', onKeys);
  });
}
