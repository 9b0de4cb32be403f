/**
 * The inline questions above the list: the confirmation an allow for the whole project needs (it
 * outlasts this session), and the form to deny with a reason. Inline rather than a dialog: the
 * requests they are about stay in view. Enter answers, Esc cancels.
 */
import type { ApprovalRequest } from '../../../../shared/approvals';
import {
  answerPrompt,
  closePrompt,
  setReasonDraft,
  useApprovals,
  type Prompt,
} from '../../store/approvals';
import { Keys } from '../Keys';
import { EscapedText } from './EscapedText';

/** The subjects a prompt is about, whole and escaped: the person confirms what they read. */
function Subjects({ requests }: { requests: ApprovalRequest[] }) {
  return (
    <ul className="prompt-subjects">
      {requests.map((request) => (
        <li key={request.id}>
          <code dir="ltr">
            <EscapedText text={request.subject} />
          </code>{' '}
          <span className="muted">
            in <span className="mono">{request.projectPath}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function requestsOf(prompt: Prompt, byId: ReadonlyMap<string, ApprovalRequest>) {
  return prompt.ids.flatMap((id) => byId.get(id) ?? []);
}

const plural = (count: number, one: string, many: string) =>
  count === 1 ? `this ${one}` : `these ${count} ${many}`;

function ProjectConfirm({ requests, sending }: { requests: ApprovalRequest[]; sending: boolean }) {
  return (
    <div
      className="confirm-bar inbox-prompt"
      role="alertdialog"
      aria-labelledby="confirm-project-title"
      data-testid="confirm-project"
    >
      <div className="inbox-prompt-text">
        <p id="confirm-project-title">
          <strong>
            Allow {plural(requests.length, 'request', 'requests')} for the whole project?
          </strong>{' '}
          From now on, in every session of the project, not only this one: saved as rules in your
          settings.
        </p>
        <Subjects requests={requests} />
      </div>
      <button
        type="button"
        className="button button--primary"
        autoFocus
        // Not disabled while sending (that would drop the focus): a second press is ignored.
        onClick={() => void answerPrompt()}
      >
        {sending ? 'Allowing…' : 'Allow for the project'} <Keys keys={['Enter']} />
      </button>
      <button type="button" className="button" onClick={closePrompt}>
        Cancel <Keys keys={['Esc']} />
      </button>
    </div>
  );
}

function ReasonForm({
  requests,
  draft,
  sending,
}: {
  requests: ApprovalRequest[];
  draft: string;
  sending: boolean;
}) {
  return (
    <form
      className="inbox-prompt reason-form"
      data-testid="deny-reason"
      onSubmit={(event) => {
        event.preventDefault();
        void answerPrompt();
      }}
    >
      <label htmlFor="deny-reason-text">
        Deny {plural(requests.length, 'request', 'requests')} with a reason
      </label>
      <Subjects requests={requests} />
      <textarea
        id="deny-reason-text"
        autoFocus
        rows={2}
        maxLength={2000}
        placeholder="Why not (recorded with the decision)"
        value={draft}
        // Read-only, not disabled, while sending: a disabled box loses the focus, and after a
        // failure the person should be able to press Enter again.
        readOnly={sending}
        onChange={(event) => setReasonDraft(event.target.value)}
        onKeyDown={(event) => {
          // Enter sends and Shift+Enter starts a new line, as in a chat box.
          if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            event.currentTarget.form?.requestSubmit();
          } else if (event.key === 'Escape') {
            event.preventDefault();
            closePrompt();
          }
        }}
      />
      <div className="form-actions">
        <button type="submit" className="button button--danger" disabled={sending || !draft.trim()}>
          {sending ? 'Denying…' : 'Deny'} <Keys keys={['Enter']} />
        </button>
        <button type="button" className="button" onClick={closePrompt}>
          Cancel <Keys keys={['Esc']} />
        </button>
      </div>
    </form>
  );
}

export function InboxPrompt() {
  const { prompt, byId, deciding } = useApprovals();
  return <PromptView prompt={prompt} byId={byId} deciding={deciding} />;
}

interface PromptViewProps {
  prompt: Prompt | null;
  byId: ReadonlyMap<string, ApprovalRequest>;
  deciding: ReadonlySet<string>;
}

export function PromptView({ prompt, byId, deciding }: PromptViewProps) {
  if (!prompt) return null;
  const requests = requestsOf(prompt, byId);
  const sending = prompt.ids.some((id) => deciding.has(id));
  return prompt.kind === 'project' ? (
    <ProjectConfirm requests={requests} sending={sending} />
  ) : (
    <ReasonForm requests={requests} draft={prompt.draft} sending={sending} />
  );
}
