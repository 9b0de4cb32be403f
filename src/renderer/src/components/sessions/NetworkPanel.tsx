/**
 * A session's Network view: what its agent reached through the session's proxy. A summary, the
 * hosts by bytes, the packages fetched from registries, and every connection newest first (the
 * requests inside an inspected TLS connection under it), all or refused only. Read from the audit
 * trail page by page, then followed live. Hosts, paths and rules come from the agent or quote it:
 * they are shown as escaped text, never as markup.
 */
import { Fragment, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AuditEvent } from '../../../../shared/audit';
import type { SessionRecord } from '../../../../shared/sessions';
import { api, useConnection } from '../../api/connection';
import { escapeText } from '../../escape-text';
import { errorMessage, formatTime } from '../../format';
import { setNetworkFilter, useSessions, type NetworkFilter } from '../../store/sessions';
import { EscapedText } from '../inbox/EscapedText';
import { Keys } from '../Keys';
import { Segmented, type SegmentedOption } from '../Segmented';
import {
  DECISION_LABELS,
  EMPTY_LOG,
  formatBytes,
  formatElapsed,
  hostTotals,
  MAX_ROWS,
  mergeEvents,
  NETWORK_KINDS,
  packageLines,
  summarize,
  targetOf,
  visibleRows,
  type ConnectionRow,
  type HostTotal,
  type NetDecision,
  type NetRow,
  type NetworkLog,
  type NetSummary,
  type PackageLine,
} from './network';

/** Audit events read per call, and calls at most: a session's terminal output is in there too. */
const PAGE = 1000;
const MAX_PAGES = 20;
const HOSTS_SHOWN = 6;

const FILTERS: ReadonlyArray<SegmentedOption<NetworkFilter>> = [
  { value: 'all', label: 'All' },
  { value: 'refused', label: 'Refused only' },
];

const isNetworkEvent = (event: AuditEvent) =>
  (NETWORK_KINDS as readonly string[]).includes(event.kind);

interface LogState {
  log: NetworkLog;
  loading: boolean;
  error: string | null;
  /** Reading stopped at MAX_PAGES before the session's first event. */
  olderUnread: boolean;
}

/**
 * The session's network records: live events from the moment it mounts, and the newest pages of
 * the trail, read again after every reconnect (merged by seq, so overlaps do not matter).
 */
function useNetworkLog(sessionId: string): LogState {
  const open = useConnection((state) => state.state === 'open');
  const [state, setState] = useState<LogState>({
    log: EMPTY_LOG,
    loading: true,
    error: null,
    olderUnread: false,
  });

  useEffect(
    () =>
      api.on('audit.appended', (events) => {
        const mine = events.filter(
          (event) => event.sessionId === sessionId && isNetworkEvent(event),
        );
        if (mine.length)
          setState((current) => ({ ...current, log: mergeEvents(current.log, mine, sessionId) }));
      }),
    [sessionId],
  );

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    const readPages = async () => {
      let beforeSeq: number | undefined;
      // What this reading found alone: enough once it holds more than the view shows.
      let read = EMPTY_LOG;
      for (let page = 0; page < MAX_PAGES; page++) {
        const events = await api.audit.list({
          sessionId,
          limit: PAGE,
          order: 'desc',
          ...(beforeSeq === undefined ? {} : { beforeSeq }),
        });
        if (cancelled) return;
        read = mergeEvents(read, events, sessionId);
        setState((current) => ({ ...current, log: mergeEvents(current.log, events, sessionId) }));
        const oldest = events.at(-1)?.seq;
        if (read.capped || events.length < PAGE || oldest === undefined) {
          setState((current) => ({ ...current, loading: false, olderUnread: false }));
          return;
        }
        beforeSeq = oldest;
      }
      setState((current) => ({ ...current, loading: false, olderUnread: true }));
    };
    setState((current) => ({ ...current, loading: true, error: null }));
    readPages().catch((error: unknown) => {
      if (!cancelled)
        setState((current) => ({ ...current, loading: false, error: errorMessage(error) }));
    });
    return () => {
      cancelled = true;
    };
  }, [sessionId, open]);

  return state;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function Summary({ summary }: { summary: NetSummary }) {
  const parts: ReactNode[] = [
    <>
      <strong>{summary.connections}</strong>{' '}
      {summary.connections === 1 ? 'connection' : 'connections'}: <strong>{summary.allowed}</strong>{' '}
      allowed,{' '}
      <span className={summary.refused ? 'error' : undefined}>
        <strong>{summary.refused}</strong> refused
      </span>
      {summary.other > 0 && (
        <>
          , <strong>{summary.other}</strong> failed or invalid
        </>
      )}
    </>,
    `↑ ${formatBytes(summary.bytesUp)} sent`,
    `↓ ${formatBytes(summary.bytesDown)} received`,
    `${plural(summary.packages, 'package')} fetched`,
  ];
  if (summary.exfiltrations)
    parts.unshift(
      <strong className="error" data-testid="network-exfiltrations">
        {plural(summary.exfiltrations, 'exfiltration attempt')} refused
      </strong>,
    );
  if (summary.refusedRequests)
    parts.push(
      <span className="error">
        {plural(summary.refusedRequests, 'request')} refused inside allowed connections
      </span>,
    );
  return (
    <p className="network-summary" data-testid="network-summary">
      {parts.map((part, index) => (
        <Fragment key={index}>
          {index > 0 && ' · '}
          <span>{part}</span>
        </Fragment>
      ))}
    </p>
  );
}

function DecisionBadge({ decision }: { decision: NetDecision }) {
  return (
    <span className={`state-badge net-badge net-badge--${decision}`}>
      {DECISION_LABELS[decision]}
    </span>
  );
}

/** What was asked of the host: a plain request's method and path, or what kind of tunnel it was. */
function Request({ row }: { row: ConnectionRow }) {
  if (row.method !== null)
    return (
      <span className="net-request">
        <span className="net-method">
          <EscapedText text={row.method} />
        </span>{' '}
        <EscapedText text={row.path ?? ''} />
      </span>
    );
  if (row.host === null) return null;
  if (row.inspected)
    return (
      <span className="net-request">
        <span
          className="tag net-inspected"
          title="TLS was opened and each request inside decided on its own"
        >
          inspected
        </span>
        <span className="muted">{plural(row.requests, 'request')}</span>
      </span>
    );
  return (
    <span className="net-request muted" title="A CONNECT tunnel: what passes through is not seen">
      tunnel, contents not seen
    </span>
  );
}

function Row({ row }: { row: NetRow }) {
  const time = formatTime(row.ts);
  return (
    <tr
      className={`net-row net-row--${row.kind} net-row--${row.decision}`}
      data-testid="network-row"
      data-kind={row.kind}
      data-decision={row.decision}
    >
      <td className="net-time" title={time}>
        {time.slice(11)}
      </td>
      <td>
        <DecisionBadge decision={row.decision} />
      </td>
      <td className="net-main">
        <div className="net-line">
          {row.kind === 'request' ? (
            <>
              <span className="net-sub" aria-hidden="true">
                ↳
              </span>
              <span className="tag net-inspected" title="A request inside an inspected connection">
                inspected
              </span>
              <span className="net-target">
                <EscapedText text={targetOf(row.host, row.port)} />
              </span>
              <span className="net-request">
                <span className="net-method">
                  <EscapedText text={row.method} />
                </span>{' '}
                <EscapedText text={row.path} />
              </span>
              {row.status !== null && <span className="muted">{row.status}</span>}
              {row.credentials && (
                <span
                  className="tag net-credential"
                  data-testid="network-credential"
                  title="A secret from the vault went out in this request, put in by the broker: the agent held only a placeholder"
                >
                  <EscapedText text={row.credentials} />
                </span>
              )}
            </>
          ) : (
            <>
              <span className="net-target">
                <EscapedText text={targetOf(row.host, row.port)} />
              </span>
              <Request row={row} />
            </>
          )}
          {row.exfiltration && (
            <span className="tag net-exfiltration" data-testid="network-exfiltration">
              exfiltration attempt
            </span>
          )}
        </div>
        {row.rule && (
          // What let a connection through is one line (whole on hover); why one was not, whole.
          <div
            className="net-rule"
            data-testid="network-rule"
            title={row.decision === 'allowed' ? escapeText(row.rule) : undefined}
          >
            <EscapedText text={row.rule} />
          </div>
        )}
      </td>
      <td className="net-number">{formatBytes(row.bytesUp)}</td>
      <td className="net-number">{formatBytes(row.bytesDown)}</td>
      <td className="net-number">{formatElapsed(row.durationMs)}</td>
    </tr>
  );
}

export function ConnectionsTable({ rows }: { rows: readonly NetRow[] }) {
  return (
    <table className="network-table" data-testid="network-table">
      <caption className="visually-hidden">Connections, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Decision</th>
          <th scope="col">Host, request and why</th>
          <th scope="col" className="net-number">
            <abbr title="Bytes sent">↑ sent</abbr>
          </th>
          <th scope="col" className="net-number">
            <abbr title="Bytes received">↓ received</abbr>
          </th>
          <th scope="col" className="net-number">
            Took
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <Row key={row.seq} row={row} />
        ))}
      </tbody>
    </table>
  );
}

/** The hosts with the most traffic, each as a bar of its bytes beside the busiest one. */
function Hosts({ totals }: { totals: readonly HostTotal[] }) {
  const shown = totals.slice(0, HOSTS_SHOWN);
  const most = Math.max(1, ...shown.map((total) => total.bytes));
  return (
    <section className="network-card" aria-labelledby="network-hosts-title">
      <h3 id="network-hosts-title">By host</h3>
      <ul className="network-hosts">
        {shown.map((total) => (
          <li key={total.target} className="network-host" data-testid="network-host">
            <span className="net-target" title={total.target}>
              <EscapedText text={total.target} />
            </span>
            <span className="network-host-figures">
              {formatBytes(total.bytes)} · {plural(total.connections, 'connection')}
              {total.refused > 0 && <span className="error"> · {total.refused} refused</span>}
            </span>
            <span className="network-bar" aria-hidden="true">
              <span
                style={{
                  width: total.bytes ? `max(2px, ${(total.bytes / most) * 100}%)` : 0,
                }}
              />
            </span>
          </li>
        ))}
      </ul>
      {totals.length > shown.length && (
        <p className="muted">and {plural(totals.length - shown.length, 'more host')}</p>
      )}
    </section>
  );
}

export function Packages({ lines }: { lines: readonly PackageLine[] }) {
  return (
    <section className="network-card" aria-labelledby="network-packages-title">
      <h3 id="network-packages-title">Packages fetched</h3>
      {lines.length === 0 ? (
        <p className="muted">None from npm or PyPI.</p>
      ) : (
        <ul className="network-packages" data-testid="network-packages">
          {lines.map((line) => (
            <li key={line.key} data-testid="network-package">
              <span className="tag">{line.ecosystem}</span>
              <span className="mono net-package-name">
                <EscapedText text={line.version ? `${line.name}@${line.version}` : line.name} />
              </span>
              <span className="muted">
                {line.kinds.join(', ')}
                {line.fetches > 1 && ` ×${line.fetches}`}
              </span>
              <DecisionBadge decision={line.decision} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NotWatched({ session }: { session: SessionRecord }) {
  return (
    <div className="network-panel" data-testid="network-panel">
      <p className="empty network-empty" data-testid="network-not-watched">
        {session.sandboxProfile === 'unsandboxed'
          ? 'This session runs without a sandbox, so its network is not watched: its agent reaches whatever your account can, and no connection is recorded.'
          : 'This session started before sessions had a sandbox: its network was not watched.'}
      </p>
    </div>
  );
}

function Watched({ session }: { session: SessionRecord }) {
  const filter = useSessions((state) => state.networkFilter);
  const { log, loading, error, olderUnread } = useNetworkLog(session.id);
  const summary = useMemo(() => summarize(log), [log]);
  const hosts = useMemo(() => hostTotals(log.rows), [log.rows]);
  const packages = useMemo(() => packageLines(log.packages), [log.packages]);
  const rows = visibleRows(log.rows, filter);
  const empty = log.rows.length === 0;

  return (
    <div className="network-panel" data-testid="network-panel">
      <div className="toolbar network-toolbar">
        <Summary summary={summary} />
        <Segmented
          label="Show connections"
          options={FILTERS}
          value={filter}
          onChange={setNetworkFilter}
        />
        <Keys keys={['r']} />
      </div>
      {error && (
        <p className="error network-note" role="alert">
          Could not read the session’s network records: {error}
        </p>
      )}
      {(log.capped || olderUnread) && (
        <p className="muted network-note" data-testid="network-capped">
          {log.capped
            ? `Only the newest ${MAX_ROWS} connections and requests are shown, and the totals count only these.`
            : `Only the session’s newest ${(PAGE * MAX_PAGES).toLocaleString('en')} audit events were read, and the totals count only these.`}{' '}
          The Audit screen keeps every one.
        </p>
      )}
      <div className="network-body">
        {empty ? (
          <p className="empty network-empty" data-testid="network-empty">
            {loading
              ? 'Reading the session’s network records…'
              : 'No connections yet: this session’s agent has reached nothing outside its sandbox.'}
          </p>
        ) : (
          <>
            {(hosts.length > 1 || packages.length > 0) && (
              <div className="network-overview">
                {hosts.length > 1 && <Hosts totals={hosts} />}
                <Packages lines={packages} />
              </div>
            )}
            {rows.length > 0 ? (
              <ConnectionsTable rows={rows} />
            ) : (
              <p className="empty network-empty">
                Nothing refused: every connection shown here was allowed, or failed on its own.
              </p>
            )}
          </>
        )}
      </div>
    </div>
  );
}

export function NetworkPanel({ session }: { session: SessionRecord }) {
  if (session.sandboxProfile === null || session.sandboxProfile === 'unsandboxed')
    return <NotWatched session={session} />;
  return <Watched key={session.id} session={session} />;
}
