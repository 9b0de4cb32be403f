/**
 * The timeline and the Audit filters rendered to HTML in Node (no DOM here): an entry's words,
 * the agent's reports marked, untrusted text escaped, an opened entry's detail, what a dropped
 * blob's tombstone says, and the filter form. Scrolling, focus and loading need a browser: the
 * end-to-end test covers them.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent, JsonObject } from '../../../../shared/audit';
import { proxyEvent, textOf } from '../../test-support';

vi.mock('../../api/connection', async () => {
  const { create } = await import('zustand');
  return {
    api: { audit: { list: vi.fn(), blob: vi.fn(), search: vi.fn() }, on: () => () => undefined },
    useConnection: create(() => ({ state: 'open', detail: null, transport: 'websocket' })),
  };
});

const { TimelineRow } = await import('./TimelineRow');
const { EntryDetail } = await import('./EntryDetail');
const { DroppedNote } = await import('./BlobContent');
const { appendEntries } = await import('./entries');
const { FilterForm } = await import('../AuditFilters');
const { AuditRow } = await import('../AuditRow');
const { NO_FILTERS } = await import('../../store/audit');

function event(seq: number, kind: string, payload: JsonObject, actor: AuditEvent['actor']) {
  return {
    ...proxyEvent(seq, kind, payload),
    actor,
    actorId: actor === 'agent' ? 'claude' : 'ada',
  };
}

function row(ev: AuditEvent, overrides: { expanded?: boolean; recordingMs?: number | null } = {}) {
  const [entry] = appendEntries([], [ev]);
  if (!entry) throw new Error('no entry');
  return renderToStaticMarkup(
    <TimelineRow
      entry={entry}
      sessionId="ses_1234abcd"
      position={3}
      count={10}
      offsetMs={62_000}
      recordingMs={overrides.recordingMs ?? null}
      selected={false}
      expanded={overrides.expanded ?? false}
      tabbable={false}
    />,
  );
}

const HOSTILE = 'rm -rf ~ <img src=x onerror=alert(1)> \u202Etxt.exe';

describe('a timeline entry', () => {
  it('names its category in words, with the time, how far in, who, and what happened', () => {
    const html = row(
      event(5, 'approval.decided', { allow: false, waitedMs: 4000, reason: 'no' }, 'person'),
    );
    expect(html).toContain('data-category="approval"');
    expect(html).toContain('aria-posinset="3"');
    expect(html).toContain('aria-setsize="10"');
    const text = textOf(html);
    expect(text).toContain('Approval');
    expect(text).toContain('+1:02');
    expect(text).toContain('person: ada');
    expect(text).toContain('Denied by person ada · after 4 s · “no”');
    expect(text).not.toContain('reported by the agent');
  });

  it('marks what the agent reported, and escapes what it said', () => {
    const html = row(event(6, 'agent.reported.prompt', { detail: HOSTILE }, 'agent'));
    expect(html).toContain('data-reported="true"');
    expect(textOf(html)).toContain('reported by the agent');
    expect(html).not.toContain('<img');
    expect(textOf(html)).toContain('<U+202E>txt.exe');
    expect(html).not.toContain('\u202E');
  });

  it('opens to its detail: the note, the fields and the payload as escaped JSON', () => {
    const html = row(event(6, 'agent.reported.prompt', { detail: HOSTILE }, 'agent'), {
      expanded: true,
      recordingMs: 5000,
    });
    const text = textOf(html);
    expect(text).toContain('Reported by the agent: Paddock did not observe this');
    expect(text).toContain('agent.reported.prompt');
    expect(text).toContain('"detail": "rm -rf ~ <img src=x onerror=alert(1)> <U+202E>txt.exe"');
    expect(html).not.toContain('<img');
    expect(text).toContain('Play from here +0:05');
  });

  it('offers no replay for a moment outside any recording', () => {
    const html = row(event(2, 'session.created', { task: 'fix it' }, 'person'), {
      expanded: true,
    });
    expect(textOf(html)).not.toContain('Play from here');
  });

  it('reads a command’s output when opened', () => {
    const exec = {
      ...event(7, 'session.exec', { argv: ['npm', 'test'], exitCode: 0 }, 'person'),
      blobs: ['a'.repeat(64)],
    };
    const [entry] = appendEntries([], [exec]);
    if (!entry) throw new Error('no entry');
    const html = renderToStaticMarkup(
      <EntryDetail entry={entry} sessionId="ses_1234abcd" recordingMs={null} />,
    );
    expect(textOf(html)).toContain('Reading the command’s output…');
    expect(textOf(html)).toContain(`blob${'a'.repeat(64)}`);
  });

  it('shows a run of output chunks as one entry with its total', () => {
    const chunks = [1, 2, 3].map((seq) => ({
      ...event(
        seq,
        'terminal.output',
        { bytes: 1024, startMs: seq * 100, endMs: seq * 100 },
        'system',
      ),
      blobs: [String(seq).repeat(64)],
    }));
    const [entry] = appendEntries([], chunks);
    if (!entry) throw new Error('no entry');
    const html = renderToStaticMarkup(
      <TimelineRow
        entry={entry}
        sessionId="ses_1234abcd"
        position={1}
        count={1}
        offsetMs={0}
        recordingMs={100}
        selected
        expanded
        tabbable
      />,
    );
    const text = textOf(html);
    expect(text).toContain('Output: 3.0 KiB · 3 chunks · over 200 ms');
    expect(text).toContain('#1 to #3 (3 chunks)');
    expect(text).toContain('Reading the output…');
    expect(html).toContain('tabindex="0"');
  });
});

describe('dropped content', () => {
  it('says when it was dropped, by whom and why, naming the tombstone', () => {
    const tombstone = {
      ...event(
        90,
        'blob.dropped',
        { hash: 'b'.repeat(64), reason: 'retention: older than 30 days', bytes: 10 },
        'system',
      ),
      actorId: 'retention',
      ts: '2026-02-01T03:00:00.000Z',
    };
    const text = textOf(
      renderToStaticMarkup(<DroppedNote hash={'b'.repeat(64)} tombstone={tombstone} />),
    );
    expect(text).toContain('This content (blob bbbbbbbbbbbb) was dropped on');
    expect(text).toContain('2026-02-01');
    expect(text).toContain('by system retention: retention: older than 30 days');
    expect(text).toContain('(tombstone #90)');
  });

  it('says so when no tombstone declares the drop', () => {
    const text = textOf(
      renderToStaticMarkup(<DroppedNote hash={'c'.repeat(64)} tombstone={null} />),
    );
    expect(text).toContain('no tombstone declares it dropped: verify the chain');
  });
});

describe('the Audit screen’s filters and rows', () => {
  it('offers projects, sessions, kinds, actors and times', () => {
    const html = renderToStaticMarkup(
      <FilterForm
        filters={{ ...NO_FILTERS, actors: ['person', 'system'], kinds: 'network' }}
        projects={[{ id: 'prj_1', name: 'app', path: '/a', addedAt: '', lastPreset: null }]}
        sessions={[
          { id: 'ses_1234abcd', projectId: 'prj_1', task: 'fix the\ntest \u202E' } as never,
        ]}
        firstRef={{ current: null }}
      />,
    );
    const text = textOf(html);
    expect(text).toContain('app');
    expect(text).toContain('ses_1234abcd · fix the test <U+202E>');
    expect(text).toContain('Approvals');
    expect(text).toContain('Gates and review');
    expect(html).toMatch(/<option value="network" [^>]*selected=""/);
    expect(html.match(/type="checkbox" checked=""/g)).toHaveLength(2);
    expect(html.match(/type="datetime-local"/g)).toHaveLength(2);
  });

  it('links a session’s event into its timeline, and not an event outside sessions', () => {
    const inSession = renderToStaticMarkup(
      <AuditRow
        event={event(4, 'session.exec', {}, 'person')}
        selected={false}
        expanded={false}
        fresh={false}
      />,
    );
    expect(inSession).toContain('data-testid="audit-open-timeline"');
    expect(inSession).toContain('timeline at event #4');
    const outside = renderToStaticMarkup(
      <AuditRow
        event={{ ...event(5, 'settings.changed', {}, 'person'), sessionId: null }}
        selected={false}
        expanded={false}
        fresh={false}
      />,
    );
    expect(outside).not.toContain('audit-open-timeline');
  });
});
