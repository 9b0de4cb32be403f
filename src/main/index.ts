/**
 * The Electron host: a hardened window onto the same core the headless host serves, a tray that
 * shows what runs and what waits, native notifications, and a clean exit on every path. What
 * Paddock does lives in the Electron-free core, and what the desktop app decides (the tray's state,
 * pause all, the question before quitting, the shutdown) in `./desktop`; this file only turns
 * those into Electron's windows, tray, menus, dialogs and IPC (and serves the CLI over the same
 * authenticated WebSocket as `paddock serve`).
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  session,
  shell,
  Tray,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
} from 'electron';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DESKTOP_CHANNELS, parseDesktopNotification, type DesktopTarget } from '../shared/desktop';
import { paddockPaths } from './core/home';
import { SQLITE_BINDING_ENV } from './core/store';
import { DesktopHost, externalLink, type TrayAction, type TrayState } from './desktop';
import { openPaddock, type Paddock } from './paddock';
import {
  createIpcAdapter,
  fromOwnPage,
  removeEndpoint,
  serveCore,
  startWsServer,
  writeEndpoint,
  type IpcAdapter,
  type ServedCore,
  type WsServer,
} from './transport';

const PAGE_FILE = join(__dirname, '..', 'renderer', 'index.html');
/** Set by `electron-vite dev` only. */
const DEV_SERVER = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

interface Running {
  paddock: Paddock;
  core: ServedCore;
  ipc: IpcAdapter;
  server: WsServer;
  host: DesktopHost;
  tray: Tray | null;
}

let running: Running | null = null;
let mainWindow: BrowserWindow | null = null;
/** Set once the person has agreed to quit (or nothing ran): closing the window then really closes. */
let quitting = false;
let toldAboutTray = false;

/** Paddock's own page, and nothing else: no other file, no other origin, no iframe. */
export function isOwnPage(url: string): boolean {
  const withoutHash = url.split('#')[0];
  if (DEV_SERVER) return withoutHash?.startsWith(new URL(DEV_SERVER).origin + '/') ?? false;
  return withoutHash === pathToFileURL(PAGE_FILE).href;
}

/** Icons and other files shipped beside the app (resources/ in the checkout). */
function resource(...parts: string[]): string {
  return app.isPackaged
    ? join(process.resourcesPath, ...parts)
    : join(app.getAppPath(), 'resources', ...parts);
}

/**
 * better-sqlite3 built for Electron's ABI (scripts/rebuild-electron-native.mjs), kept apart from
 * the Node build the CLI and the tests load. Without it the store cannot open in Electron.
 */
function sqliteBinding(): string | undefined {
  const file = app.isPackaged
    ? join(process.resourcesPath, 'native', 'better_sqlite3.node')
    : join(app.getAppPath(), 'build', 'native', 'electron', 'better_sqlite3.node');
  return existsSync(file) ? file : undefined;
}

async function start(): Promise<void> {
  const binding = sqliteBinding();
  if (binding) process.env[SQLITE_BINDING_ENV] = binding;
  const paddock = openPaddock({ lockCommand: 'Paddock desktop app' });
  const core = serveCore(paddock, 'desktop');
  const ipc = createIpcAdapter({ ...core, isTrustedUrl: isOwnPage });
  const token = randomBytes(32).toString('hex');
  const server = await startWsServer({ ...core, token, staticDir: null });
  writeEndpoint(paddockPaths(paddock.home).endpoint, {
    version: 1,
    host: 'desktop',
    pid: process.pid,
    port: server.port,
    token,
    url: server.url,
    startedAt: new Date().toISOString(),
  });
  const host = new DesktopHost({
    sessions: paddock.sessions,
    approvals: paddock.approvals,
    store: paddock.store,
    person: paddock.person,
    close: async () => {
      removeEndpoint(paddockPaths(paddock.home).endpoint);
      await server.close();
      core.detach();
      await paddock.close();
    },
  });
  running = { paddock, core, ipc, server, host, tray: null };
  wireContract(ipc);
  wireDesktopChannels();
  running.tray = createTray(host);
  mainWindow = openWindow(host);
  exposeForTests(host);
}

/**
 * For the Electron end-to-end test only (PADDOCK_TEST_HOOKS=1): the tray's state and menu, which
 * Electron offers no way to read back.
 */
function exposeForTests(host: DesktopHost): void {
  if (process.env.PADDOCK_TEST_HOOKS !== '1') return;
  Object.assign(globalThis, {
    paddockTestHooks: { trayState: () => host.trayState(), hasTray: () => !!running?.tray },
  });
}

function wireContract(ipc: IpcAdapter): void {
  ipcMain.handle('paddock:call', (event: IpcMainInvokeEvent, name: unknown, input: unknown) =>
    ipc.call(event, name, input),
  );
  ipcMain.on('paddock:subscribe', (event: IpcMainEvent, topic: unknown) => {
    const sender = event.sender;
    ipc.subscribe(event, topic, (eventTopic, payload) => {
      if (!sender.isDestroyed()) sender.send('paddock:event', eventTopic, payload);
    });
  });
  ipcMain.on('paddock:unsubscribe', (event: IpcMainEvent, topic: unknown) =>
    ipc.unsubscribe(event, topic),
  );
}

/** Native notifications for the window: checked like every message from the page. */
function wireDesktopChannels(): void {
  ipcMain.on(DESKTOP_CHANNELS.notify, (event: IpcMainEvent, value: unknown) => {
    if (!fromOwnPage(event, isOwnPage) || !Notification.isSupported()) return;
    const notification = parseDesktopNotification(value);
    if (!notification) return;
    const shown = new Notification({
      title: notification.title,
      body: notification.body,
      icon: resource('icons', 'icon-256.png'),
    });
    const sender = event.sender;
    shown.on('click', () => {
      showWindow();
      if (!sender.isDestroyed()) sender.send(DESKTOP_CHANNELS.notificationClicked, notification.id);
    });
    shown.show();
  });
}

function createTray(host: DesktopHost): Tray {
  const tray = new Tray(trayIcon('idle'));
  const update = (state: TrayState) => {
    tray.setImage(trayIcon(state.variant));
    tray.setToolTip(state.tooltip);
    if (process.platform === 'darwin') tray.setTitle(state.badge > 0 ? String(state.badge) : '');
    app.setBadgeCount(state.badge);
    tray.setContextMenu(Menu.buildFromTemplate(menuOf(state, host)));
  };
  update(host.trayState());
  host.onTrayChange(update);
  tray.on('click', showWindow);
  return tray;
}

function trayIcon(variant: TrayState['variant']) {
  const image = nativeImage.createFromPath(resource('icons', `tray-${variant}.png`));
  // macOS draws a template image in the menu bar's own colours (light or dark).
  if (process.platform === 'darwin') image.setTemplateImage(variant !== 'attention');
  return image;
}

function menuOf(state: TrayState, host: DesktopHost): MenuItemConstructorOptions[] {
  return state.menu.flatMap((item) => [
    ...(item.separatorBefore ? [{ type: 'separator' as const }] : []),
    {
      label: item.label,
      enabled: item.enabled,
      click: item.action ? () => onTrayAction(item.action as TrayAction, host) : undefined,
    },
  ]);
}

function onTrayAction(action: TrayAction, host: DesktopHost): void {
  if (action.kind === 'open') showWindow();
  else if (action.kind === 'approval') openInWindow({ screen: 'inbox', id: action.id });
  else if (action.kind === 'inbox') openInWindow({ screen: 'inbox' });
  else if (action.kind === 'pause-all') {
    const { failed } = host.pauseAll();
    if (failed.length > 0)
      dialog.showErrorBox(
        'Some sessions could not be paused',
        failed.map((session) => `${session.id}: ${session.reason}`).join('\n'),
      );
  } else app.quit();
}

function showWindow(): void {
  const window = mainWindow && !mainWindow.isDestroyed() ? mainWindow : null;
  if (!window) {
    if (running) mainWindow = openWindow(running.host);
    return;
  }
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

function openInWindow(target: DesktopTarget): void {
  showWindow();
  mainWindow?.webContents.send(DESKTOP_CHANNELS.open, target);
}

function openWindow(host: DesktopHost): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 880,
    minHeight: 560,
    title: 'Paddock',
    icon: resource('icons', 'icon-256.png'),
    show: false,
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.js'), // eng-disable PRELOAD_JS_CHECK -- it exposes only the typed contract and the desktop bridge, each message checked in main
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A middle click would otherwise open a link in a new window of its own.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const senderId = window.webContents.id;
  window.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) running?.ipc.forget(senderId);
  });
  window.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return;
    // On the record, then a fresh page; the sessions live in main and never noticed.
    host.rendererGone({ reason: details.reason, exitCode: details.exitCode });
    running?.ipc.forget(senderId);
    window.reload();
  });
  // Closing the window keeps Paddock in the tray while something runs or waits.
  window.on('close', (event) => {
    if (quitting || host.quitQuestion() === null) return;
    event.preventDefault();
    window.hide();
    if (!toldAboutTray && Notification.isSupported()) {
      toldAboutTray = true;
      new Notification({
        title: 'Paddock is still running',
        body: 'Your sessions keep going. Open Paddock again from the tray icon; quit from its menu.',
      }).show();
    }
  });
  window.on('closed', () => {
    running?.ipc.forget(senderId);
    if (mainWindow === window) mainWindow = null;
  });
  window.once('ready-to-show', () => window.show());
  void (DEV_SERVER ? window.loadURL(DEV_SERVER) : window.loadFile(PAGE_FILE));
  return window;
}

/** Every web contents: no navigation away, no new windows, no webviews, no permissions. */
function harden(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isOwnPage(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // A link the page opens (target=_blank) goes to the person's browser if it is http(s).
    contents.setWindowOpenHandler(({ url }) => {
      const link = externalLink(url);
      if (link) void shell.openExternal(link); // eng-disable OPEN_EXTERNAL_JS_CHECK -- externalLink lets http(s) only through, without credentials
      return { action: 'deny' };
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
  // Nothing but Paddock's own page and its own loopback host is ever fetched.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !isAllowedRequest(details.url) }),
  );
}

function isAllowedRequest(url: string): boolean {
  // Paddock's own page builds these itself (a CSV to save, an inline image).
  if (/^(devtools|blob|data):/.test(url)) return true;
  if (DEV_SERVER) return url.startsWith(new URL(DEV_SERVER).origin + '/') || url.startsWith('ws:');
  return url.startsWith(pathToFileURL(join(__dirname, '..', 'renderer')).href + '/');
}

/** Asks first when sessions run, then shuts down once and exits. */
async function quit(reason: string, ask: boolean): Promise<void> {
  const host = running?.host;
  if (!host) return app.exit(0);
  const question = ask ? host.quitQuestion() : null;
  if (question) {
    const { response } = await dialog.showMessageBox({
      type: 'question',
      buttons: ['Stop sessions and quit', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: question.message,
      detail: question.detail,
    });
    if (response !== 0) return;
  }
  quitting = true;
  try {
    await host.shutdown(reason);
  } finally {
    app.exit(0);
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  // The window is gone only when nothing ran (see its close handler): then quit.
  app.on('window-all-closed', () => void quit('last window closed', false));
  app.on('before-quit', (event) => {
    if (quitting || !running) return;
    event.preventDefault();
    void quit('quit', true);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void quit(signal, false));
  void app.whenReady().then(async () => {
    harden();
    try {
      await start();
    } catch (error) {
      dialog.showErrorBox('Paddock cannot start', (error as Error).message);
      app.exit(1);
    }
  });
}
