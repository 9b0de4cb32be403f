/**
 * The question each decision asks before it is sent, inline above the gates (the review stays in
 * view): promote (squash or merge, keep or remove the workspace), reject (a reason, whether the
 * agent hears it, and whether it is also signed), send back (an optional note), sign off (a
 * confirmation: it signs the person's approval of this exact change with their key). Enter sends,
 * Esc cancels.
 */
import type { KeyboardEvent, ReactNode } from 'react';
import type { ReviewState } from '../../../../shared/gates';
import {
  closeForm,
  editForm,
  submitForm,
  type ReviewDecision,
  type ReviewForm,
  type SigningIdentity,
} from '../../store/review';
import { EscapedText } from '../inbox/EscapedText';
import { Keys } from '../Keys';
import { shortCommit, shortFingerprint } from './format';

/** Esc cancels from anywhere in the form: the app's own Esc key does not reach a focused field. */
function cancelOnEscape(event: KeyboardEvent) {
  if (event.key !== 'Escape') return;
  event.preventDefault();
  closeForm();
}

/** In a text box Enter sends and Shift+Enter starts a new line, as in the inbox. */
function submitOnEnter(event: KeyboardEvent<HTMLTextAreaElement>) {
  if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
    event.preventDefault();
    event.currentTarget.form?.requestSubmit();
  }
}

function FormFrame(props: {
  testId: string;
  label: string;
  tone: 'primary' | 'danger' | 'plain';
  submitLabel: string;
  sendingLabel: string;
  sending: boolean;
  /**
   * Not tied to `sending`: a button disabled while it sends would drop the focus, and the store
   * ignores a second press anyway.
   */
  canSubmit: boolean;
  /** The submit button takes the focus when the form has no text box to type in. */
  focusSubmit?: boolean;
  children?: ReactNode;
}) {
  const { tone, sending } = props;
  return (
    <form
      className={`review-form review-form--${tone}`}
      aria-label={props.label}
      data-testid={props.testId}
      onKeyDown={cancelOnEscape}
      onSubmit={(event) => {
        event.preventDefault();
        void submitForm();
      }}
    >
      {props.children}
      <div className="form-actions">
        <button
          type="submit"
          className={`button${tone === 'plain' ? '' : ` button--${tone}`}`}
          disabled={!props.canSubmit}
          aria-busy={sending || undefined}
          autoFocus={props.focusSubmit}
        >
          {sending ? props.sendingLabel : props.submitLabel} <Keys keys={['Enter']} />
        </button>
        <button type="button" className="button" onClick={closeForm}>
          Cancel <Keys keys={['Esc']} />
        </button>
      </div>
    </form>
  );
}

function PromoteForm({
  form,
  state,
  sending,
}: {
  form: Extract<ReviewForm, { kind: 'promote' }>;
  state: ReviewState | null;
  sending: boolean;
}) {
  const target = state?.current?.targetBranch ?? 'the target branch';
  return (
    <FormFrame
      testId="promote-form"
      label="Promote"
      tone="primary"
      submitLabel={`Promote to ${target}`}
      sendingLabel="Promoting…"
      sending={sending}
      canSubmit
      focusSubmit
    >
      <p className="review-form-title">
        <strong>
          Promote to <span className="mono">{target}</span>?
        </strong>{' '}
        What lands is the diff below, exactly as the gates checked it.
      </p>
      <fieldset className="review-choice">
        <legend>How</legend>
        <label>
          <input
            type="radio"
            name="promote-mode"
            value="squash"
            checked={form.mode === 'squash'}
            onChange={() => editForm('promote', { mode: 'squash' })}
          />{' '}
          Squash: one commit on {target}
        </label>
        <label>
          <input
            type="radio"
            name="promote-mode"
            value="merge"
            checked={form.mode === 'merge'}
            onChange={() => editForm('promote', { mode: 'merge' })}
          />{' '}
          Merge: keep the session’s commits, with a merge commit
        </label>
      </fieldset>
      <label className="review-check">
        <input
          type="checkbox"
          checked={form.removeWorkspace}
          onChange={(event) => editForm('promote', { removeWorkspace: event.target.checked })}
        />{' '}
        Remove the session’s workspace afterwards
      </label>
    </FormFrame>
  );
}

/** Who signs, by name and key: the person should see which key speaks for them. */
function SignerName({ identity }: { identity: SigningIdentity }) {
  if (!identity) return <>your identity</>;
  return (
    <>
      <EscapedText text={identity.name} />{' '}
      <code dir="ltr" title={identity.fingerprint}>
        {shortFingerprint(identity.fingerprint)}
      </code>
    </>
  );
}

function RejectForm({
  form,
  identity,
  sending,
}: {
  form: Extract<ReviewForm, { kind: 'reject' }>;
  identity: SigningIdentity;
  sending: boolean;
}) {
  return (
    <FormFrame
      testId="reject-form"
      label="Reject"
      tone="danger"
      submitLabel="Reject"
      sendingLabel="Rejecting…"
      sending={sending}
      canSubmit={form.reason.trim().length > 0}
    >
      <label className="review-form-title" htmlFor="reject-reason">
        <strong>Reject this work</strong>: nothing lands. The reason is recorded with the decision.
      </label>
      <textarea
        id="reject-reason"
        autoFocus
        rows={3}
        maxLength={20_000}
        placeholder="Why not"
        value={form.reason}
        // Read-only, not disabled, while sending: a disabled box loses the focus.
        readOnly={sending}
        onChange={(event) => editForm('reject', { reason: event.target.value })}
        onKeyDown={submitOnEnter}
      />
      <label className="review-check">
        <input
          type="checkbox"
          checked={form.sendBack}
          onChange={(event) => editForm('reject', { sendBack: event.target.checked })}
        />{' '}
        Send the reasons to the agent (with the gates’ failures), so it can try again
      </label>
      <label className="review-check">
        <input
          type="checkbox"
          checked={form.sign}
          aria-describedby="reject-sign-hint"
          data-testid="reject-sign"
          onChange={(event) => editForm('reject', { sign: event.target.checked })}
        />{' '}
        Sign the rejection with my identity
      </label>
      <p className="review-form-hint muted" id="reject-sign-hint">
        {identity === null ? (
          <>
            You have no signing identity: <code>paddock identity create NAME</code> makes one.
          </>
        ) : (
          <>
            A signed rejection
            {identity && (
              <>
                {' '}
                (as <SignerName identity={identity} />)
              </>
            )}{' '}
            counts against this change wherever the policy trusts your key: promotion is refused
            while it does.
          </>
        )}
      </p>
    </FormFrame>
  );
}

function SendBackForm({
  form,
  sending,
}: {
  form: Extract<ReviewForm, { kind: 'sendBack' }>;
  sending: boolean;
}) {
  return (
    <FormFrame
      testId="send-back-form"
      label="Send back to the agent"
      tone="plain"
      submitLabel="Send to the agent"
      sendingLabel="Sending…"
      sending={sending}
      canSubmit
    >
      <label className="review-form-title" htmlFor="send-back-note">
        <strong>Send back to the agent</strong>: it gets the last run’s failures as a message, and
        your note if you write one.
      </label>
      <textarea
        id="send-back-note"
        autoFocus
        rows={3}
        maxLength={20_000}
        placeholder="A note for the agent (optional)"
        value={form.note}
        readOnly={sending}
        onChange={(event) => editForm('sendBack', { note: event.target.value })}
        onKeyDown={submitOnEnter}
      />
    </FormFrame>
  );
}

function SignOffForm(props: {
  state: ReviewState | null;
  identity: SigningIdentity;
  sending: boolean;
}) {
  const { state, identity, sending } = props;
  const current = state?.current;
  return (
    <FormFrame
      testId="sign-off-form"
      label="Sign off"
      tone="primary"
      submitLabel="Sign my approval"
      sendingLabel="Signing…"
      sending={sending}
      canSubmit
      focusSubmit
    >
      <p className="review-form-title">
        <strong>Approve what would land now?</strong> Your approval is signed with{' '}
        <SignerName identity={identity} /> for this exact change
        {current && (
          <>
            {' '}
            (work <code>{shortCommit(current.headCommit)}</code> on{' '}
            <span className="mono">{current.targetBranch}</span> at{' '}
            <code>{shortCommit(current.targetCommit)}</code>)
          </>
        )}
        , and with the gate results it saw: any later change to the work or the target needs a new
        sign-off.
      </p>
    </FormFrame>
  );
}

export function ReviewFormView(props: {
  form: ReviewForm | null;
  state: ReviewState | null;
  identity: SigningIdentity;
  deciding: ReviewDecision | null;
}) {
  const { form, state, identity, deciding } = props;
  if (!form) return null;
  // A form's kind is the decision it sends.
  const sending = deciding === form.kind;
  switch (form.kind) {
    case 'promote':
      return <PromoteForm form={form} state={state} sending={sending} />;
    case 'reject':
      return <RejectForm form={form} identity={identity} sending={sending} />;
    case 'sendBack':
      return <SendBackForm form={form} sending={sending} />;
    case 'signOff':
      return <SignOffForm state={state} identity={identity} sending={sending} />;
  }
}
