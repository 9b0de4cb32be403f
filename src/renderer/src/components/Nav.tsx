/** The left column: one link per screen, each with its shortcut. */
import { SCREENS, screenHash, useScreen } from '../store/screen';
import { Keys } from './Keys';

export function Nav() {
  const current = useScreen((state) => state.screen);
  const openShortcuts = useScreen((state) => state.setShortcutsOpen);
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
                title={`${screen.label}: g then ${screen.key}, or Alt+${index + 1}`}
              >
                <span>{screen.label}</span>
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
