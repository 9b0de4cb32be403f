/** The keyboard map, opened with `?`. A native modal dialog: it traps focus and inerts the page. */
import { useEffect, useRef } from 'react';
import { SCREENS, useScreen } from '../store/screen';
import { RANGES } from './costs/report';
import { Keys } from './Keys';
import { OPERATOR_SHORTCUTS } from './operator/keys';
import { REPLAY_SHORTCUTS } from './replay/keys';
import { REVIEW_SHORTCUTS } from './review/keys';

const SESSION_KEYS: ReadonlyArray<[readonly string[], string]> = [
  [['n'], 'New session'],
  [['j'], 'Next session'],
  [['k'], 'Previous session'],
  [['Enter'], 'Open its terminal'],
  [['p'], 'Pause or resume it'],
  [['x'], 'Stop it (asks first)'],
  [['t'], 'Show its terminal'],
  [['d'], 'Show its diff'],
  [['w'], 'Show its network connections'],
  [['v'], 'Show its review: gates and promotion'],
  [['l'], 'Show its timeline: every event, oldest first'],
  [['y'], 'Show its replay: the recorded terminal, played back'],
  [['r'], 'Network: refused connections only, or all'],
  [['Ctrl', 'Shift', 'C'], 'Copy the terminal’s selection'],
];

const TIMELINE_KEYS: ReadonlyArray<[readonly string[], string]> = [
  [['j'], 'Next entry (↓ too)'],
  [['k'], 'Previous entry (↑ too)'],
  [['Home'], 'First entry (End: the last)'],
  [['Enter'], 'Open or close the entry: its detail and output'],
];

const INBOX_KEYS: ReadonlyArray<[readonly string[], string]> = [
  [['j'], 'Next request'],
  [['k'], 'Previous request'],
  [['Space'], 'Select it, or not (x too)'],
  [['Shift', 'j'], 'Extend the selection down (Shift+k: up)'],
  [['a'], 'Allow once (the selection, else the focused request)'],
  [['s'], 'Allow for this session'],
  [['p'], 'Allow for the project (asks first; Enter confirms)'],
  [['d'], 'Deny'],
  [['r'], 'Deny with a reason (Enter sends)'],
  [['c'], 'Show or hide the terminal before it'],
  [['o'], 'Open the review a review request is about'],
  [['Esc'], 'Clear the selection, or cancel'],
];

const AUDIT_KEYS: ReadonlyArray<[readonly string[], string]> = [
  [['j'], 'Next event'],
  [['k'], 'Previous event'],
  [['Enter'], 'Show or hide the full payload'],
  [['/'], 'Search events'],
  [['f'], 'Filters: project, session, kind, actor, time'],
  [['o'], 'Open the event in its session’s timeline'],
  [['Esc'], 'Clear the search and filters, back to the live list'],
];

const COSTS_KEYS: ReadonlyArray<[readonly string[], string]> = [
  ...RANGES.map((range): [readonly string[], string] => [
    [range.key],
    range.phrase.replace(/^the /, '').replace(/^./, (first) => first.toUpperCase()),
  ]),
  [['d'], 'Spend by day'],
  [['w'], 'Spend by week'],
  [['e'], 'Export the view as CSV'],
  [['r'], 'Read the figures again'],
];

function Row({ keys, what, also }: { keys: readonly string[]; what: string; also?: string }) {
  return (
    <tr>
      <td>
        <Keys keys={keys} />
      </td>
      <td>
        {what}
        {also && <span className="muted"> · {also}</span>}
      </td>
    </tr>
  );
}

export function ShortcutsOverlay() {
  const close = () => useScreen.getState().setShortcutsOpen(false);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const element = dialog.current;
    const returnFocusTo = document.activeElement;
    element?.showModal();
    return () => {
      element?.close();
      if (returnFocusTo instanceof HTMLElement) returnFocusTo.focus();
    };
  }, []);

  return (
    <dialog
      ref={dialog}
      className="shortcuts"
      aria-labelledby="shortcuts-title"
      // Esc is handled by the app's key listener; this catches the browser's own cancel too.
      onCancel={(event) => (event.preventDefault(), close())}
      // A click on the backdrop lands on the dialog element itself.
      onClick={(event) => event.target === event.currentTarget && close()}
    >
      <div className="shortcuts-body">
        <div className="shortcuts-head">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button
            type="button"
            className="icon-button"
            aria-label="Close shortcuts"
            onClick={close}
          >
            ✕
          </button>
        </div>
        <table>
          <caption>Go to a screen</caption>
          <tbody>
            {SCREENS.map((screen, index) => (
              <Row
                key={screen.id}
                keys={['g', screen.key]}
                what={screen.label}
                also={`Alt+${index + 1}`}
              />
            ))}
          </tbody>
        </table>
        {(
          [
            ['Sessions', SESSION_KEYS],
            ['A session’s review (v)', REVIEW_SHORTCUTS],
            ['A session’s timeline (l), in its list', TIMELINE_KEYS],
            ['A session’s replay (y)', REPLAY_SHORTCUTS],
            ['Inbox', INBOX_KEYS],
            ['Audit', AUDIT_KEYS],
            ['Costs', COSTS_KEYS],
            ['Operator', OPERATOR_SHORTCUTS],
          ] as const
        ).map(([caption, keys]) => (
          <table key={caption}>
            <caption>{caption}</caption>
            <tbody>
              {keys.map(([combo, what]) => (
                <Row key={what} keys={combo} what={what} />
              ))}
            </tbody>
          </table>
        ))}
        <table>
          <caption>Anywhere</caption>
          <tbody>
            <Row keys={['?']} what="Show this list" />
            <Row keys={['Esc']} what="Close it" />
          </tbody>
        </table>
        <p className="muted">
          Shortcuts pause while you type in a field or a terminal (keys there go to the agent).
        </p>
      </div>
    </dialog>
  );
}
