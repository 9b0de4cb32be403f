/** The frame: navigation, the status header, the current screen, and app-wide wiring. */
import { useEffect, useRef, type ComponentType } from 'react';
import { api, useConnection } from './api/connection';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Nav } from './components/Nav';
import { ShortcutsOverlay } from './components/ShortcutsOverlay';
import { StatusBar } from './components/StatusBar';
import { installShortcuts } from './keyboard';
import { startNotifications } from './notify';
import { AuditScreen } from './screens/AuditScreen';
import { CostsScreen } from './screens/CostsScreen';
import { InboxScreen } from './screens/InboxScreen';
import { OperatorScreen } from './screens/OperatorScreen';
import { SessionsScreen } from './screens/SessionsScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { startApprovals } from './store/approvals';
import { screenInfo, useScreen, type ScreenId } from './store/screen';
import { loadSettings, useSettings } from './store/settings';
import { loadSystemInfo, useSystem } from './store/system';
import { rememberedTheme, useTheme } from './theme';

const SCREEN_COMPONENTS: Record<ScreenId, ComponentType> = {
  sessions: SessionsScreen,
  inbox: InboxScreen,
  audit: AuditScreen,
  costs: CostsScreen,
  operator: OperatorScreen,
  settings: SettingsScreen,
};

/**
 * Asks main for what the frame needs each time the connection (re)opens: over the WebSocket a
 * call made before then is refused, and after a reconnect the values may have changed.
 */
function useFrameData() {
  const open = useConnection((state) => state.state === 'open');
  useEffect(() => {
    if (!open) return;
    void loadSystemInfo();
    void loadSettings();
  }, [open]);
  // A setting changed elsewhere (the CLI, another window) is an audit event: follow it here too.
  useEffect(
    () =>
      api.on('audit.appended', (events) => {
        if (events.some((event) => event.kind === 'settings.changed')) void loadSettings();
      }),
    [],
  );
}

/** Tells the benchmark and the end-to-end tests that the app is usable. */
function useReadyFlag() {
  const info = useSystem((state) => state.info);
  useEffect(() => {
    if (info) document.documentElement.dataset.ready = 'true';
  }, [info]);
}

/** Moves focus to the new screen's title, so keyboard and screen-reader users land on it. */
function useFocusOnScreenChange(screen: ScreenId) {
  const shown = useRef(screen);
  useEffect(() => {
    if (shown.current === screen) return;
    shown.current = screen;
    document.getElementById('screen-title')?.focus({ preventScroll: true });
  }, [screen]);
}

export function App() {
  const screen = useScreen((state) => state.screen);
  const shortcutsOpen = useScreen((state) => state.shortcutsOpen);
  const theme = useSettings((state) => state.values?.['ui.theme']) ?? rememberedTheme();
  const Screen = SCREEN_COMPONENTS[screen];

  useEffect(installShortcuts, []);
  // For the whole app, not the Inbox screen: the count and the notifications work everywhere.
  useEffect(startApprovals, []);
  useEffect(() => startNotifications(), []);
  useFrameData();
  useReadyFlag();
  useTheme(theme);
  useFocusOnScreenChange(screen);

  return (
    <div className="app">
      <Nav />
      <div className="main-column">
        <StatusBar title={screenInfo(screen).label} />
        <ConnectionBanner />
        <main role="main" className={`screen screen--${screen}`} aria-labelledby="screen-title">
          <Screen />
        </main>
      </div>
      {shortcutsOpen && <ShortcutsOverlay />}
    </div>
  );
}
