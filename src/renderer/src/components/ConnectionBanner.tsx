/**
 * Says what to do when this window cannot reach Paddock. Only the WebSocket can drop or be refused;
 * in Electron the IPC is always there.
 */
import { useConnection } from '../api/connection';
import { TextWithCode } from './TextWithCode';

function Unauthorized({ detail }: { detail: string | null }) {
  return (
    <div className="banner banner--bad" role="alert">
      <strong>Paddock refused this page.</strong>{' '}
      <TextWithCode text={detail ?? 'Its access token is missing or no longer valid.'} />
      {/* connection.ts may already have said where the address is; say it once. */}
      {!detail?.includes('paddock serve') && (
        <p>
          <TextWithCode text="Open the address that `paddock serve` printed in its terminal: it carries the token. If that terminal is gone, start `paddock serve` again and open the new address." />
        </p>
      )}
    </div>
  );
}

function Closed({ detail }: { detail: string | null }) {
  return (
    <div className="banner banner--bad" role="alert">
      <strong>The connection to Paddock closed.</strong> {detail && <TextWithCode text={detail} />}
      <p>
        <TextWithCode text="Start Paddock again (`paddock serve`, or the desktop app), then reload this page." />{' '}
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </p>
    </div>
  );
}

function Reconnecting() {
  return (
    <div className="banner banner--pending" role="status">
      <strong>Lost the connection to Paddock; retrying…</strong>{' '}
      <TextWithCode text="Nothing you see updates until it is back. Check that `paddock serve` is still running." />
    </div>
  );
}

export function ConnectionBanner() {
  const { state, detail } = useConnection();
  if (state === 'unauthorized') return <Unauthorized detail={detail} />;
  if (state === 'closed') return <Closed detail={detail} />;
  if (state === 'reconnecting') return <Reconnecting />;
  return null;
}
