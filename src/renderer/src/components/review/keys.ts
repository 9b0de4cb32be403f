/**
 * The Review view's keys, while it shows (the Sessions screen hands them over): r runs the gates,
 * p, b, x and s open the form of a decision, e exports a review bundle. Running the gates is `r`,
 * not `g`: `g` starts the app's go-to-screen keys everywhere. p and x, pause and stop elsewhere on
 * the screen, are the review's here: a session under review is usually over, and every decision
 * asks first anyway. `e` is free on the Sessions screen (Costs' `e` is on another screen).
 */
import {
  availability,
  exportForReview,
  openForm,
  reviewOf,
  runGates,
  useReview,
  type ReviewFormKind,
} from '../../store/review';

const FORM_KEYS: Readonly<Record<string, ReviewFormKind>> = {
  p: 'promote',
  b: 'sendBack',
  x: 'reject',
  s: 'signOff',
};

/** For the shortcuts overlay, in the order of the buttons. */
export const REVIEW_SHORTCUTS: ReadonlyArray<[readonly string[], string]> = [
  [['r'], 'Run the gates (again)'],
  [['p'], 'Promote… (squash or merge; Enter confirms)'],
  [['b'], 'Send back to the agent… (the failures, and a note)'],
  [['x'], 'Reject… (a reason; Enter sends)'],
  [['s'], 'Sign off: sign your approval… (Enter confirms)'],
  [['e'], 'Export for review on another machine (a file to download)'],
  [['Esc'], 'Cancel the open form'],
];

/** Acts on `key` for session `id`, if the action is open now; a disabled button's key does nothing. */
export function reviewKey(key: string, id: string, event: KeyboardEvent): void {
  const store = useReview.getState();
  // While a form is open only Enter and Esc work: a stray key must not start another decision.
  if (store.form) return;
  const open = availability(reviewOf(store, id), store.identity);
  if (key === 'r') {
    if (open.run === null) void runGates(id);
    return;
  }
  if (key === 'e') {
    if (open.export === null) void exportForReview(id);
    return;
  }
  const kind = FORM_KEYS[key];
  if (!kind || open[kind] !== null) return;
  // Otherwise the key would be typed into the text box that opens with the form.
  event.preventDefault();
  openForm(kind, id);
}
