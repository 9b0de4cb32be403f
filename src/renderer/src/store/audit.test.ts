/**
 * The Audit search's filters: what `audit.search` is asked for from the words and the form, when
 * the list goes back to live, and that a project change drops a session of another project.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionRecord } from '../../../shared/sessions';

const fake = vi.hoisted(() => ({ search: vi.fn() }));

vi.mock('../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: { audit: { search: fake.search }, on: () => () => undefined },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const {
  KIND_PRESETS,
  NO_FILTERS,
  clearSearch,
  filtersActive,
  isSearching,
  search,
  searchInput,
  setFilters,
  setQuery,
  toggleActor,
  useAudit,
} = await import('./audit');

beforeEach(() => {
  fake.search.mockReset();
  fake.search.mockResolvedValue([]);
  useAudit.setState(useAudit.getInitialState());
});

describe('searchInput', () => {
  it('is nothing to ask without words or filters', () => {
    expect(searchInput('', NO_FILTERS)).toBeNull();
    expect(searchInput('   ', NO_FILTERS)).toBeNull();
    expect(filtersActive(NO_FILTERS)).toBe(false);
  });

  it('sends the words alone when no filter narrows', () => {
    expect(searchInput('  npm install ', NO_FILTERS)).toEqual({ text: 'npm install', limit: 200 });
  });

  it('maps every filter, and lists by filters alone without words', () => {
    const input = searchInput('', {
      projectId: 'prj_1',
      sessionId: 'ses_1234abcd',
      kinds: 'approvals',
      actors: ['person', 'policy'],
      since: '2026-01-01T10:00',
      until: '2026-01-01T11:30',
    });
    expect(input).toEqual({
      text: '',
      limit: 200,
      projectId: 'prj_1',
      sessionId: 'ses_1234abcd',
      kinds: ['approval.', 'policy.decided'],
      actors: ['person', 'policy'],
      // Local times; "to 11:30" takes in that whole minute (`until` is exclusive).
      since: new Date('2026-01-01T10:00').toISOString(),
      until: new Date('2026-01-01T11:31').toISOString(),
    });
  });

  it('maps each kind preset to kinds and prefixes', () => {
    const kinds = (id: (typeof KIND_PRESETS)[number]['id']) =>
      searchInput('', { ...NO_FILTERS, kinds: id })?.kinds;
    expect(kinds('commands')).toEqual([
      'session.exec',
      'agent.reported.tool-used',
      'hook.',
      'workspace.setup.',
    ]);
    expect(kinds('network')).toEqual(['network.', 'broker.']);
    expect(kinds('gates')).toEqual(['gates.', 'review.', 'workspace.snapshot', 'session.promoted']);
    expect(kinds('output')).toEqual(['terminal.output', 'session.exec']);
    expect(kinds('redactions')).toEqual(['redaction.applied', 'broker.exfiltration']);
    expect(kinds('dropped')).toEqual(['blob.dropped', 'audit.pruned']);
    for (const preset of KIND_PRESETS)
      for (const kind of preset.kinds) expect(kind).toMatch(/^[a-z-]+(\.[a-z-]+)*\.?$/);
  });

  it('leaves out the actors when all four are ticked, and asks nothing when none is', () => {
    expect(searchInput('x', NO_FILTERS)?.actors).toBeUndefined();
    expect(searchInput('x', { ...NO_FILTERS, actors: ['agent'] })?.actors).toEqual(['agent']);
    expect(searchInput('x', { ...NO_FILTERS, actors: [] })).toBeNull();
  });

  it('ignores a time that is not one', () => {
    expect(searchInput('x', { ...NO_FILTERS, since: 'yesterday' })).toEqual({
      text: 'x',
      limit: 200,
    });
  });
});

describe('the search state', () => {
  it('searches the words with the filters, and goes back to live when both are cleared', async () => {
    setQuery('marker');
    setFilters({ kinds: 'output' });
    await search();
    expect(fake.search).toHaveBeenLastCalledWith({
      text: 'marker',
      limit: 200,
      kinds: ['terminal.output', 'session.exec'],
    });
    expect(useAudit.getState().results).toEqual([]);

    setQuery('');
    // A filter remains: still a search, by filters alone.
    expect(isSearching(useAudit.getState())).toBe(true);
    expect(useAudit.getState().results).toEqual([]);
    clearSearch();
    expect(useAudit.getState()).toMatchObject({ query: '', filters: NO_FILTERS, results: null });
  });

  it('keeps actors in their usual order as they are ticked again', () => {
    toggleActor('agent');
    toggleActor('system');
    expect(useAudit.getState().filters.actors).toEqual(['person', 'policy']);
    toggleActor('agent');
    expect(useAudit.getState().filters.actors).toEqual(['agent', 'person', 'policy']);
  });

  it('drops a session of another project when the project changes', () => {
    const session = (id: string, projectId: string) => ({ id, projectId }) as SessionRecord;
    useAudit.setState({ sessions: [session('ses_a', 'prj_a'), session('ses_b', 'prj_b')] });
    setFilters({ sessionId: 'ses_a' });
    setFilters({ projectId: 'prj_a' });
    expect(useAudit.getState().filters.sessionId).toBe('ses_a');
    setFilters({ projectId: 'prj_b' });
    expect(useAudit.getState().filters.sessionId).toBe('');
  });

  it('shows nothing, without asking, when no actor is ticked', async () => {
    setFilters({ actors: [] });
    await search();
    expect(fake.search).not.toHaveBeenCalled();
    expect(useAudit.getState().results).toEqual([]);
  });
});
