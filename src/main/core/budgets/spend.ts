/**
 * Spend so far, per session, project and day, kept in memory so a budget check before a model call
 * is a few lookups rather than sums over the store. A scope's total is read from the store's usage
 * index the first time it is asked for; from then on every committed `cost.usage` event adds to it
 * (the store announces them). Both happen on the one thread, so an event is counted exactly once:
 * either it was committed before the first read (and the read sums it) or after (and the
 * announcement adds it).
 */
import type { AuditEvent } from '../../../shared/audit';
import { USAGE_EVENT } from '../../../shared/costs';
import type { AuditStore } from '../store';

export interface SpendTrackerOptions {
  store: Pick<AuditStore, 'spend' | 'onAppend'>;
  /** The project a session belongs to (a stable key, such as its path), or null when unknown. */
  projectOf: (sessionId: string) => string | null;
  /** Every session of a project. */
  sessionsOf: (project: string) => readonly string[];
}

export class SpendTracker {
  private readonly sessions = new Map<string, number>();
  private readonly projects = new Map<string, number>();
  /** By the day's start (local midnight, as an ISO time). */
  private readonly days = new Map<string, number>();
  private readonly stop: () => void;

  constructor(private readonly options: SpendTrackerOptions) {
    this.stop = options.store.onAppend((events) => {
      for (const event of events) if (event.kind === USAGE_EVENT) this.add(event);
    });
  }

  session(sessionId: string): number {
    return this.read(this.sessions, sessionId, () =>
      this.options.store.spend({ sessionIds: [sessionId] }),
    );
  }

  project(project: string): number {
    return this.read(this.projects, project, () =>
      this.options.store.spend({ sessionIds: this.options.sessionsOf(project) }),
    );
  }

  /** Spend on the local day that starts at `dayStart`. */
  day(dayStart: Date): number {
    const since = dayStart.toISOString();
    return this.read(this.days, since, () =>
      this.options.store.spend({ since, until: nextDay(dayStart).toISOString() }),
    );
  }

  close(): void {
    this.stop();
  }

  private read(totals: Map<string, number>, key: string, sum: () => { costUsd: number }): number {
    let total = totals.get(key);
    if (total === undefined) {
      total = sum().costUsd;
      totals.set(key, total);
    }
    return total;
  }

  /** A committed usage event: added to every scope already read that it belongs to. */
  private add(event: AuditEvent): void {
    const cost = event.payload.costUsd;
    const at = event.payload.at;
    if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0) return;
    if (event.sessionId !== null) {
      bump(this.sessions, event.sessionId, cost);
      const project = this.options.projectOf(event.sessionId);
      if (project !== null) bump(this.projects, project, cost);
    }
    if (typeof at === 'string') {
      const time = new Date(at);
      if (!Number.isNaN(time.getTime())) bump(this.days, startOfDay(time).toISOString(), cost);
    }
  }
}

/** Midnight, local time: a day's budget is the person's day. */
export function startOfDay(time: Date): Date {
  return new Date(time.getFullYear(), time.getMonth(), time.getDate());
}

function nextDay(dayStart: Date): Date {
  return new Date(dayStart.getFullYear(), dayStart.getMonth(), dayStart.getDate() + 1);
}

/** Adds to a total only once it was read from the store (else the read will count it). */
function bump(totals: Map<string, number>, key: string, cost: number): void {
  const total = totals.get(key);
  if (total !== undefined) totals.set(key, total + cost);
}
