/**
 * A run's steps, oldest first, newest at the bottom and followed while it runs: what the model
 * thought, the command it proposed, who decided it and how, and what the host printed. The model
 * and the host are not trusted: all their text is shown escaped, so a terminal escape or a bidi
 * control cannot make one command look like another.
 */
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import type { OperatorDecision, OperatorRunView, OperatorStep } from '../../../../shared/operator';
import { formatTime } from '../../format';
import { openTarget } from '../../notify';
import { isLiveRun } from '../../store/operator';
import { EscapedText } from '../inbox/EscapedText';
import { formatMs } from '../review/format';

/** A step's decision as one word, for the tests and the colour of its mark. */
type StepState = 'allowed' | 'denied' | 'waiting' | 'deciding';

function stepState(step: OperatorStep, waiting: boolean): StepState {
  if (step.decision) return step.decision.allow ? 'allowed' : 'denied';
  return waiting ? 'waiting' : 'deciding';
}

function InboxLink({ id, children }: { id: string; children: ReactNode }) {
  return (
    <button
      type="button"
      className="link-button"
      data-testid="operator-inbox-link"
      onClick={() => openTarget({ screen: 'inbox', id })}
    >
      {children}
    </button>
  );
}

function Rule({ id }: { id: string }) {
  return (
    <code>
      <EscapedText text={id} />
    </code>
  );
}

/**
 * Who decided and how: a policy rule, a person in the inbox, or the inbox's expiry; then the
 * reason, unless it only names the rule again.
 */
function Decision({ decision }: { decision: OperatorDecision }) {
  const verb = decision.allow ? 'allowed' : 'denied';
  const held = decision.approvalId;
  const who =
    decision.actor === 'policy' ? (
      <>
        {verb} by rule <Rule id={decision.actorId} />
      </>
    ) : decision.actor === 'person' ? (
      <>
        {verb} by <strong>{decision.actorId}</strong>
      </>
    ) : (
      <>{verb} by Paddock (no answer in time)</>
    );
  return (
    <p className={`op-decision op-decision--${verb}`}>
      {held ? (
        <>
          <InboxLink id={held}>Held for approval</InboxLink>, {who}
        </>
      ) : (
        <span className="op-decision-first">{who}</span>
      )}
      {decision.reason && decision.reason !== `rule: ${decision.actorId}` && (
        <span className="muted">
          {' '}
          · <EscapedText text={decision.reason} />
        </span>
      )}
    </p>
  );
}

function Pending({ waitingOn, live }: { waitingOn: string | null; live: boolean }) {
  if (waitingOn)
    return (
      <p className="op-decision op-decision--waiting" data-testid="operator-waiting">
        Held for approval: waiting for you in the{' '}
        <InboxLink id={waitingOn}>Inbox (open the request)</InboxLink>
      </p>
    );
  return <p className="op-decision muted">{live ? 'The policy decides…' : 'Never decided.'}</p>;
}

function Output({ step, live }: { step: OperatorStep; live: boolean }) {
  const { output, decision } = step;
  if (!decision?.allow) return null;
  if (!output)
    return (
      <p className="muted op-output-note">
        {live ? 'Running on the host…' : 'No output recorded.'}
      </p>
    );
  const ended =
    output.signal !== null ? `killed by ${output.signal}` : `exit code ${output.exitCode ?? '?'}`;
  return (
    <div className={`op-output${output.exitCode === 0 ? '' : ' op-output--failed'}`}>
      <span className="op-output-meta muted" data-testid="operator-output-meta">
        {ended} · {formatMs(output.durationMs)}
        {output.truncated && (
          <span className="tag" data-testid="operator-truncated">
            truncated
          </span>
        )}
      </span>
      {output.excerpt ? (
        <pre dir="ltr" data-testid="operator-output">
          <EscapedText text={output.excerpt} crlfAsNewline />
        </pre>
      ) : (
        <span className="muted"> (no output)</span>
      )}
    </div>
  );
}

function Step({ step, run, last }: { step: OperatorStep; run: OperatorRunView; last: boolean }) {
  const live = isLiveRun(run);
  const waitingOn = last && !step.decision && live ? run.waitingOn : null;
  const state = stepState(step, waitingOn !== null);
  return (
    <li
      className={`op-step op-step--${state}`}
      data-testid="operator-step"
      data-step={step.step}
      data-state={state}
    >
      <div className="op-step-head muted">
        <span className="op-step-number">Step {step.step}</span>
        <span>{formatTime(step.at)}</span>
        {step.durationMs !== null && <span>{formatMs(step.durationMs)}</span>}
      </div>
      {step.thought && (
        <p className="op-thought" data-testid="operator-thought">
          <EscapedText text={step.thought} />
        </p>
      )}
      <pre className="op-command" dir="ltr" data-testid="operator-command">
        <span className="op-prompt" aria-hidden="true">
          ${' '}
        </span>
        <EscapedText text={step.command} />
      </pre>
      {step.decision ? (
        <Decision decision={step.decision} />
      ) : (
        <Pending waitingOn={waitingOn} live={live} />
      )}
      <Output step={step} live={live} />
    </li>
  );
}

/** Keeps the newest step in view while the person has not scrolled up to read older ones. */
function useFollow(key: unknown) {
  const box = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  useLayoutEffect(() => {
    const element = box.current;
    if (element && following.current) element.scrollTop = element.scrollHeight;
  }, [key]);
  const onScroll = () => {
    const element = box.current;
    if (element)
      following.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
  };
  return { box, onScroll };
}

export function StepTimeline({ run }: { run: OperatorRunView }) {
  const last = run.steps.at(-1);
  const { box, onScroll } = useFollow(
    last
      ? `${last.step}:${stepState(last, false)}:${run.status}:${last.output ? 1 : 0}`
      : run.status,
  );
  if (run.steps.length === 0)
    return (
      <p className="empty muted" data-testid="operator-no-steps">
        {isLiveRun(run) ? 'The model is thinking about its first step…' : 'No step was taken.'}
      </p>
    );
  return (
    <ol className="op-steps" aria-label="Steps, oldest first" ref={box} onScroll={onScroll}>
      {run.steps.map((step, index) => (
        <Step key={step.step} step={step} run={run} last={index === run.steps.length - 1} />
      ))}
    </ol>
  );
}
