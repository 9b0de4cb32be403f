/**
 * What the tray shows, as data: the icon's variant, its tooltip and badge, and the menu. Worked out
 * here from the sessions and the inbox, so the rules are tested without Electron; the Electron host
 * only turns it into a Tray and a Menu.
 */
import type { ApprovalRequest } from '../../shared/approvals';
import { LIVE_STATES, type SessionRecord } from '../../shared/sessions';

/** idle: nothing runs; running: sessions at work; attention: something waits for the person. */
export type TrayVariant = 'idle' | 'running' | 'attention';

export type TrayAction =
  | { kind: 'open' }
  | { kind: 'approval'; id: string }
  | { kind: 'inbox' }
  | { kind: 'pause-all' }
  | { kind: 'quit' };

export interface TrayMenuItem {
  label: string;
  enabled: boolean;
  action: TrayAction | null;
  /** A line between groups of items. */
  separatorBefore?: boolean;
}

export interface TrayState {
  variant: TrayVariant;
  tooltip: string;
  /** Requests waiting (0: no badge). */
  badge: number;
  menu: TrayMenuItem[];
}

/** The menu lists this many pending requests, oldest first; the rest are "and N more in the inbox". */
export const LISTED_APPROVALS = 5;
const SUBJECT_LENGTH = 60;

export function trayState(
  sessions: readonly Pick<SessionRecord, 'state'>[],
  pending: readonly Pick<ApprovalRequest, 'id' | 'subject' | 'agent' | 'createdAt' | 'state'>[],
): TrayState {
  const waiting = pending
    .filter((request) => request.state === 'pending')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const live = sessions.filter((session) => LIVE_STATES.includes(session.state));
  const running = live.filter((session) => session.state !== 'paused').length;
  const needInput = live.filter((session) => session.state === 'waiting').length;
  const variant: TrayVariant =
    waiting.length > 0 || needInput > 0 ? 'attention' : live.length > 0 ? 'running' : 'idle';
  const parts = [
    live.length === 0
      ? 'no sessions running'
      : counted(running, 'session running', 'sessions running'),
    ...(live.length - running > 0 ? [counted(live.length - running, 'paused', 'paused')] : []),
    ...(needInput > 0 ? [counted(needInput, 'waiting for you', 'waiting for you')] : []),
    ...(waiting.length > 0 ? [counted(waiting.length, 'request waiting', 'requests waiting')] : []),
  ];
  return {
    variant,
    tooltip: `Paddock: ${parts.join(', ')}`,
    badge: waiting.length,
    menu: [
      { label: 'Open Paddock', enabled: true, action: { kind: 'open' } },
      ...approvalItems(waiting),
      {
        label: running > 0 ? `Pause all sessions (${running})` : 'Pause all sessions',
        enabled: running > 0,
        action: { kind: 'pause-all' },
        separatorBefore: true,
      },
      { label: 'Quit Paddock', enabled: true, action: { kind: 'quit' }, separatorBefore: true },
    ],
  };
}

function approvalItems(
  waiting: readonly Pick<ApprovalRequest, 'id' | 'subject' | 'agent'>[],
): TrayMenuItem[] {
  if (waiting.length === 0)
    return [{ label: 'No requests waiting', enabled: false, action: null, separatorBefore: true }];
  const items: TrayMenuItem[] = waiting.slice(0, LISTED_APPROVALS).map((request, i) => ({
    label: `${request.agent}: ${shorten(menuText(request.subject))}`,
    enabled: true,
    action: { kind: 'approval', id: request.id },
    separatorBefore: i === 0,
  }));
  if (waiting.length > LISTED_APPROVALS)
    items.push({
      label: `and ${waiting.length - LISTED_APPROVALS} more in the inbox`,
      enabled: true,
      action: { kind: 'inbox' },
    });
  return items;
}

function counted(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * A subject as one plain line: control characters (a disguised command's escapes) shown as `�`,
 * and `&` doubled, since menus on Windows and Linux read a single `&` as an access key.
 */
function menuText(subject: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  return subject.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd').replace(/&/g, '&&');
}

function shorten(text: string): string {
  return text.length > SUBJECT_LENGTH ? `${text.slice(0, SUBJECT_LENGTH - 1)}…` : text;
}
