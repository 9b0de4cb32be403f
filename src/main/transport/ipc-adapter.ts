/**
 * The contract over Electron IPC, without importing Electron: the host passes Electron's event
 * objects in, and this checks who sent each message before the router sees it. Only the main frame
 * of Paddock's own page may call; an iframe, a navigated-away page or another window may not.
 */
import {
  ContractError,
  isTopic,
  type CallResult,
  type Topic,
  type TopicPayload,
} from '../../shared/contract';
import type { EventHub } from './event-hub';
import type { Router } from './router';

/** The parts of Electron's IpcMainEvent / IpcMainInvokeEvent this needs. */
export interface IpcCallEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcAdapterOptions {
  router: Router;
  hub: EventHub;
  /** Whether a URL is Paddock's own page (the packaged file or the dev server). */
  isTrustedUrl: (url: string) => boolean;
}

export interface IpcAdapter {
  call(event: IpcCallEvent, name: unknown, input: unknown): Promise<CallResult>;
  subscribe(
    event: IpcCallEvent,
    topic: unknown,
    send: <T extends Topic>(topic: T, payload: TopicPayload<T>) => void,
  ): boolean;
  unsubscribe(event: IpcCallEvent, topic: unknown): void;
  /** Drops every subscription of a window that closed or reloaded. */
  forget(senderId: number): void;
}

/** Whether a message comes from the main frame of Paddock's own page (every channel checks it). */
export function fromOwnPage(event: IpcCallEvent, isTrustedUrl: (url: string) => boolean): boolean {
  return (
    event.senderFrame !== null &&
    event.senderFrame.parent === null &&
    isTrustedUrl(event.senderFrame.url)
  );
}

export function createIpcAdapter(options: IpcAdapterOptions): IpcAdapter {
  const subscriptions = new Map<number, Map<Topic, () => void>>();
  const trusted = (event: IpcCallEvent): boolean => fromOwnPage(event, options.isTrustedUrl);

  return {
    async call(event, name, input) {
      if (!trusted(event)) {
        return {
          ok: false,
          error: new ContractError(
            'unauthorized',
            'This frame is not Paddock’s own page.',
          ).toShape(),
        };
      }
      return options.router.handle(name, input);
    },
    subscribe(event, topic, send) {
      if (!trusted(event) || !isTopic(topic)) return false;
      let mine = subscriptions.get(event.sender.id);
      if (!mine) subscriptions.set(event.sender.id, (mine = new Map()));
      if (!mine.has(topic))
        mine.set(
          topic,
          options.hub.subscribe(topic, (payload) => send(topic, payload)),
        );
      return true;
    },
    unsubscribe(event, topic) {
      if (!isTopic(topic)) return;
      subscriptions.get(event.sender.id)?.get(topic)?.();
      subscriptions.get(event.sender.id)?.delete(topic);
    },
    forget(senderId) {
      for (const unsubscribe of subscriptions.get(senderId)?.values() ?? []) unsubscribe();
      subscriptions.delete(senderId);
    },
  };
}
