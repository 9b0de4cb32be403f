/**
 * A session's terminal in xterm.js. Attaching: fit the terminal to its box, tell the session that
 * size, draw the screen main keeps for it, then only the output that came after (by sequence
 * number), so a reload or a second tab shows the same screen and loses no line. Keys go to the
 * agent while it runs.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { sessionOutputTopic } from '../../../../shared/contract';
import type { SessionScreen } from '../../../../shared/sessions';
import { api } from '../../api/connection';
import { errorMessage } from '../../format';

interface TerminalPaneProps {
  sessionId: string;
  live: boolean;
  /** Ctrl-] pressed (as in telnet): leave the terminal. Without it, the key goes to the terminal. */
  onLeaveKey?: () => void;
  /** What the terminal is, for screen readers (default: an agent's). */
  label?: string;
}

/** xterm's colours from the theme's CSS variables, read when the terminal is made. */
export function themeFromCss(): ITheme {
  const css = getComputedStyle(document.documentElement);
  const value = (name: string) => css.getPropertyValue(name).trim();
  return {
    background: value('--terminal-bg') || value('--bg'),
    foreground: value('--text'),
    cursor: value('--accent'),
    selectionBackground: value('--accent-tint'),
  };
}

function makeTerminal(
  live: boolean,
  leaveKey: { current: (() => void) | undefined },
): { terminal: Terminal; fit: FitAddon } {
  const terminal = new Terminal({
    scrollback: 10_000,
    fontFamily:
      getComputedStyle(document.documentElement).getPropertyValue('--mono').trim() || 'monospace',
    fontSize: 13,
    cursorBlink: live,
    disableStdin: !live,
    theme: themeFromCss(),
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  // Ctrl+Shift+C copies the selection (Ctrl+C belongs to the agent).
  terminal.attachCustomKeyEventHandler((event) => {
    if (event.type === 'keydown' && event.ctrlKey && event.shiftKey && event.code === 'KeyC') {
      if (terminal.hasSelection()) void navigator.clipboard.writeText(terminal.getSelection());
      return false;
    }
    const leave = leaveKey.current;
    if (leave && event.type === 'keydown' && event.ctrlKey && event.code === 'BracketRight') {
      leave();
      return false;
    }
    return true;
  });
  return { terminal, fit };
}

/** Draws the screen, then the output held while it was on its way, then follows live output. */
function attach(terminal: Terminal, sessionId: string, onError: (message: string) => void) {
  let shownUpTo: number | null = null;
  const held: Array<{ data: string; seq: number }> = [];
  const show = (event: { data: string; seq: number }) => {
    if (shownUpTo === null) held.push(event);
    else if (event.seq > shownUpTo) terminal.write(event.data);
  };
  const stop = api.on(sessionOutputTopic(sessionId), show);
  const draw = (screen: SessionScreen) => {
    terminal.reset();
    terminal.write(screen.data);
    shownUpTo = screen.seq;
    held.splice(0).forEach(show);
  };
  api.session.screen({ id: sessionId }).then(draw, (error: unknown) => {
    onError(errorMessage(error));
    shownUpTo = 0;
    held.splice(0).forEach(show);
  });
  return stop;
}

export function TerminalPane({ sessionId, live, onLeaveKey, label }: TerminalPaneProps) {
  const box = useRef<HTMLDivElement>(null);
  const leaveKey = useRef(onLeaveKey);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const { terminal, fit } = makeTerminal(live, leaveKey);
    terminal.open(element);
    fit.fit();
    let stopOutput = () => {};
    let disposed = false;
    // The session takes this window's size first, so the screen comes back drawn for it.
    const sized = live
      ? api.session
          .resize({ id: sessionId, cols: terminal.cols, rows: terminal.rows })
          .catch(() => null)
      : Promise.resolve(null);
    void sized.then(() => {
      if (!disposed) stopOutput = attach(terminal, sessionId, setError);
    });
    const input = terminal.onData((data) => {
      if (live)
        void api.session
          .input({ id: sessionId, data })
          .catch((e: unknown) => setError(errorMessage(e)));
    });
    let resizeTimer: ReturnType<typeof setTimeout> | undefined;
    const observer = new ResizeObserver(() => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        const before = `${terminal.cols}x${terminal.rows}`;
        fit.fit();
        if (live && before !== `${terminal.cols}x${terminal.rows}`)
          void api.session
            .resize({ id: sessionId, cols: terminal.cols, rows: terminal.rows })
            .catch(() => null);
      }, 80);
    });
    observer.observe(element);
    if (live) terminal.focus();
    return () => {
      disposed = true;
      clearTimeout(resizeTimer);
      observer.disconnect();
      input.dispose();
      stopOutput();
      terminal.dispose();
    };
  }, [sessionId, live]);
  useEffect(() => {
    leaveKey.current = onLeaveKey;
  }, [onLeaveKey]);

  return (
    <div className="terminal-pane">
      {error && (
        <p className="terminal-error" role="alert">
          {error}
        </p>
      )}
      <div
        ref={box}
        className="terminal-box"
        data-testid="terminal"
        data-session={sessionId}
        aria-label={
          label ?? (live ? 'Agent terminal: keys go to the agent' : 'Recorded terminal (ended)')
        }
      />
    </div>
  );
}
