/**
 * Before a session starts on a repository whose `.paddock/policy.yaml` is not trusted: say what
 * that means, show the file (or what changed since the version trusted before), and trust exactly
 * this version on request.
 */
import { useEffect, useState } from 'react';
import { lineDiff } from '../../../../shared/line-diff';
import type { PolicyView } from '../../../../shared/policy';
import { api } from '../../api/connection';
import { errorMessage } from '../../format';

export function PolicyNotice({ project }: { project: string }) {
  const [view, setView] = useState<PolicyView | null>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [trusted, setTrusted] = useState(false);

  useEffect(() => {
    setView(null);
    setTrusted(false);
    if (!project.trim().startsWith('/')) return;
    const timer = setTimeout(() => {
      api.policy.show({ project: project.trim() }).then(setView, () => setView(null));
    }, 300);
    return () => clearTimeout(timer);
  }, [project]);

  const repository = view?.repository;
  if (!view || !repository || repository.trusted) return null;
  if (trusted)
    return <p className="policy-notice policy-notice--ok">Policy trusted for this version.</p>;
  const before = repository.trustedBefore;
  const trust = async () => {
    try {
      await api.policy.trust({ project: view.project, sha256: repository.sha256 });
      setTrusted(true);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <div className="policy-notice" data-testid="policy-notice">
      <p>
        {before
          ? 'This repository’s policy changed since you trusted it.'
          : 'This repository has a policy you have not trusted.'}{' '}
        Until you do, its allows act as asks
        {repository.workspace
          ? ' and its workspace set-up (copy files, run a command) does not run, so the session will not start'
          : ''}
        .{' '}
        <button
          type="button"
          className="button"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
        >
          {open ? 'Hide it' : before ? 'Review the changes' : 'Review it'}
        </button>
      </p>
      {open && (
        <>
          <pre className="policy-text" aria-label=".paddock/policy.yaml">
            {before
              ? lineDiff(before.text, repository.text).map((line, index) => (
                  <span
                    key={index}
                    className={`policy-line policy-line--${line.mark === '+' ? 'added' : line.mark === '-' ? 'removed' : 'same'}`}
                  >
                    {line.mark} {line.text}
                    {'\n'}
                  </span>
                ))
              : repository.text}
          </pre>
          <button type="button" className="button button--primary" onClick={() => void trust()}>
            Trust this version ({repository.sha256.slice(0, 12)}…)
          </button>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
