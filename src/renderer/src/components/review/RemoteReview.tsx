/**
 * Review by someone without access to this machine: the change goes out as a review bundle (a
 * download), they sign it with the CLI, and their signed statement comes back in through a file
 * picker. What an import took in is shown as main checked it: whether the statement counts here.
 */
import type { ChangeEvent } from 'react';
import type { ReviewImport } from '../../../../shared/contract';
import {
  bundleFileName,
  exportForReview,
  importReviewFile,
  type SessionReview,
} from '../../store/review';
import { EscapedText } from '../inbox/EscapedText';
import { Keys } from '../Keys';
import { shortFingerprint } from './format';

/** What came back from an import, in words. */
function ImportResult({ imported, sessionId }: { imported: ReviewImport; sessionId: string }) {
  if (imported.kind === 'bundle')
    return (
      <p className="review-imported" data-testid="review-imported">
        That file is a review bundle, of <span className="mono">{imported.sessionId}</span> (
        <EscapedText text={imported.task} />, onto{' '}
        <span className="mono">
          <EscapedText text={imported.targetBranch} />
        </span>
        ): it is taken in for signing on this machine, with{' '}
        <code>paddock review sign {imported.sessionId} --approve --out FILE</code>.
      </p>
    );
  const { check } = imported;
  const elsewhere = imported.sessionId !== sessionId;
  return (
    <p className="review-imported" data-testid="review-imported">
      Took in <EscapedText text={check.signer.name} />
      ’s {check.decision === 'approve' ? 'approval' : 'rejection'}{' '}
      <code title={check.signer.fingerprint}>{shortFingerprint(check.signer.fingerprint)}</code>
      {elsewhere && (
        <>
          {' '}
          of another session, <span className="mono">{imported.sessionId}</span>
        </>
      )}
      :{' '}
      {check.counts ? (
        <span className="signoff-counts signoff-counts--yes">it counts.</span>
      ) : (
        <span className="signoff-counts signoff-counts--no">
          it does not count: <EscapedText text={check.why} />.
        </span>
      )}
    </p>
  );
}

/**
 * Hands the chosen file to the store, which reads it for main. No `accept` filter on the picker:
 * `--out FILE` names the statement anything. The picker is cleared so the same file can be taken
 * in again.
 */
async function importChosenFile(sessionId: string, event: ChangeEvent<HTMLInputElement>) {
  const input = event.currentTarget;
  const file = input.files?.[0];
  input.value = '';
  if (file) await importReviewFile(sessionId, file);
}

export function RemoteReview(props: {
  sessionId: string;
  review: SessionReview;
  /** Why export cannot be done now, or null. */
  exportBlocked: string | null;
}) {
  const { sessionId, review, exportBlocked } = props;
  const { exchanging, imported } = review;
  const file = bundleFileName(sessionId);
  return (
    <section className="review-remote" aria-labelledby="remote-title" data-testid="review-remote">
      <h3 id="remote-title">Review on another machine</h3>
      <p className="muted" id="remote-how">
        Export the change as a review bundle and send the file to the reviewer. They run{' '}
        <code>paddock review import {file}</code>, read it, then{' '}
        <code>paddock review sign {sessionId} --approve --out FILE</code> (or{' '}
        <code>--reject --reason TEXT</code>) and send FILE back. Take their signed statement in
        here, or with <code>paddock review import FILE</code>.
      </p>
      <div className="review-remote-actions">
        <button
          type="button"
          className="button"
          disabled={exportBlocked !== null}
          title={exportBlocked ?? undefined}
          aria-describedby="remote-how"
          aria-busy={exchanging === 'export' || undefined}
          data-testid="review-export"
          onClick={() => void exportForReview(sessionId)}
        >
          {exchanging === 'export' ? 'Exporting…' : 'Export for review'} <Keys keys={['e']} />
        </button>
        <label className="review-import">
          Import a statement:{' '}
          <input
            type="file"
            disabled={exchanging === 'import'}
            aria-busy={exchanging === 'import' || undefined}
            data-testid="review-import"
            onChange={(event) => void importChosenFile(sessionId, event)}
          />
        </label>
        {exchanging === 'import' && <span role="status">Taking it in…</span>}
      </div>
      {imported && <ImportResult imported={imported} sessionId={sessionId} />}
    </section>
  );
}
