/**
 * The preload: exposes the contract to the renderer as one function per call, nothing else. It runs
 * sandboxed, so it imports only Electron and the zod-free list of names.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALLS, type CallName, type IpcBridge, type Topic } from '../shared/contract';

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

contextBridge.exposeInMainWorld('paddockIpc', bridge);
