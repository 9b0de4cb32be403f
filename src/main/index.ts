/**
 * The Electron host: a hardened window onto the same core the headless host serves. Everything
 * Paddock does lives in the Electron-free core; this file only wires windows and IPC to it (and
 * serves the CLI over the same authenticated WebSocket as `paddock serve`).
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  session,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
} from 'electron';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { paddockPaths } from './core/home';
import { openPaddock, type Paddock } from './paddock';
import {
  createIpcAdapter,
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

let running: { paddock: Paddock; core: ServedCore; ipc: IpcAdapter; server: WsServer } | null =
  null;

/** Paddock's own page, and nothing else: no other file, no other origin, no iframe. */
export function isOwnPage(url: string): boolean {
  const withoutHash = url.split('#')[0];
  if (DEV_SERVER) return withoutHash?.startsWith(new URL(DEV_SERVER).origin + '/') ?? false;
  return withoutHash === pathToFileURL(PAGE_FILE).href;
}

async function start(): Promise<void> {
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
  running = { paddock, core, ipc, server };

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
  openWindow();
}

function openWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 880,
    minHeight: 560,
    title: 'Paddock',
    show: false,
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const senderId = window.webContents.id;
  window.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) running?.ipc.forget(senderId);
  });
  window.on('closed', () => running?.ipc.forget(senderId));
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
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
}

async function stop(): Promise<void> {
  if (!running) return;
  const { paddock, core, server } = running;
  running = null;
  removeEndpoint(paddockPaths(paddock.home).endpoint);
  await server.close();
  core.detach();
  await paddock.close();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (!running) return;
    event.preventDefault();
    void stop().then(() => app.quit());
  });
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
