/** What an empty inbox means, so it reads as "all clear" rather than "broken". */
import { TextWithCode } from '../TextWithCode';

export function EmptyInbox() {
  return (
    <div className="empty inbox-empty">
      <p className="inbox-empty-lead">Nothing is waiting for you.</p>
      <p>
        When an agent asks to do something the policy does not decide on its own (a command no rule
        allows, a new network host, going over budget), the request lands here with what it asks,
        why, and the terminal before it. You allow it once, for the session or for the project, or
        deny it; unanswered, it is denied when it expires.
      </p>
      <p>
        <TextWithCode text="Everything else the policy decides by itself, and the audit trail records it. `paddock policy show --project DIR` shows the rules in force." />
      </p>
    </div>
  );
}
