/**
 * The preload: exposes the contract to the renderer as one function per call, and the desktop
 * bridge (native notifications, main's requests to open a screen), nothing else. It runs
 * sandboxed, so it imports only Electron and zod-free modules of the shared contract.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALLS, type CallName, type IpcBridge, type Topic } from '../shared/contract';
import {
  DESKTOP_CHANNELS,
  parseDesktopTarget,
  type DesktopBridge,
  type DesktopTarget,
} from '../shared/desktop';

const calls = Object.fromEntries(
  CALLS.map((name: CallName) => [
    name,
    (input: unknown) => ipcRenderer.invoke('paddock:call', name, input),
  ]),
) as unknown as IpcBridge['calls'];

/** Listeners per topic: main is asked for a topic once, and told when nobody listens any more. */
const listening = new Map<Topic, number>();

const bridge: IpcBridge = {
  calls,
  subscribe(topic, listener) {
    const onEvent = (_event: IpcRendererEvent, eventTopic: Topic, payload: unknown) => {
      if (eventTopic === topic) listener(payload as never);
    };
    ipcRenderer.on('paddock:event', onEvent);
    const count = (listening.get(topic) ?? 0) + 1;
    listening.set(topic, count);
    if (count === 1) ipcRenderer.send('paddock:subscribe', topic);
    return () => {
      ipcRenderer.removeListener('paddock:event', onEvent);
      const left = (listening.get(topic) ?? 1) - 1;
      listening.set(topic, left);
      if (left === 0) ipcRenderer.send('paddock:unsubscribe', topic);
    };
  },
};

/** Listens on a channel from main; only values `accept` takes reach the page. */
function listen<T>(
  channel: string,
  accept: (value: unknown) => T | null,
  listener: (value: T) => void,
) {
  const onMessage = (_event: IpcRendererEvent, value: unknown) => {
    const accepted = accept(value);
    if (accepted !== null) listener(accepted);
  };
  ipcRenderer.on(channel, onMessage);
  return () => void ipcRenderer.removeListener(channel, onMessage);
}

const desktop: DesktopBridge = {
  notify: (notification) => ipcRenderer.send(DESKTOP_CHANNELS.notify, notification),
  onNotificationClick: (listener) =>
    listen<string>(
      DESKTOP_CHANNELS.notificationClicked,
      (id) => (typeof id === 'string' ? id : null),
      listener,
    ),
  onOpen: (listener) => listen<DesktopTarget>(DESKTOP_CHANNELS.open, parseDesktopTarget, listener),
};

contextBridge.exposeInMainWorld('paddockIpc', bridge);
contextBridge.exposeInMainWorld('paddockDesktop', desktop);
