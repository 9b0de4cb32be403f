/**
 * The desktop app's own behaviour, without Electron: the tray's state as sessions and requests
 * change, pausing every session from the tray, what to ask before quitting, one clean shutdown
 * whichever way the app exits, and a crashed window on the record. `src/main/index.ts` turns
 * these into Electron's tray, dialogs and events.
 */
import type { ApprovalService } from '../core/approvals';
import type { SessionManager } from '../core/sessions';
import type { AuditStore } from '../core/store';
import { LIVE_STATES } from '../../shared/sessions';
import { trayState, type TrayState } from './tray-state';

export interface DesktopCore {
  sessions: Pick<SessionManager, 'list' | 'pause' | 'stop' | 'waitForExit' | 'onChange'>;
  approvals: Pick<ApprovalService, 'list' | 'onChange'>;
  store: Pick<AuditStore, 'append'>;
  person: { actor: 'person'; actorId: string };
  /** Stops what still runs and closes the store (flushed and checkpointed). */
  close(): Promise<void>;
}

export interface QuitQuestion {
  message: string;
  detail: string;
}

/** How long a quit waits for each stopped agent to exit before closing anyway. */
const STOP_WAIT_MS = 15_000;

export class DesktopHost {
  private closing: Promise<void> | null = null;

  constructor(private readonly core: DesktopCore) {}

  trayState(): TrayState {
    return trayState(this.core.sessions.list(), this.core.approvals.list({ state: 'pending' }));
  }

  /** Calls `listener` with the new state whenever a session or a request changes. */
  onTrayChange(listener: (state: TrayState) => void): () => void {
    const changed = () => listener(this.trayState());
    const stops = [this.core.sessions.onChange(changed), this.core.approvals.onChange(changed)];
    return () => stops.forEach((stop) => stop());
  }

  /** Pauses every running session, as the person; says which could not be paused and why. */
  pauseAll(): { paused: string[]; failed: Array<{ id: string; reason: string }> } {
    const paused: string[] = [];
    const failed: Array<{ id: string; reason: string }> = [];
    for (const session of this.live().filter((live) => live.state !== 'paused'))
      try {
        this.core.sessions.pause(session.id, this.core.person);
        paused.push(session.id);
      } catch (error) {
        failed.push({ id: session.id, reason: (error as Error).message });
      }
    return { paused, failed };
  }

  /** What to ask before quitting, or null when nothing runs (quit at once). */
  quitQuestion(): QuitQuestion | null {
    const live = this.live();
    if (live.length === 0) return null;
    const what = live.length === 1 ? 'A session is' : `${live.length} sessions are`;
    return {
      message: `${what} still running. Stop ${live.length === 1 ? 'it' : 'them'} and quit?`,
      detail:
        'Quitting stops every agent (its terminal recording and audit trail are kept). Close the window instead to keep them running in the tray.',
    };
  }

  /**
   * Stops the live sessions as the person who quit, waits for them, and closes the core: once,
   * whichever exit path calls it first (the menu, a signal, the last window, an update).
   */
  shutdown(reason: string): Promise<void> {
    this.closing ??= this.stopAndClose(reason);
    return this.closing;
  }

  /** The window's renderer died: on the record, with why (the window is then reloaded). */
  rendererGone(details: { reason: string; exitCode: number }): void {
    this.core.store.append({
      kind: 'desktop.renderer.gone',
      actor: 'system',
      actorId: 'desktop',
      payload: { reason: details.reason, exitCode: details.exitCode, reloaded: true },
    });
  }

  private live() {
    return this.core.sessions.list().filter((session) => LIVE_STATES.includes(session.state));
  }

  private async stopAndClose(reason: string): Promise<void> {
    const live = this.live();
    this.core.store.append({
      kind: 'desktop.quit',
      ...this.core.person,
      payload: { reason, sessionsStopped: live.map((session) => session.id) },
    });
    for (const session of live)
      try {
        this.core.sessions.stop(session.id, this.core.person);
      } catch {
        // Ended on its own meanwhile.
      }
    await Promise.all(
      live.map((session) =>
        this.core.sessions.waitForExit(session.id, STOP_WAIT_MS).catch(() => undefined),
      ),
    );
    await this.core.close();
  }
}
