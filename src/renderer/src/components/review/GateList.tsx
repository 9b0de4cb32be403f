/**
 * The last gate run: its verdict, what it ran on, and every gate with what it found. Gate output,
 * paths and messages come from the agent's work, so all of it is shown escaped and whole.
 */
import type {
  GateAction,
  GateFinding,
  GateResult,
  GateRun,
  GateStatus,
  GateVerdict,
} from '../../../../shared/gates';
import { formatTime } from '../../format';
import { EscapedText } from '../inbox/EscapedText';
import { commandLine, formatMs, lineCount, plural, shortCommit } from './format';

const VERDICTS: Record<GateVerdict, string> = {
  pass: 'The gates passed',
  fail: 'The gates failed',
  'needs-signoff': 'The gates need a sign-off',
};

/** The icon repeats the colour for those who cannot see it; the word says it for everyone. */
const STATUS_ICONS: Record<GateStatus, string> = { passed: '✓', failed: '✗', error: '!' };
const STATUS_WORDS: Record<GateStatus, string> = {
  passed: 'passed',
  failed: 'failed',
  error: 'error: it could not run',
};

const ACTION_HINTS: Record<GateAction, string> = {
  block: 'A failure blocks promotion',
  warn: 'A failure only warns',
  'require-signoff': 'A failure needs a person’s sign-off',
};

function StatusBadge({ status }: { status: GateStatus }) {
  return (
    <span className={`gate-status gate-status--${status}`} data-testid="gate-status">
      <span aria-hidden="true">{STATUS_ICONS[status]} </span>
      {STATUS_WORDS[status]}
    </span>
  );
}

function Finding({ finding }: { finding: GateFinding }) {
  const place = finding.path
    ? `${finding.path}${finding.line !== undefined ? `:${finding.line}` : ''}`
    : null;
  return (
    <li className="gate-finding">
      {place && (
        <code dir="ltr">
          <EscapedText text={place} />
        </code>
      )}
      {finding.where && (
        <span className="muted">
          {' '}
          (in <EscapedText text={finding.where} />)
        </span>
      )}{' '}
      <EscapedText text={finding.message} />
    </li>
  );
}

/** What a command gate ran and how it ended. */
function CommandLine({ result }: { result: GateResult }) {
  if (!result.command?.length) return null;
  const ended =
    result.exitCode === undefined
      ? null
      : result.exitCode === null
        ? 'no exit code (killed)'
        : `exit code ${result.exitCode}`;
  return (
    <p className="gate-command">
      <code dir="ltr">
        <EscapedText text={commandLine(result.command)} />
      </code>
      {ended && <span className="muted"> · {ended}</span>}
    </p>
  );
}

/** Open when the gate did not pass: then the output is why, and the first thing to read. */
function OutputTail({ result }: { result: GateResult }) {
  if (!result.outputTail) return null;
  return (
    <details className="gate-output" open={result.status !== 'passed'}>
      <summary>Output: the last {lineCount(result.outputTail)}</summary>
      <pre dir="ltr">
        <EscapedText text={result.outputTail} crlfAsNewline />
      </pre>
    </details>
  );
}

export function GateItem({ result }: { result: GateResult }) {
  return (
    <li
      className={`gate gate--${result.status}`}
      data-testid="gate"
      data-name={result.name}
      data-status={result.status}
    >
      <div className="gate-line">
        <StatusBadge status={result.status} />
        <strong className="gate-name">
          <EscapedText text={result.name} />
        </strong>
        <span className="tag">{result.kind}</span>
        <span className={`tag gate-action--${result.action}`} title={ACTION_HINTS[result.action]}>
          action: {result.action}
        </span>
        <span className="gate-duration muted">{formatMs(result.durationMs)}</span>
      </div>
      <p className="gate-summary">
        <EscapedText text={result.summary} />
      </p>
      {result.findings.length > 0 && (
        <ul className="gate-findings" aria-label={`What ${result.name} found`}>
          {result.findings.map((finding, index) => (
            <Finding key={index} finding={finding} />
          ))}
        </ul>
      )}
      <CommandLine result={result} />
      <OutputTail result={result} />
      {result.evidenceSeq !== undefined && (
        <p className="gate-evidence muted">evidence: audit event #{result.evidenceSeq}</p>
      )}
    </li>
  );
}

function counts(results: readonly GateResult[]): string {
  const of = (status: GateStatus) => results.filter((r) => r.status === status).length;
  return [
    plural(of('passed'), 'passed', 'passed'),
    plural(of('failed'), 'failed', 'failed'),
    of('error') ? plural(of('error'), 'error', 'errors') : null,
  ]
    .filter(Boolean)
    .join(', ');
}

export function GateList({
  run,
  stale,
  signedOff = false,
}: {
  run: GateRun;
  stale: boolean;
  /** The sign-off main asks for is given (met, nothing rejects): a needs-signoff run says so. */
  signedOff?: boolean;
}) {
  const took = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  const { binding } = run;
  return (
    <section
      className={`gates gates--${run.verdict}${stale ? ' is-stale' : ''}`}
      aria-labelledby="gates-title"
      data-testid="gate-run"
      data-verdict={run.verdict}
      data-stale={stale || undefined}
    >
      <h3 id="gates-title">
        {VERDICTS[run.verdict]}
        {stale && <span className="tag tag--bad">stale</span>}
        {run.verdict === 'needs-signoff' && signedOff && !stale && (
          <span className="signoff-met signoff-met--yes" data-testid="gates-signed-off">
            <span aria-hidden="true">✓ </span>signed off
          </span>
        )}
      </h3>
      <p className="gates-meta muted">
        {counts(run.results)} · run {formatTime(run.finishedAt)}
        {Number.isFinite(took) && ` in ${formatMs(took)}`} · on{' '}
        <span className="mono">{binding.targetBranch}</span> at{' '}
        <code title={binding.targetCommit}>{shortCommit(binding.targetCommit)}</code>, work{' '}
        <code title={binding.headCommit}>{shortCommit(binding.headCommit)}</code>
        {run.merged && ' (merged)'} · evidence: audit event #{run.seq}
      </p>
      {run.results.length === 0 ? (
        <p className="muted">The policy names no gates: nothing was checked.</p>
      ) : (
        <ol className="gate-list">
          {run.results.map((result, index) => (
            <GateItem key={`${index}:${result.name}`} result={result} />
          ))}
        </ol>
      )}
    </section>
  );
}
