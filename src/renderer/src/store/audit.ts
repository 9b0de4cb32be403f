/**
 * The Audit screen's state: the live list (newest first), a search, the selection and the last
 * chain verification. Events arrive both from `audit.list` and from `audit.appended`, possibly
 * overlapping, so every merge dedupes by seq.
 */
import { create } from 'zustand';
import type { AuditEvent, VerifyReport } from '../../../shared/audit';
import { api } from '../api/connection';
import { errorMessage } from '../format';

/** Enough to scroll back through a working session while keeping every render cheap. */
export const MAX_ROWS = 1000;
const LOAD_LIMIT = 200;
const SEARCH_LIMIT = 200;

interface AuditStore {
  /** Newest first, at most MAX_ROWS. */
  live: AuditEvent[];
  loaded: boolean;
  loadError: string | null;
  /** The highest seq of the first load: rows above it arrived live (and are highlighted once). */
  firstLoadHead: number | null;

  query: string;
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

export function setQuery(query: string): void {
  // An emptied box drops any answer still on its way.
  if (!query.trim()) searchGeneration++;
  useAudit.setState(
    query.trim() ? { query } : { query, results: null, searching: false, searchError: null },
  );
}

export async function search(text: string): Promise<void> {
  const generation = ++searchGeneration;
  if (!text.trim()) return;
  useAudit.setState({ searching: true, searchError: null });
  try {
    const results = await api.audit.search({ text: text.trim(), limit: SEARCH_LIMIT });
    if (generation === searchGeneration) useAudit.setState({ results, searching: false });
  } catch (error) {
    if (generation === searchGeneration)
      useAudit.setState({ searching: false, searchError: errorMessage(error), results: [] });
  }
}

export function clearSearch(): void {
  setQuery('');
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
