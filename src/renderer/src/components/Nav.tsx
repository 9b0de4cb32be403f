/** The left column: one link per screen, each with its shortcut. */
import { SCREENS, screenHash, useScreen } from '../store/screen';
import { InboxCount, useInboxLabel } from './inbox/InboxCount';
import { Keys } from './Keys';

export function Nav() {
  const current = useScreen((state) => state.screen);
  const openShortcuts = useScreen((state) => state.setShortcutsOpen);
  const inboxLabel = useInboxLabel();
  return (
    <aside className="sidebar">
      <div className="brand" aria-hidden="true">
        <span className="brand-mark">▚</span> Paddock
      </div>
      <nav aria-label="Screens" role="navigation">
        <ul className="nav-list">
          {SCREENS.map((screen, index) => (
            <li key={screen.id}>
              {/* Links, not buttons: the hash is the route, so they also open in a new tab. */}
              <a
                className="nav-item"
                href={screenHash(screen.id)}
                aria-current={screen.id === current ? 'page' : undefined}
                // The waiting count, in words: the badge itself is hidden from screen readers.
                aria-label={screen.id === 'inbox' ? inboxLabel : undefined}
                title={`${screen.label}: g then ${screen.key}, or Alt+${index + 1}`}
              >
                <span className="nav-label">
                  {screen.label}
                  {screen.id === 'inbox' && <InboxCount />}
                </span>
                <Keys keys={['g', screen.key]} />
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <button type="button" className="sidebar-foot" onClick={() => openShortcuts(true)}>
        <span>Keyboard shortcuts</span>
        <Keys keys={['?']} />
      </button>
    </aside>
  );
}
