import type { Topic, TopicPayload } from '../../shared/contract';

type Listener<T extends Topic> = (payload: TopicPayload<T>) => void;

/** Contract events from the core to every connected client, whatever the transport. */
export class EventHub {
  private readonly listeners = new Map<Topic, Set<Listener<Topic>>>();

  subscribe<T extends Topic>(topic: T, listener: Listener<T>): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener as Listener<Topic>);
    return () => set.delete(listener as Listener<Topic>);
  }

  publish<T extends Topic>(topic: T, payload: TopicPayload<T>): void {
    for (const listener of this.listeners.get(topic) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`paddock: a ${topic} subscriber failed:`, error);
      }
    }
  }
}
