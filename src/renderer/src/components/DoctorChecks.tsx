/** A `doctor.run` report: one line per check, with the fix for anything not ok. */
import type { CheckStatus, DoctorReport } from '../../../shared/doctor';
import { TextWithCode } from './TextWithCode';

const MARK: Record<CheckStatus, { glyph: string; label: string }> = {
  ok: { glyph: '✓', label: 'ok' },
  warn: { glyph: '!', label: 'warning' },
  missing: { glyph: '✗', label: 'missing' },
};

export function DoctorChecks({ report }: { report: DoctorReport }) {
  return (
    <div className="doctor">
      <p className={report.ok ? 'verify verify--ok' : 'verify verify--bad'} role="status">
        {report.ok
          ? '✓ This machine can run Paddock.'
          : '✗ Paddock needs the items marked ✗ below; each says how to install it.'}
        <span className="muted mono"> · {report.platform}</span>
      </p>
      <ul className="checks" aria-label="Checks">
        {report.checks.map((check) => (
          <li key={check.id} className={`check check--${check.status}`}>
            <span className="check-mark" title={MARK[check.status].label}>
              <span aria-hidden="true">{MARK[check.status].glyph}</span>
              <span className="visually-hidden">{MARK[check.status].label}</span>
            </span>
            <span className="check-title">
              {check.title}
              {!check.required && <span className="muted"> (optional)</span>}
            </span>
            <span className="check-detail mono">{check.detail}</span>
            {check.fix && (
              <span className="check-fix">
                → <TextWithCode text={check.fix} />
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
