/** The sessions, newest first: state, agent, project, task, age, and what each waits for. */
import { useEffect, useState } from 'react';
import { operatorPlaceOf, type Project, type SessionRecord } from '../../../../shared/sessions';
import { openSession, useSessions } from '../../store/sessions';

/** "12 s", "4 min", "3 h", "2 d": short enough for a column. */
export function age(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** Re-renders every `ms` so ages move on. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** What the person should know at a glance: why it waits, why it failed, what is queued. */
function note(session: SessionRecord, settingUp: boolean): string {
  if (settingUp) return 'running its set-up command';
  if (session.state === 'waiting') return `waiting: ${session.reason ?? 'for input'}`;
  if (session.queued?.length) return `${session.queued.length} queued message(s)`;
  if (session.state === 'exited') return `exit code ${session.exitCode ?? '?'}`;
  if (session.reason && ['failed', 'interrupted', 'stopped'].includes(session.state))
    return session.reason;
  return '';
}

interface SessionListProps {
  sessions: SessionRecord[];
  projects: Project[];
}

export function SessionList({ sessions, projects }: SessionListProps) {
  const { selectedId, openId, settingUp } = useSessions();
  const now = useNow(15_000);
  const projectName = (id: string) => projects.find((p) => p.id === id)?.name ?? id;
  // An operator run works on an SSH host, not on a project.
  const placeOf = (session: SessionRecord) =>
    operatorPlaceOf(session) ?? projectName(session.projectId);
  return (
    <ol className="session-list" aria-label="Sessions, newest first">
      {sessions.map((session) => (
        <li
          key={session.id}
          data-testid="session-row"
          data-id={session.id}
          data-state={session.state}
          className={[
            'session-row',
            session.id === selectedId ? 'is-selected' : '',
            session.id === openId ? 'is-open' : '',
          ].join(' ')}
        >
          <button
            type="button"
            onClick={() => openSession(session.id)}
            aria-current={session.id === openId ? 'true' : undefined}
          >
            <span className={`state-badge state-badge--${session.state}`}>{session.state}</span>
            <span className="session-row-main">
              <span className="session-row-title">
                {session.task || <span className="muted">(no task)</span>}
              </span>
              <span className="session-row-meta muted">
                {/* First on the line, so the ellipsis of a long meta line never hides it. */}
                {session.sandboxProfile === 'unsandboxed' && (
                  <span className="tag tag--bad" data-testid="unsandboxed-tag">
                    unsandboxed
                  </span>
                )}
                {session.agentPreset} · {placeOf(session)} · {session.id}
              </span>
              <span className="session-row-note">{note(session, settingUp.has(session.id))}</span>
            </span>
            <span className="session-row-age muted" title={session.createdAt}>
              {age(session.createdAt, now)}
            </span>
          </button>
        </li>
      ))}
    </ol>
  );
}
