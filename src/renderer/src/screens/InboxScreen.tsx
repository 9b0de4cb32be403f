/**
 * The approval inbox: one list across sessions, what waits first (newest first), then what was
 * answered recently. Keys: j/k move, Space or x select, Shift+j/k extend the selection, a allow
 * once, s allow for the session, p allow for the project (confirmed), d deny, r deny with a
 * reason, c show the terminal before a request, o open the review a review request is about, Esc
 * clear the selection. A decision applies to the selection if there is one, else to the focused
 * row.
 *
 * The requests themselves are followed app-wide (store/approvals, started by the App): the count
 * in the navigation and the notifications need them on every screen.
 */
import { useEffect, useRef } from 'react';
import type { ApprovalRequest } from '../../../shared/approvals';
import { ApprovalRow } from '../components/inbox/ApprovalRow';
import { EmptyInbox } from '../components/inbox/EmptyInbox';
import { InboxPrompt } from '../components/inbox/InboxPrompt';
import { InboxToolbar } from '../components/inbox/InboxToolbar';
import { isTypingTarget, useScreenKeys, type KeyHandler } from '../keyboard';
import { openReview } from '../store/sessions';
import {
  answerPrompt,
  askAllowProject,
  askDenyReason,
  clearSelection,
  closePrompt,
  decideTargets,
  extendSelection,
  focus,
  focusedRequest,
  moveFocus,
  orderedRequests,
  toggleContext,
  toggleSelected,
  useApprovals,
} from '../store/approvals';
import './inbox.css';

function rowHead(id: string): HTMLButtonElement | null {
  return document.querySelector(
    `[data-testid="approval-row"][data-id="${CSS.escape(id)}"] .approval-head`,
  );
}

/** Moves the page's focus to a row, unless the person is typing (the reason for a denial). */
function focusRowElement(id: string | null | undefined) {
  const head = id ? rowHead(id) : null;
  if (!head || isTypingTarget(document.activeElement)) return;
  head.focus({ preventScroll: true });
  head.scrollIntoView({ block: 'nearest' });
  revealBelowStickyHead(head);
}

/** scrollIntoView does not know about the sticky head (toolbar, prompt) over the list. */
function revealBelowStickyHead(element: HTMLElement) {
  const head = document.querySelector('.inbox-head')?.getBoundingClientRect();
  const hidden = head ? head.bottom - element.getBoundingClientRect().top : 0;
  if (hidden > 0) element.closest('.screen')?.scrollBy({ top: -hidden });
}

/**
 * After a key, the page's focus follows the store's: a decision moves it on to the next row at
 * once, and back if the decision fails.
 */
const thenFocus = (act: () => unknown) => () => {
  const follow = () => focusRowElement(focusedRequest(useApprovals.getState())?.id);
  const result = act();
  follow();
  if (result instanceof Promise) void result.then(follow);
};

function useInboxKeys() {
  // While a prompt is open only Enter and Esc work: a stray `a` must not decide something else.
  const unlessPrompt =
    (handler: KeyHandler): KeyHandler =>
    (event) => {
      if (useApprovals.getState().prompt) return;
      handler(event);
    };
  const toggle: KeyHandler = (event) => {
    event.preventDefault(); // Space would scroll the page, or click the focused button
    toggleSelected();
  };
  useScreenKeys({
    j: unlessPrompt(thenFocus(() => moveFocus(1))),
    k: unlessPrompt(thenFocus(() => moveFocus(-1))),
    J: unlessPrompt(thenFocus(() => extendSelection(1))),
    K: unlessPrompt(thenFocus(() => extendSelection(-1))),
    ' ': unlessPrompt(toggle),
    x: unlessPrompt(toggle),
    a: unlessPrompt(thenFocus(() => decideTargets(true, 'once'))),
    s: unlessPrompt(thenFocus(() => decideTargets(true, 'session'))),
    d: unlessPrompt(thenFocus(() => decideTargets(false))),
    p: unlessPrompt((event) => {
      event.preventDefault();
      askAllowProject();
    }),
    r: unlessPrompt((event) => {
      // Otherwise the `r` would be typed into the reason box that opens with it.
      event.preventDefault();
      askDenyReason();
    }),
    c: unlessPrompt(() => toggleContext()),
    o: unlessPrompt(() => {
      const request = focusedRequest(useApprovals.getState());
      if (request?.kind === 'review') openReview(request.sessionId);
    }),
    Enter: (event) => {
      // A focused button (the prompt's own, a row's) answers its own click.
      if (event.target instanceof HTMLButtonElement) return;
      if (useApprovals.getState().prompt?.kind !== 'project') return;
      event.preventDefault();
      void answerPrompt();
    },
    Escape: () => {
      if (useApprovals.getState().prompt) closePrompt();
      else clearSelection();
    },
  });
}

/**
 * Opening the inbox lands on the newest waiting request, unless the focus is on one still waiting
 * (kept from last time, or set by a click on a notification).
 */
function useFocusOnOpen() {
  useEffect(() => {
    const state = useApprovals.getState();
    if (focusedRequest(state)?.state !== 'pending') focus(null);
  }, []);
}

/** When a prompt closes (answered or cancelled), the keyboard is back on the list. */
function useFocusAfterPrompt() {
  const open = useApprovals((state) => state.prompt !== null);
  const wasOpen = useRef(open);
  useEffect(() => {
    if (wasOpen.current && !open) focusRowElement(focusedRequest(useApprovals.getState())?.id);
    wasOpen.current = open;
  }, [open]);
}

function RequestList({ label, requests }: { label: string; requests: ApprovalRequest[] }) {
  const { byId, focusedId, selected, deciding, contextOpen } = useApprovals();
  const focused = focusedRequest({ byId, focusedId })?.id;
  return (
    <ol className="approval-list" aria-label={label}>
      {requests.map((request) => (
        <ApprovalRow
          key={request.id}
          request={request}
          focused={request.id === focused}
          selected={selected.has(request.id)}
          deciding={deciding.has(request.id)}
          contextOpen={contextOpen.has(request.id)}
        />
      ))}
    </ol>
  );
}

export function InboxScreen() {
  const byId = useApprovals((state) => state.byId);
  const loaded = useApprovals((state) => state.loaded);
  const rows = orderedRequests(byId);
  const pending = rows.filter((request) => request.state === 'pending');
  const settled = rows.filter((request) => request.state !== 'pending');

  useInboxKeys();
  useFocusOnOpen();
  useFocusAfterPrompt();

  return (
    <div className="inbox" data-testid="inbox">
      {/* One sticky block: the prompt and any error stay in view however far the list scrolls. */}
      <div className="inbox-head">
        <InboxToolbar />
        <InboxPrompt />
      </div>
      {pending.length > 0 ? (
        <RequestList label="Waiting for you, newest first" requests={pending} />
      ) : (
        loaded && <EmptyInbox />
      )}
      {settled.length > 0 && (
        <section className="inbox-settled" aria-labelledby="inbox-settled-title">
          <h2 id="inbox-settled-title">Answered recently</h2>
          <RequestList label="Answered recently, newest first" requests={settled} />
        </section>
      )}
    </div>
  );
}
