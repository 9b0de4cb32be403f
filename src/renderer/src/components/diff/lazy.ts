/**
 * What keeps a 5,000-file diff from freezing the page: file sections are mounted a batch at a time
 * (each batch an interruptible transition, so no single long task), and a section renders its
 * hunks only once it comes near the visible part of the scroll pane.
 */
import {
  createContext,
  startTransition,
  useCallback,
  useContext,
  useEffect,
  useState,
  type RefObject,
} from 'react';

/** Sections rendered with the first paint; the rest follow a batch per task. */
const FIRST_BATCH = 100;
const BATCH = 300;
/** How far outside the pane a section starts rendering, so scrolling rarely shows a placeholder. */
const NEAR_MARGIN = '1200px 0px';

/**
 * One IntersectionObserver for all sections (thousands of observers would each cost a callback
 * per scroll), reporting each element once: a rendered section stays rendered.
 */
export class NearViewport {
  private observer: IntersectionObserver | null = null;
  private observedRoot: Element | null = null;
  private readonly callbacks = new Map<Element, () => void>();

  /** `root` is read when the first section asks, after React attached the pane's ref. */
  constructor(private readonly root: () => Element | null) {}

  watch(element: Element, onNear: () => void): () => void {
    // No observer (an old engine, a test without a DOM): render at once rather than never.
    if (typeof IntersectionObserver === 'undefined') {
      onNear();
      return () => {};
    }
    // The pane is a new element after the diff was empty for a while: observe within the new one.
    const root = this.root();
    if (this.observer && this.observedRoot !== root) this.disconnect();
    this.observedRoot = root;
    this.observer ??= new IntersectionObserver((entries) => this.report(entries), {
      root,
      rootMargin: NEAR_MARGIN,
    });
    this.callbacks.set(element, onNear);
    this.observer.observe(element);
    return () => this.unwatch(element);
  }

  disconnect(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.callbacks.clear();
  }

  private report(entries: IntersectionObserverEntry[]) {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const onNear = this.callbacks.get(entry.target);
      this.unwatch(entry.target);
      onNear?.();
    }
  }

  private unwatch(element: Element) {
    this.callbacks.delete(element);
    this.observer?.unobserve(element);
  }
}

export const NearViewportContext = createContext<NearViewport | null>(null);

/**
 * Becomes true once `ref`'s element comes near the pane while `watching`, and stays true. A
 * collapsed file does not watch: a screenful of collapsed big files would otherwise all count as
 * near, and "Expand all" would render every one of them at once.
 */
export function useNearViewport(ref: RefObject<Element | null>, watching: boolean): boolean {
  const nearViewport = useContext(NearViewportContext);
  const [near, setNear] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (near || !watching || !element || !nearViewport) return;
    return nearViewport.watch(element, () => setNear(true));
  }, [near, watching, nearViewport, ref]);
  return near;
}

/**
 * How many of `total` items to mount now: a first batch, then more after each commit until all
 * are. `mountAtLeast` brings an item forward at once (a jump from the file list).
 */
export function useProgressiveCount(total: number): [number, (count: number) => void] {
  const [count, setCount] = useState(FIRST_BATCH);
  const shown = Math.min(total, count);
  useEffect(() => {
    if (shown >= total) return;
    const timer = setTimeout(() => {
      startTransition(() => setCount((current) => current + BATCH));
    }, 0);
    return () => clearTimeout(timer);
  }, [shown, total]);
  const mountAtLeast = useCallback(
    (wanted: number) => setCount((current) => Math.max(current, wanted)),
    [],
  );
  return [shown, mountAtLeast];
}
