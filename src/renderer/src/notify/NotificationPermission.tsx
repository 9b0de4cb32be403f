/**
 * Whether this browser lets Paddock show notifications, with a button to ask: a click is the
 * user gesture browsers want before they ask. In Electron the desktop sink needs no permission,
 * so nothing shows there.
 */
import { useState } from 'react';
import { askNotificationPermission, browserNotificationApi } from './web-sink';

export function NotificationPermission() {
  const notificationApi = browserNotificationApi();
  const [permission, setPermission] = useState(notificationApi?.permission);
  if (window.paddockIpc) return null;
  if (!notificationApi)
    return (
      <p className="help">This browser cannot show notifications; the inbox count still shows.</p>
    );
  if (permission === 'granted')
    return <p className="help">This browser shows Paddock’s notifications.</p>;
  if (permission === 'denied')
    return (
      <p className="help">
        This browser blocks Paddock’s notifications: allow them in the site’s settings (the icon
        left of the address).
      </p>
    );
  return (
    <p className="help">
      This browser has not been asked yet: it asks at your first click after something notifies, or{' '}
      <button
        type="button"
        className="button"
        onClick={() =>
          void askNotificationPermission().then(
            (answer) => answer !== 'unsupported' && setPermission(answer),
          )
        }
      >
        ask now
      </button>
      .
    </p>
  );
}
