/**
 * The Audit screen's state: the live list (newest first), a search with its filters, the
 * selection and the last chain verification. Events arrive both from `audit.list` and from
 * `audit.appended`, possibly overlapping, so every merge dedupes by seq.
 */
import { create } from 'zustand';
import { ACTORS, type Actor, type AuditEvent, type VerifyReport } from '../../../shared/audit';
import type { CallInput } from '../../../shared/contract';
import type { Project, SessionRecord } from '../../../shared/sessions';
import { api } from '../api/connection';
import { errorMessage } from '../format';

/** Enough to scroll back through a working session while keeping every render cheap. */
export const MAX_ROWS = 1000;
const LOAD_LIMIT = 200;
const SEARCH_LIMIT = 200;

/** The kind filter's choices: each a few kinds or kind prefixes (ending in `.`). */
export const KIND_PRESETS = [
  {
    id: 'prompts',
    label: 'Task and prompts',
    kinds: ['session.created', 'agent.reported.prompt', 'session.message.'],
  },
  {
    id: 'commands',
    label: 'Commands and tools',
    kinds: ['session.exec', 'agent.reported.tool-used', 'hook.', 'workspace.setup.'],
  },
  { id: 'approvals', label: 'Approvals', kinds: ['approval.', 'policy.decided'] },
  { id: 'network', label: 'Network', kinds: ['network.', 'broker.'] },
  {
    id: 'gates',
    label: 'Gates and review',
    kinds: ['gates.', 'review.', 'workspace.snapshot', 'session.promoted'],
  },
  { id: 'output', label: 'Output', kinds: ['terminal.output', 'session.exec'] },
  { id: 'redactions', label: 'Redactions', kinds: ['redaction.applied', 'broker.exfiltration'] },
  { id: 'dropped', label: 'Dropped content', kinds: ['blob.dropped', 'audit.pruned'] },
] as const;
export type KindPresetId = (typeof KIND_PRESETS)[number]['id'];

/** The search's filters, as the form holds them: '' is "any". */
export interface AuditFilters {
  projectId: string;
  sessionId: string;
  kinds: KindPresetId | '';
  /** Ticked actors; all four is the same as no filter. */
  actors: readonly Actor[];
  /** `datetime-local` values (local time, to the minute): from, and to the end of that minute. */
  since: string;
  until: string;
}

export const NO_FILTERS: AuditFilters = {
  projectId: '',
  sessionId: '',
  kinds: '',
  actors: ACTORS,
  since: '',
  until: '',
};

export type AuditSearchInput = CallInput<'audit.search'>;

/** A `datetime-local` value as ISO; `endOfMinute` makes "to 10:00" include 10:00:59. */
function isoOf(local: string, endOfMinute: boolean): string | null {
  const date = new Date(local);
  if (!local || Number.isNaN(date.getTime())) return null;
  const minuteOnly = /T\d{2}:\d{2}$/.test(local);
  return new Date(date.getTime() + (endOfMinute && minuteOnly ? 60_000 : 0)).toISOString();
}

/** The filters that narrow anything, as `audit.search` takes them. */
function filterInput(filters: AuditFilters): Omit<AuditSearchInput, 'text' | 'limit'> {
  const input: Omit<AuditSearchInput, 'text' | 'limit'> = {};
  if (filters.projectId) input.projectId = filters.projectId;
  if (filters.sessionId) input.sessionId = filters.sessionId;
  const preset = KIND_PRESETS.find((candidate) => candidate.id === filters.kinds);
  if (preset) input.kinds = [...preset.kinds];
  if (filters.actors.length < ACTORS.length) input.actors = [...filters.actors];
  const since = isoOf(filters.since, false);
  const until = isoOf(filters.until, true);
  if (since) input.since = since;
  if (until) input.until = until;
  return input;
}

export function filtersActive(filters: AuditFilters): boolean {
  return Object.keys(filterInput(filters)).length > 0;
}

/**
 * What to ask `audit.search` for: the words and every filter that narrows. Null when there is
 * nothing to search for (no words, no filters) or nothing could match (no actor ticked).
 */
export function searchInput(
  text: string,
  filters: AuditFilters,
  limit = SEARCH_LIMIT,
): AuditSearchInput | null {
  if (filters.actors.length === 0) return null;
  const narrowing = filterInput(filters);
  if (!text.trim() && Object.keys(narrowing).length === 0) return null;
  return { text: text.trim(), limit, ...narrowing };
}

interface AuditStore {
  /** Newest first, at most MAX_ROWS. */
  live: AuditEvent[];
  loaded: boolean;
  loadError: string | null;
  /** The highest seq of the first load: rows above it arrived live (and are highlighted once). */
  firstLoadHead: number | null;

  query: string;
  filters: AuditFilters;
  filtersOpen: boolean;
  /** For the project and session filters: read when the filters first open. */
  projects: Project[];
  sessions: SessionRecord[];
  /** null while the live list shows. */
  results: AuditEvent[] | null;
  searching: boolean;
  searchError: string | null;

  selectedSeq: number | null;
  expanded: ReadonlySet<number>;

  verifying: boolean;
  verifyReport: VerifyReport | null;
  verifyError: string | null;
}

export const useAudit = create<AuditStore>(() => ({
  live: [],
  loaded: false,
  loadError: null,
  firstLoadHead: null,
  query: '',
  filters: NO_FILTERS,
  filtersOpen: false,
  projects: [],
  sessions: [],
  results: null,
  searching: false,
  searchError: null,
  selectedSeq: null,
  expanded: new Set(),
  verifying: false,
  verifyReport: null,
  verifyError: null,
}));

function mergeNewestFirst(current: AuditEvent[], incoming: AuditEvent[]): AuditEvent[] {
  const seen = new Set(current.map((event) => event.seq));
  const fresh = incoming.filter((event) => !seen.has(event.seq));
  if (fresh.length === 0) return current;
  return [...fresh, ...current].sort((a, b) => b.seq - a.seq).slice(0, MAX_ROWS);
}

export function receiveEvents(events: AuditEvent[]): void {
  useAudit.setState((state) => ({ live: mergeNewestFirst(state.live, events) }));
}

/** Loads the newest events; called on mount and after every reconnect, to fill any gap. */
export async function loadLatest(): Promise<void> {
  try {
    const events = await api.audit.list({ limit: LOAD_LIMIT, order: 'desc' });
    useAudit.setState((state) => ({
      live: mergeNewestFirst(state.live, events),
      loaded: true,
      loadError: null,
      firstLoadHead: state.firstLoadHead ?? events[0]?.seq ?? 0,
    }));
  } catch (error) {
    useAudit.setState({ loadError: errorMessage(error) });
  }
}

/** Counts searches so a slow answer to an older query cannot replace a newer one. */
let searchGeneration = 0;

/** True when the list shows search results rather than the live events. */
export function isSearching(state: Pick<AuditStore, 'query' | 'filters'>): boolean {
  return (
    state.query.trim() !== '' || filtersActive(state.filters) || state.filters.actors.length === 0
  );
}

/** Back to the live list when neither words nor filters remain; any answer on its way is dropped. */
function settle(): void {
  if (isSearching(useAudit.getState())) return;
  searchGeneration++;
  useAudit.setState({ results: null, searching: false, searchError: null });
}

export function setQuery(query: string): void {
  useAudit.setState({ query });
  settle();
}

export function setFilters(change: Partial<AuditFilters>): void {
  useAudit.setState((state) => {
    const filters = { ...state.filters, ...change };
    // A session of another project would make the two filters contradict each other.
    if (change.projectId !== undefined && filters.sessionId) {
      const session = state.sessions.find((candidate) => candidate.id === filters.sessionId);
      if (change.projectId && session?.projectId !== change.projectId) filters.sessionId = '';
    }
    return { filters };
  });
  settle();
}

export function toggleActor(actor: Actor): void {
  const { actors } = useAudit.getState().filters;
  setFilters({
    actors: actors.includes(actor)
      ? actors.filter((candidate) => candidate !== actor)
      : ACTORS.filter((candidate) => candidate === actor || actors.includes(candidate)),
  });
}

/** Opens or closes the filters; the first time, reads the projects and sessions to pick from. */
export async function setFiltersOpen(filtersOpen: boolean): Promise<void> {
  useAudit.setState({ filtersOpen });
  if (!filtersOpen) return;
  const [projects, sessions] = await Promise.all([
    api.project.list({}).catch(() => null),
    api.session.list({}).catch(() => null),
  ]);
  useAudit.setState((state) => ({
    projects: projects ?? state.projects,
    sessions: sessions
      ? [...sessions].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      : state.sessions,
  }));
}

/** Runs the search the box and the filters describe now (the screen debounces the calls). */
export async function search(): Promise<void> {
  const generation = ++searchGeneration;
  const { query, filters } = useAudit.getState();
  if (filters.actors.length === 0) {
    useAudit.setState({ results: [], searching: false, searchError: null });
    return;
  }
  const input = searchInput(query, filters);
  if (!input) return;
  useAudit.setState({ searching: true, searchError: null });
  try {
    const results = await api.audit.search(input);
    if (generation === searchGeneration) useAudit.setState({ results, searching: false });
  } catch (error) {
    if (generation === searchGeneration)
      useAudit.setState({ searching: false, searchError: errorMessage(error), results: [] });
  }
}

/** Esc: the words and the filters cleared, back to the live list. */
export function clearSearch(): void {
  useAudit.setState({ query: '', filters: NO_FILTERS });
  settle();
}

export function select(seq: number | null): void {
  useAudit.setState({ selectedSeq: seq });
}

export function toggleExpanded(seq: number): void {
  useAudit.setState((state) => {
    const expanded = new Set(state.expanded);
    if (!expanded.delete(seq)) expanded.add(seq);
    return { expanded, selectedSeq: seq };
  });
}

export async function verifyChain(): Promise<void> {
  useAudit.setState({ verifying: true, verifyError: null });
  try {
    useAudit.setState({ verifyReport: await api.audit.verify({}), verifying: false });
  } catch (error) {
    useAudit.setState({ verifying: false, verifyError: errorMessage(error), verifyReport: null });
  }
}

export function dismissVerify(): void {
  useAudit.setState({ verifyReport: null, verifyError: null });
}
