/**
 * The audit trail, live: the newest events first, new ones prepended as main appends them, a
 * full-text search with filters (project, session, kind, actor, time), and a check of the hash
 * chain. Every event of a session links into that session's timeline, at that event.
 */
import { useEffect, useRef, type RefObject } from 'react';
import type { AuditEvent } from '../../../shared/audit';
import { api, useConnection } from '../api/connection';
import { AuditFilters } from '../components/AuditFilters';
import { AuditRow } from '../components/AuditRow';
import { Keys } from '../components/Keys';
import { VerifyResult } from '../components/VerifyResult';
import { useScreenKeys } from '../keyboard';
import {
  MAX_ROWS,
  clearSearch,
  dismissVerify,
  filtersActive,
  isSearching,
  loadLatest,
  receiveEvents,
  search,
  select,
  setFiltersOpen,
  setQuery,
  toggleExpanded,
  useAudit,
  verifyChain,
  type AuditFilters as Filters,
} from '../store/audit';
import { openTimelineAt } from '../store/timeline';
import './audit.css';

const SEARCH_DEBOUNCE_MS = 200;

function rowButton(seq: number): HTMLButtonElement | null {
  return document.querySelector(`[data-testid="audit-row"][data-seq="${seq}"] > button`);
}

/** Subscribes while the screen is open, and (re)loads whenever the connection (re)opens. */
function useLiveEvents() {
  const open = useConnection((state) => state.state === 'open');
  useEffect(() => {
    const unsubscribe = api.on('audit.appended', receiveEvents);
    return () => {
      unsubscribe();
      // Next time the screen opens, only what arrives after that is highlighted as new.
      useAudit.setState({ firstLoadHead: null });
    };
  }, []);
  useEffect(() => {
    if (open) void loadLatest();
  }, [open]);
}

function useDebouncedSearch(query: string, filters: Filters) {
  useEffect(() => {
    if (!isSearching({ query, filters })) return;
    const timer = setTimeout(() => void search(), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, filters]);
}

/** The selected event's session, in its timeline at this event. */
function openSelectedInTimeline(rows: AuditEvent[]) {
  const { selectedSeq } = useAudit.getState();
  const event = rows.find((row) => row.seq === selectedSeq);
  if (event?.sessionId) openTimelineAt(event.sessionId, event.seq);
}

/** j/k move through the rows on show and focus the row, so Enter and Tab carry on from there. */
function moveSelection(rows: AuditEvent[], step: 1 | -1) {
  const { selectedSeq } = useAudit.getState();
  const at = rows.findIndex((event) => event.seq === selectedSeq);
  const next = rows[at === -1 ? 0 : Math.min(Math.max(at + step, 0), rows.length - 1)];
  if (!next) return;
  select(next.seq);
  const button = rowButton(next.seq);
  if (!button) return;
  button.focus({ preventScroll: true });
  button.scrollIntoView({ block: 'nearest' });
  revealBelowStickyHead(button);
}

/** scrollIntoView does not know about the sticky head (toolbar + verify result) over the list. */
function revealBelowStickyHead(element: HTMLElement) {
  const head = document.querySelector('.audit-head')?.getBoundingClientRect();
  const hidden = head ? head.bottom - element.getBoundingClientRect().top : 0;
  if (hidden > 0) element.closest('.screen')?.scrollBy({ top: -hidden });
}

function useAuditKeys(
  rows: AuditEvent[],
  searchBox: RefObject<HTMLInputElement | null>,
  firstFilter: RefObject<HTMLSelectElement | null>,
) {
  useScreenKeys({
    j: () => moveSelection(rows, 1),
    k: () => moveSelection(rows, -1),
    Enter: (event) => {
      // On a focused row the button's own click already toggles it.
      if (event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement)
        return;
      const { selectedSeq } = useAudit.getState();
      if (selectedSeq !== null) toggleExpanded(selectedSeq);
    },
    '/': (event) => {
      event.preventDefault();
      searchBox.current?.focus();
      searchBox.current?.select();
    },
    f: (event) => {
      event.preventDefault();
      void setFiltersOpen(true);
      // The bar renders on this change: focus its first control once it is there.
      requestAnimationFrame(() => firstFilter.current?.focus());
    },
    o: () => openSelectedInTimeline(rows),
    Escape: () => clearSearch(),
  });
}

function SearchBox({ inputRef }: { inputRef: RefObject<HTMLInputElement | null> }) {
  const query = useAudit((state) => state.query);
  return (
    <div className="search">
      <input
        ref={inputRef}
        type="search"
        placeholder="Search events"
        aria-label="Search events"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          event.preventDefault();
          // First Esc clears the search; the next one leaves the box.
          if (query) setQuery('');
          else event.currentTarget.blur();
        }}
      />
      {!query && <Keys keys={['/']} />}
    </div>
  );
}

function FiltersButton() {
  const { filtersOpen, filters } = useAudit();
  const active = filtersActive(filters);
  return (
    <button
      type="button"
      className={`button audit-filters-button${active ? ' is-active' : ''}`}
      aria-expanded={filtersOpen}
      onClick={() => void setFiltersOpen(!filtersOpen)}
    >
      Filters{active ? ' (on)' : ''} <Keys keys={['f']} />
    </button>
  );
}

function ListCaption({ shown }: { shown: number }) {
  const { query, filters, results, searching, searchError, loaded } = useAudit();
  const open = useConnection((state) => state.state === 'open');
  if (searchError) return <span className="error">{searchError}</span>;
  if (filters.actors.length === 0)
    return <span className="muted">No actor ticked: tick at least one to see events.</span>;
  if (isSearching({ query, filters })) {
    if (searching || !results) return <span className="muted">Searching…</span>;
    return (
      <span className="muted">
        {results.length === 1 ? '1 match' : `${results.length} matches`} · <Keys keys={['Esc']} />{' '}
        back to live
      </span>
    );
  }
  if (!loaded) return <span className="muted">Loading…</span>;
  return (
    <span className="muted">
      <span className={`live-dot${open ? '' : ' is-paused'}`} aria-hidden="true" />
      {open ? 'Live' : 'Paused'} · newest {shown.toLocaleString()}
      {shown >= MAX_ROWS && ' (older: search them)'}
    </span>
  );
}

function VerifyPanel() {
  const { verifying, verifyReport, verifyError } = useAudit();
  if (verifying || (!verifyReport && !verifyError)) return null;
  return (
    <div className="verify-panel">
      {verifyReport ? (
        <VerifyResult report={verifyReport} />
      ) : (
        <p className="verify verify--bad" role="alert">
          Could not verify: {verifyError}
        </p>
      )}
      <button
        type="button"
        className="icon-button"
        aria-label="Dismiss verification result"
        onClick={dismissVerify}
      >
        ✕
      </button>
    </div>
  );
}

function EmptyList({ searchingFor, filtered }: { searchingFor: string; filtered: boolean }) {
  const { loaded, loadError } = useAudit();
  if (loadError) return <p className="empty error">Could not load events: {loadError}</p>;
  if (searchingFor)
    return (
      <p className="empty">
        No events match “{searchingFor}”{filtered && ' with these filters'}.
      </p>
    );
  if (filtered) return <p className="empty">No events match these filters.</p>;
  if (!loaded) return null;
  return (
    <p className="empty">
      No events yet. Every action Paddock takes is recorded here: try <code>paddock doctor</code> or
      change a setting.
    </p>
  );
}

export function AuditScreen() {
  const state = useAudit();
  const { live, results, query, filters, filtersOpen, selectedSeq, expanded } = state;
  const searchBox = useRef<HTMLInputElement>(null);
  const firstFilter = useRef<HTMLSelectElement>(null);
  const rows = results ?? live;

  useLiveEvents();
  useDebouncedSearch(query, filters);
  useAuditKeys(rows, searchBox, firstFilter);

  return (
    <div className="audit">
      {/* One sticky block: the verify answer stays in view however far the list scrolls. */}
      <div className="audit-head">
        <div className="toolbar">
          <SearchBox inputRef={searchBox} />
          <FiltersButton />
          <ListCaption shown={rows.length} />
          <button
            type="button"
            className="button"
            onClick={() => void verifyChain()}
            disabled={state.verifying}
          >
            {state.verifying ? 'Verifying…' : 'Verify chain'}
          </button>
        </div>
        {filtersOpen && <AuditFilters firstRef={firstFilter} />}
        <VerifyPanel />
      </div>
      <ol className="audit-list" data-testid="audit-list" aria-label="Audit events, newest first">
        {rows.map((event) => (
          <AuditRow
            key={event.seq}
            event={event}
            selected={event.seq === selectedSeq}
            expanded={expanded.has(event.seq)}
            fresh={!results && state.firstLoadHead !== null && event.seq > state.firstLoadHead}
          />
        ))}
      </ol>
      {rows.length === 0 && (
        <EmptyList
          searchingFor={results ? query.trim() : ''}
          filtered={results !== null && filtersActive(filters)}
        />
      )}
    </div>
  );
}
