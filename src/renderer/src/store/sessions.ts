/**
 * The Sessions screen's state: every session (kept current by `session.changed`), the projects and
 * agents to start one with, which session is open and how, and the progress of a start.
 */
import { create } from 'zustand';
import type { AgentAvailability } from '../../../shared/contract';
import { LIVE_STATES, type Project, type SessionRecord } from '../../../shared/sessions';
import { api } from '../api/connection';
import { errorMessage } from '../format';
import { useScreen } from './screen';

export type StateFilter = 'all' | 'live' | 'ended';
export type DetailView = 'terminal' | 'diff' | 'network' | 'review' | 'timeline' | 'replay';
/** The Network view shows every connection, or only those refused. */
export type NetworkFilter = 'all' | 'refused';

/** Where a start is, step by step; `failed` names the step. */
export interface StartProgress {
  step: 'workspace' | 'set-up' | 'agent' | 'done';
  failed: string | null;
  sessionId: string | null;
}

export interface StartForm {
  project: string;
  preset: string;
  task: string;
  base: string;
  /** The person ticked "Run without sandbox" for this one start; the form never remembers it. */
  unsandboxed: boolean;
}

export function isLive(session: Pick<SessionRecord, 'state'>): boolean {
  return LIVE_STATES.includes(session.state);
}

interface SessionsStore {
  sessions: SessionRecord[];
  projects: Project[];
  agents: AgentAvailability[];
  loaded: boolean;
  loadError: string | null;
  filter: StateFilter;
  text: string;
  selectedId: string | null;
  openId: string | null;
  view: DetailView;
  networkFilter: NetworkFilter;
  newOpen: boolean;
  start: StartProgress | null;
  /** Sessions whose set-up command runs now (from the audit stream). */
  settingUp: ReadonlySet<string>;
  confirmStop: string | null;
  actionError: string | null;
}

export const useSessions = create<SessionsStore>(() => ({
  sessions: [],
  projects: [],
  agents: [],
  loaded: false,
  loadError: null,
  filter: 'all',
  text: '',
  selectedId: null,
  openId: null,
  view: 'terminal',
  networkFilter: 'all',
  newOpen: false,
  start: null,
  settingUp: new Set(),
  confirmStop: null,
  actionError: null,
}));

/** Newest first, as the list shows them. */
function sorted(sessions: SessionRecord[]): SessionRecord[] {
  return [...sessions].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function loadSessions(): Promise<void> {
  try {
    const [sessions, projects, agents] = await Promise.all([
      api.session.list({}),
      api.project.list({}),
      api.agents.detect({}),
    ]);
    useSessions.setState((state) => ({
      sessions: sorted(sessions),
      projects,
      agents,
      loaded: true,
      loadError: null,
      selectedId: state.selectedId ?? sessions[0]?.id ?? null,
    }));
  } catch (error) {
    useSessions.setState({ loadError: errorMessage(error) });
  }
}

export function receiveChanged(session: SessionRecord): void {
  useSessions.setState((state) => {
    const others = state.sessions.filter((s) => s.id !== session.id);
    const start =
      state.start?.sessionId === session.id ? progressOf(state.start, session) : state.start;
    return { sessions: sorted([session, ...others]), start };
  });
}

function progressOf(start: StartProgress, session: SessionRecord): StartProgress {
  if (session.state === 'failed') return { ...start, failed: session.reason ?? 'failed' };
  if (session.state === 'starting') return start;
  return { ...start, step: 'done' };
}

/** The audit stream says when a set-up command starts and ends. */
export function noteSetUp(sessionId: string, running: boolean): void {
  useSessions.setState((state) => {
    const settingUp = new Set(state.settingUp);
    if (running) settingUp.add(sessionId);
    else settingUp.delete(sessionId);
    const start =
      state.start?.sessionId === sessionId && running
        ? { ...state.start, step: 'set-up' as const }
        : state.start;
    return { settingUp, start };
  });
}

export function visibleSessions(
  state: Pick<SessionsStore, 'sessions' | 'filter' | 'text' | 'projects'>,
) {
  const text = state.text.trim().toLowerCase();
  const projectName = (id: string) => state.projects.find((p) => p.id === id)?.name ?? '';
  return state.sessions.filter((session) => {
    if (state.filter === 'live' && !isLive(session)) return false;
    if (state.filter === 'ended' && isLive(session)) return false;
    if (!text) return true;
    return [
      session.id,
      session.task,
      session.agentPreset,
      session.state,
      projectName(session.projectId),
    ]
      .join(' ')
      .toLowerCase()
      .includes(text);
  });
}

export function select(id: string | null): void {
  useSessions.setState({ selectedId: id });
}

export function openSession(id: string, view: DetailView = 'terminal'): void {
  useSessions.setState({ selectedId: id, openId: id, view });
}

/** From anywhere (an inbox request, a notification): the Sessions screen, on this session's review. */
export function openReview(id: string): void {
  useSessions.setState({ newOpen: false });
  openSession(id, 'review');
  useScreen.getState().goTo('sessions');
}

export function setView(view: DetailView): void {
  useSessions.setState({ view });
}

export function setNetworkFilter(networkFilter: NetworkFilter): void {
  useSessions.setState({ networkFilter });
}

/** Key r in the Network view: refused only, or everything again. */
export function toggleNetworkFilter(): void {
  useSessions.setState((state) => ({
    networkFilter: state.networkFilter === 'all' ? 'refused' : 'all',
  }));
}

export function setNewOpen(newOpen: boolean): void {
  useSessions.setState(newOpen ? { newOpen, start: null } : { newOpen });
}

export async function startSession(form: StartForm): Promise<void> {
  useSessions.setState({ start: { step: 'workspace', failed: null, sessionId: null } });
  try {
    const session = await api.session.start({
      project: form.project.trim(),
      preset: form.preset || undefined,
      task: form.task.trim() || undefined,
      base: form.base.trim() || undefined,
      // Only an explicit tick asks for no sandbox; an unticked form sends nothing, so main's default holds.
      ...(form.unsandboxed ? { unsandboxed: true } : {}),
    });
    useSessions.setState((state) => ({
      start: {
        step: state.settingUp.has(session.id) ? 'set-up' : 'agent',
        failed: null,
        sessionId: session.id,
      },
      newOpen: false,
    }));
    receiveChanged(session);
    openSession(session.id);
    void loadProjects();
  } catch (error) {
    useSessions.setState((state) => ({
      start: {
        step: state.start?.step ?? 'workspace',
        failed: errorMessage(error),
        sessionId: null,
      },
    }));
  }
}

async function loadProjects(): Promise<void> {
  const projects = await api.project.list({}).catch(() => null);
  if (projects) useSessions.setState({ projects });
}

/** Pause a running session, or resume a paused one. */
export async function togglePause(session: SessionRecord): Promise<void> {
  await act(() =>
    session.state === 'paused'
      ? api.session.resume({ id: session.id })
      : api.session.pause({ id: session.id }),
  );
}

export function askStop(id: string | null): void {
  useSessions.setState({ confirmStop: id });
}

export async function stopSession(id: string): Promise<void> {
  useSessions.setState({ confirmStop: null });
  await act(() => api.session.stop({ id }));
}

export async function queueMessage(id: string, text: string): Promise<boolean> {
  return act(() => api.session.queue({ id, text }));
}

async function act(call: () => Promise<SessionRecord>): Promise<boolean> {
  try {
    receiveChanged(await call());
    useSessions.setState({ actionError: null });
    return true;
  } catch (error) {
    useSessions.setState({ actionError: errorMessage(error) });
    return false;
  }
}

export function dismissActionError(): void {
  useSessions.setState({ actionError: null });
}
