/** The header: the screen's title, and always where this window is connected, as whom. */
import type { ConnectionState } from '../../../shared/contract/ws-client';
import { useConnection } from '../api/connection';
import { useSystem } from '../store/system';

type Transport = 'ipc' | 'websocket';

const TONE: Record<ConnectionState, 'ok' | 'pending' | 'bad'> = {
  open: 'ok',
  connecting: 'pending',
  reconnecting: 'pending',
  closed: 'bad',
  unauthorized: 'bad',
};

function connectionLabel(state: ConnectionState, transport: Transport): string {
  switch (state) {
    case 'open':
      return transport === 'ipc'
        ? 'Connected over IPC'
        : 'Connected over WebSocket to headless host';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'closed':
      return 'Disconnected';
    case 'unauthorized':
      return 'Not authorized';
  }
}

function connectionTitle(state: ConnectionState, transport: Transport): string {
  const how = transport === 'ipc' ? 'Electron IPC' : `a WebSocket to ${window.location.host}`;
  return state === 'open' ? `Talking to Paddock over ${how}` : `Paddock over ${how}: ${state}`;
}

export function StatusBar({ title }: { title: string }) {
  const { state, transport } = useConnection();
  const info = useSystem((store) => store.info);
  return (
    <header className="app-header">
      <h1 id="screen-title" tabIndex={-1}>
        {title}
      </h1>
      <div className="status">
        <span
          className={`connection connection--${TONE[state]}`}
          role="status"
          title={connectionTitle(state, transport)}
        >
          <span className="dot" aria-hidden="true" />
          {connectionLabel(state, transport)}
        </span>
        {info && (
          <>
            <span className="status-item mono" title={`Paddock home: ${info.home}`}>
              v{info.version}
            </span>
            <span className="status-item" title="Your actions are recorded under this name">
              {info.person}
            </span>
          </>
        )}
      </div>
    </header>
  );
}
