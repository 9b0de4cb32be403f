/**
 * One open session: who and what it is, its state and why, the actions (pause or resume, stop),
 * and its terminal, its diff, its network, its review (gates and promotion), its timeline or its
 * replay. Below the terminal, a message can be queued for the agent.
 */
import { useEffect, useState } from 'react';
import { operatorPlaceOf, type SessionDiff, type SessionRecord } from '../../../../shared/sessions';
import { api } from '../../api/connection';
import { errorMessage } from '../../format';
import {
  askStop,
  isLive,
  queueMessage,
  setView,
  stopSession,
  togglePause,
  useSessions,
} from '../../store/sessions';
import { ConfirmBar } from '../ConfirmBar';
import { DiffView } from '../diff/DiffView';
import { Keys } from '../Keys';
import { MessageBox } from '../MessageBox';
import { ReviewPanel } from '../review/ReviewPanel';
import { Segmented } from '../Segmented';
import { ReplayPane } from '../replay/ReplayPane';
import { TimelinePanel } from '../timeline/TimelinePanel';
import { NetworkPanel } from './NetworkPanel';
import { SessionSpend } from './SessionSpend';
import { TerminalPane } from './TerminalPane';
import { openRun } from '../../store/operator';

const VIEWS = [
  { value: 'terminal', label: 'Terminal' },
  { value: 'diff', label: 'Diff' },
  { value: 'network', label: 'Network' },
  { value: 'review', label: 'Review' },
  { value: 'timeline', label: 'Timeline' },
  { value: 'replay', label: 'Replay' },
] as const;

/**
 * An operator run works on an SSH host, not in a workspace: it has no diff, no review and no
 * sandboxed network of its own. Its terminal shows the run's transcript live (keys go to the host
 * only once it is taken over, on the Operator screen).
 */
const REMOTE_VIEWS = VIEWS.filter((view) =>
  ['terminal', 'timeline', 'replay'].includes(view.value),
);

function StopConfirm({ session }: { session: SessionRecord }) {
  return (
    <ConfirmBar
      label="Stop the session?"
      testId="confirm-stop"
      action="Stop"
      onConfirm={() => void stopSession(session.id)}
      onCancel={() => askStop(null)}
    >
      Stop <strong>{session.id}</strong>? The agent gets SIGTERM, then SIGKILL after a grace period.
      Its workspace stays.
    </ConfirmBar>
  );
}

function QueueBox({ session }: { session: SessionRecord }) {
  return (
    <MessageBox
      label="Message for the agent"
      placeholder="Message for the agent: typed in when it next waits for input"
      send={(text) => queueMessage(session.id, text)}
      after={
        session.queued?.length ? (
          <span className="muted" data-testid="queued">
            {session.queued.length} queued
          </span>
        ) : null
      }
    >
      Queue
    </MessageBox>
  );
}

function DiffPanel({ session }: { session: SessionRecord }) {
  const [diff, setDiff] = useState<SessionDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const load = () => {
    setLoading(true);
    api.session.diff({ id: session.id }).then(
      (value) => {
        setDiff(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        setError(errorMessage(e));
        setLoading(false);
      },
    );
  };
  useEffect(load, [session.id]);
  return (
    <div className="diff-panel">
      <div className="toolbar">
        <button type="button" className="button" onClick={load} disabled={loading}>
          {loading ? 'Reading the diff…' : 'Refresh'}
        </button>
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </div>
      {diff && <DiffView diff={diff} />}
    </div>
  );
}

export function SessionDetail({ session }: { session: SessionRecord }) {
  const { view, confirmStop, actionError, settingUp } = useSessions();
  const live = isLive(session);
  const place = operatorPlaceOf(session);
  const remote = place !== null;
  const views = remote ? REMOTE_VIEWS : VIEWS;
  // A view the session has not (a diff of an operator run) shows its terminal instead.
  const shown = views.some((option) => option.value === view) ? view : 'terminal';
  // In the Review view p and x promote and reject: the pause and stop buttons keep no key there.
  const keysHere = shown !== 'review';
  return (
    <section
      className="session-detail"
      aria-labelledby="session-title"
      data-testid="session-detail"
    >
      {session.sandboxProfile === 'unsandboxed' && (
        <div className="banner banner--bad unsandboxed-banner" role="alert">
          <strong>Unsandboxed: this agent runs with your full access.</strong>
        </div>
      )}
      <header className="session-head">
        <div className="session-head-main">
          <h2 id="session-title">{session.task || session.id}</h2>
          <p className="muted">
            <span
              className={`state-badge state-badge--${session.state}`}
              data-testid="session-state"
            >
              {session.state}
            </span>{' '}
            {settingUp.has(session.id) && 'running its set-up command · '}
            {session.reason && `${session.reason} · `}
            {session.agentPreset} · {place ?? session.branch} · {session.id}
            {/* The banner above speaks for an unsandboxed session; records from before sandboxes have none. */}
            {session.sandboxProfile && session.sandboxProfile !== 'unsandboxed' && (
              <>
                {' · '}
                <span className="sandbox-profile" data-testid="sandbox-profile">
                  sandbox: {session.sandboxProfile}
                </span>
              </>
            )}
            <SessionSpend sessionId={session.id} />
          </p>
        </div>
        <div className="session-actions">
          {live && (
            <button type="button" className="button" onClick={() => void togglePause(session)}>
              {session.state === 'paused' ? 'Resume' : 'Pause'} {keysHere && <Keys keys={['p']} />}
            </button>
          )}
          {live && (
            <button type="button" className="button" onClick={() => askStop(session.id)}>
              Stop {keysHere && <Keys keys={['x']} />}
            </button>
          )}
          {remote && (
            <button type="button" className="button" onClick={() => openRun(session.id)}>
              Open on the Operator screen
            </button>
          )}
          <Segmented label="Show" options={views} value={shown} onChange={setView} />
        </div>
      </header>
      {confirmStop === session.id && <StopConfirm session={session} />}
      {actionError && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}
      {shown === 'terminal' ? (
        <>
          <TerminalPane key={`${session.id}:${live}`} sessionId={session.id} live={live} />
          {live && !remote && <QueueBox session={session} />}
        </>
      ) : shown === 'diff' ? (
        <DiffPanel session={session} />
      ) : shown === 'review' ? (
        <ReviewPanel session={session} />
      ) : shown === 'timeline' ? (
        <TimelinePanel session={session} />
      ) : shown === 'replay' ? (
        <ReplayPane key={session.id} session={session} />
      ) : (
        <NetworkPanel session={session} />
      )}
    </section>
  );
}
