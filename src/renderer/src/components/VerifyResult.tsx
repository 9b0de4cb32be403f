/** The answer of `audit.verify`: the chain holds, or where it first broke. */
import type { VerifyReport } from '../../../shared/audit';

export function VerifyResult({ report }: { report: VerifyReport }) {
  const first = report.problems[0];
  if (report.ok || !first) {
    return (
      <p className="verify verify--ok" role="status">
        <span aria-hidden="true">✓</span> Chain holds: {report.events.toLocaleString()} events
        {report.sessions > 0 && ` in ${report.sessions} sessions`}, head{' '}
        <span className="mono" title={report.head}>
          {report.head.slice(0, 12)}
        </span>
        <span className="muted"> · {Math.round(report.durationMs)} ms</span>
      </p>
    );
  }
  const more = report.problems.length - 1;
  return (
    <div className="verify verify--bad" role="alert">
      <p>
        <span aria-hidden="true">✗</span> Chain broken: first broken link is{' '}
        <strong>{first.kind}</strong>
        {first.seq !== null && <> at #{first.seq}</>}
        {more > 0 && <span className="muted"> (and {more} more)</span>}
      </p>
      <p className="mono">{first.detail}</p>
    </div>
  );
}
