/**
 * The Audit search's filters, beside the search box: project, session, a kind preset, who acted
 * and a time range. Native controls, so Tab, the arrows and Space work as everywhere; Esc leaves
 * the filters for the list.
 */
import type { RefObject } from 'react';
import { ACTORS, type Actor } from '../../../shared/audit';
import type { Project, SessionRecord } from '../../../shared/sessions';
import { escapeText } from '../escape-text';
import {
  KIND_PRESETS,
  NO_FILTERS,
  filtersActive,
  setFilters,
  toggleActor,
  useAudit,
  type AuditFilters as AuditFiltersValue,
  type KindPresetId,
} from '../store/audit';

const ACTOR_LABELS: Readonly<Record<Actor, string>> = {
  agent: 'agent (reported)',
  person: 'person',
  policy: 'policy',
  system: 'system',
};

const TASK_MAX = 48;
/** A session as one option: its id and the start of its task (the agent's words: escaped). */
function sessionLabel(id: string, task: string): string {
  const line = escapeText(task.replace(/[\t\n\r ]+/g, ' ').trim());
  if (!line) return id;
  return `${id} · ${line.length > TASK_MAX ? `${line.slice(0, TASK_MAX - 1)}…` : line}`;
}

interface FilterFormProps {
  filters: AuditFiltersValue;
  projects: readonly Project[];
  sessions: readonly SessionRecord[];
  firstRef: RefObject<HTMLSelectElement | null>;
}

export function AuditFilters({ firstRef }: { firstRef: RefObject<HTMLSelectElement | null> }) {
  const { filters, projects, sessions } = useAudit();
  return (
    <FilterForm filters={filters} projects={projects} sessions={sessions} firstRef={firstRef} />
  );
}

export function FilterForm({ filters, projects, sessions, firstRef }: FilterFormProps) {
  const shownSessions = filters.projectId
    ? sessions.filter((session) => session.projectId === filters.projectId)
    : sessions;
  return (
    <div
      className="audit-filters"
      role="group"
      aria-label="Filters"
      data-testid="audit-filters"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        (document.activeElement as HTMLElement | null)?.blur();
      }}
    >
      <label>
        Project
        <select
          ref={firstRef}
          value={filters.projectId}
          onChange={(event) => setFilters({ projectId: event.target.value })}
        >
          <option value="">Any</option>
          {projects.map((project) => (
            <option key={project.id} value={project.id}>
              {escapeText(project.name)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Session
        <select
          value={filters.sessionId}
          onChange={(event) => setFilters({ sessionId: event.target.value })}
        >
          <option value="">Any</option>
          {shownSessions.map((session) => (
            <option key={session.id} value={session.id}>
              {sessionLabel(session.id, session.task)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Kind
        <select
          value={filters.kinds}
          onChange={(event) => setFilters({ kinds: event.target.value as KindPresetId | '' })}
        >
          <option value="">Any</option>
          {KIND_PRESETS.map((preset) => (
            <option key={preset.id} value={preset.id} title={preset.kinds.join(', ')}>
              {preset.label}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="audit-actors">
        <legend>Actor</legend>
        {ACTORS.map((actor) => (
          <label key={actor}>
            <input
              type="checkbox"
              checked={filters.actors.includes(actor)}
              onChange={() => toggleActor(actor)}
            />
            {ACTOR_LABELS[actor]}
          </label>
        ))}
      </fieldset>
      <label>
        From
        <input
          type="datetime-local"
          value={filters.since}
          onChange={(event) => setFilters({ since: event.target.value })}
        />
      </label>
      <label>
        To
        <input
          type="datetime-local"
          value={filters.until}
          onChange={(event) => setFilters({ until: event.target.value })}
        />
      </label>
      <button
        type="button"
        className="link-button"
        disabled={!filtersActive(filters) && filters.actors.length > 0}
        onClick={() => setFilters(NO_FILTERS)}
      >
        Clear filters
      </button>
    </div>
  );
}
