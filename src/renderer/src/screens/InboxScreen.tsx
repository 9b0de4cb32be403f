import { ComingLater } from '../components/ComingLater';

export function InboxScreen() {
  return (
    <ComingLater
      purpose="Approval requests land here: what an agent asks to do that policy does not decide on its own (a new network host, a risky command, going over budget), for you to allow or deny — arrives with the approval inbox (issue #7)."
      today="No agent runs yet, so nothing asks for approval."
    />
  );
}
